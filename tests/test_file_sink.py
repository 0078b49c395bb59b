"""The one file writer (sinks/files.py) and its record of what it made (sinks/made.py): whole
files or none, never over a file the tool did not make unless told, never through a symlink,
never outside the chosen folder; and a symlink farm that tries every way out."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixazo_cli.errors import SaveError
from pixazo_cli.sinks.files import Folder, NotOurs
from pixazo_cli.sinks.made import MADE_NAME, MadeHere
from pixazo_cli.sinks.stamp import Stamp


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under root, as what it is and what it holds (symlinks not followed)."""
    found: dict[str, tuple[str, bytes | str]] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = ("link", os.readlink(path))
        elif path.is_dir():
            found[key] = ("dir", "")
        else:
            found[key] = ("file", path.read_bytes())
    return found


def test_a_new_name_is_written_whole_and_leaves_no_temp_file(tmp_path: Path) -> None:
    with Folder.open(tmp_path / "out") as folder:
        placed = folder.write("a.txt", b"hello")
    assert placed.path == tmp_path / "out" / "a.txt"
    assert os.listdir(tmp_path / "out") == ["a.txt"]
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"hello"
    assert placed.stamp.size == 5


def test_an_existing_file_is_not_replaced_without_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("the user's")
    with Folder.open(out) as folder, pytest.raises(NotOurs) as refused:
        folder.write("a.txt", b"the tool's")
    assert refused.value.exit_code == 8
    assert (out / "a.txt").read_text() == "the user's"
    assert os.listdir(out) == ["a.txt"]  # the temp file went too


def test_overwrite_replaces_it(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("the user's")
    with Folder.open(tmp_path) as folder:
        folder.write("a.txt", b"the tool's", overwrite=True)
    assert (tmp_path / "a.txt").read_text() == "the tool's"


def test_the_tools_own_file_is_replaced_but_not_once_someone_changed_it(tmp_path: Path) -> None:
    with Folder.open(tmp_path) as folder:
        first = folder.write("a.txt", b"one")
        second = folder.write("a.txt", b"two", mine=first.stamp)
        (tmp_path / "a.txt").write_text("edited by hand")
        with pytest.raises(NotOurs):
            folder.write("a.txt", b"three", mine=second.stamp)
    assert (tmp_path / "a.txt").read_text() == "edited by hand"


def test_a_copy_of_the_tools_file_is_still_the_tools(tmp_path: Path) -> None:
    with Folder.open(tmp_path) as folder:
        made = folder.write("a.txt", b"one")
        os.rename(tmp_path / "a.txt", tmp_path / "moved")
        (tmp_path / "a.txt").write_bytes((tmp_path / "moved").read_bytes())  # a new inode
        now = folder.current("a.txt", made.stamp)
    assert now is not None and now.ino != made.stamp.ino and now.sha256 == made.stamp.sha256


def test_the_first_free_alternative_is_taken(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "a-2.txt").write_text("y")
    with Folder.open(tmp_path) as folder:
        placed = folder.write("a.txt", b"z", alternatives=["a-2.txt", "a-3.txt"])
    assert placed.name == "a-3.txt"


def test_remove_deletes_only_the_tools_file(tmp_path: Path) -> None:
    with Folder.open(tmp_path) as folder:
        made = folder.write("a.txt", b"one")
        (tmp_path / "a.txt").unlink()
        (tmp_path / "a.txt").write_text("the user's now")
        assert folder.remove("a.txt", made.stamp) is False
        assert (tmp_path / "a.txt").read_text() == "the user's now"
        again = folder.write("b.txt", b"two")
        assert folder.remove("b.txt", again.stamp) is True
    assert not (tmp_path / "b.txt").exists()


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../a", "/etc/passwd", "a\0b"])
def test_a_name_is_one_entry_of_the_folder(tmp_path: Path, name: str) -> None:
    with Folder.open(tmp_path) as folder, pytest.raises(ValueError):
        folder.write(name, b"x")


def test_the_mode_asked_for_is_kept(tmp_path: Path) -> None:
    with Folder.open(tmp_path) as folder:
        folder.write("private", b"key", mode=0o600)
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o600


def test_a_symlink_as_the_final_name_is_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("bashrc")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").symlink_to(victim)
    with Folder.open(out) as folder:
        with pytest.raises(NotOurs):
            folder.write("index.html", b"<html>")
        folder.write("index.html", b"<html>", overwrite=True)  # replaces the link itself
    assert victim.read_text() == "bashrc"
    assert not (out / "index.html").is_symlink()


def test_append_never_goes_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("log")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.jsonl").symlink_to(victim)
    with Folder.open(tmp_path / "out") as folder, pytest.raises(SaveError):
        folder.append("manifest.jsonl")
    assert victim.read_text() == "log"


def test_a_symlinked_folder_below_the_chosen_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thumbs").symlink_to(tmp_path / "pics")
    with Folder.open(tmp_path / "out") as folder, pytest.raises(SaveError, match="symlink"):
        folder.sub("thumbs")
    assert os.listdir(tmp_path / "pics") == []


def test_read_does_not_follow_a_symlink_nor_hang_on_a_fifo(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s")
    (tmp_path / "link").symlink_to(tmp_path / "secret")
    os.mkfifo(tmp_path / "fifo")
    with Folder.open(tmp_path) as folder:
        assert folder.read("link", 100) is None
        assert folder.read("fifo", 100) is None
        assert folder.read("secret", 100) == b"s"
        assert folder.read("secret", 0) is None  # over the limit


def test_a_ledger_knows_what_it_wrote_across_runs(tmp_path: Path) -> None:
    with Folder.open(tmp_path) as folder:
        made_here = MadeHere.load(folder)
        made_here.write("page.html", b"one", note={"key": "k"})
        made_here.save()
    with Folder.open(tmp_path) as folder:
        made_here = MadeHere.load(folder)
        assert made_here.exists and made_here.owns("page.html") and made_here.note("page.html") == {
            "key": "k"}
        made_here.write("page.html", b"two")
        made_here.save()
    assert (tmp_path / "page.html").read_text() == "two"


def test_a_file_by_the_records_name_that_is_not_one_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / MADE_NAME).write_text("the user's notes")
    with Folder.open(tmp_path) as folder:
        made_here = MadeHere.load(folder)
        assert made_here.foreign
        with pytest.raises(NotOurs):
            made_here.save()
    assert (tmp_path / MADE_NAME).read_text() == "the user's notes"


def test_a_planted_ledger_cannot_name_files_outside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "victim").write_text("v")
    out = tmp_path / "out"
    out.mkdir()
    stamp = Stamp(1, "0" * 64).as_json()
    (out / MADE_NAME).write_text(
        '{"kind": "pixazo made these files", "version": 1, "files": {"../victim": {"stamp": '
        + str(stamp).replace("'", '"') + '}}}')
    with Folder.open(out) as folder:
        made_here = MadeHere.load(folder)
        assert made_here.names() == []
    assert (tmp_path / "victim").read_text() == "v"


# The symlink farm: every name the tool writes, and the folder it writes into, planted as a
# link to a victim outside; whatever is asked, nothing outside the chosen folder changes.
NAMES = ["index.html", "contact-sheet.png", "thumbs", MADE_NAME, "grid.png", "a.jpg"]
OPS = st.lists(st.tuples(st.sampled_from(["write", "overwrite", "mine", "remove", "sub",
                                          "append", "read"]),
                         st.sampled_from(NAMES)), max_size=12)


def farm(tmp_path: Path, linked: list[str]) -> tuple[Path, Path]:
    victim = tmp_path / "victim"
    (victim / "pics").mkdir(parents=True)
    (victim / "pics" / "1999-wedding.jpg").write_bytes(b"wedding")
    (victim / "bashrc").write_text("export PATH")
    out = tmp_path / "out"
    out.mkdir()
    for name in linked:
        (out / name).symlink_to(victim / ("pics" if name == "thumbs" else "bashrc"))
    return victim, out


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(linked=st.lists(st.sampled_from(NAMES), unique=True), ops=OPS)
def test_the_writer_never_touches_anything_outside_its_folder(
        tmp_path_factory: pytest.TempPathFactory, linked: list[str],
        ops: list[tuple[str, str]]) -> None:
    tmp_path = tmp_path_factory.mktemp("farm")
    victim, out = farm(tmp_path, linked)
    before = snapshot(victim)
    stamps: dict[str, Stamp] = {}
    with Folder.open(out) as folder:
        for op, name in ops:
            with contextlib.suppress(SaveError):
                _do(folder, op, name, stamps)
    assert snapshot(victim) == before


def _do(folder: Folder, op: str, name: str, stamps: dict[str, Stamp]) -> None:
    if op == "sub":
        with folder.sub(name) as inner:
            inner.write("x.jpg", b"thumb", overwrite=True)
            inner.append("log").close()
    elif op == "append":
        folder.append(name).close()
    elif op == "read":
        folder.read(name, 1 << 20)
    elif op == "remove":
        folder.remove(name, stamps.get(name, Stamp(7, "0" * 64)))
    else:
        placed = folder.write(name, b"made", overwrite=op == "overwrite",
                              mine=stamps.get(name) if op == "mine" else None)
        stamps[name] = placed.stamp


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no descriptor-relative calls here")
def test_the_writer_works_relative_to_the_folder_s_descriptor_where_the_platform_can() -> None:
    """Every name is opened, linked, renamed and removed relative to the folder's descriptor:
    a folder swapped for a symlink midway cannot redirect a write. (The check once asked
    Python for os.replace, which it never lists, so every write went by path.)"""
    from pixazo_cli.sinks import files

    assert files.AT


def test_a_second_claim_on_a_folder_fails_while_the_first_is_held(tmp_path: Path) -> None:
    with Folder.open(tmp_path) as first, Folder.open(tmp_path) as second:
        assert first.claim()
        assert not second.claim()
    with Folder.open(tmp_path) as again:
        assert again.claim()
