"""write_new, the one function every assets write goes through: never through a symlink,
never over a file the tool did not make, equal bytes left alone, no part file left behind."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pixazo_cli.assets.output import Written, write_new
from pixazo_cli.errors import SaveError


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def test_a_new_name_gets_the_bytes(tmp_path: Path) -> None:
    assert write_new(tmp_path, "a.webp", b"one") is Written.NEW
    assert (tmp_path / "a.webp").read_bytes() == b"one" and leftovers(tmp_path) == []


def test_equal_bytes_are_left_alone_mtime_and_all(tmp_path: Path) -> None:
    target = tmp_path / "a.webp"
    target.write_bytes(b"one")
    os.utime(target, (1_000_000, 1_000_000))
    assert write_new(tmp_path, "a.webp", b"one") is Written.UNCHANGED
    assert target.stat().st_mtime == 1_000_000


def test_the_tools_own_file_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "a.webp"
    target.write_bytes(b"one")
    inode = target.stat().st_ino
    assert write_new(tmp_path, "a.webp", b"two", replace_own=sha(b"one")) is Written.REPLACED
    assert target.read_bytes() == b"two" and target.stat().st_ino != inode  # renamed over
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("recorded", [None, sha(b"what pixazo wrote before")])
def test_a_file_the_tool_did_not_make_or_that_changed_is_never_replaced(
        tmp_path: Path, recorded: str | None) -> None:
    target = tmp_path / "a.webp"
    target.write_bytes(b"a person's file")
    with pytest.raises(SaveError) as refused:
        write_new(tmp_path, "a.webp", b"new", replace_own=recorded)
    assert "pixazo did not make it" in refused.value.message and refused.value.exit_code == 8
    assert target.read_bytes() == b"a person's file" and leftovers(tmp_path) == []


def test_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    (tmp_path / "a.webp").symlink_to(victim)
    with pytest.raises(SaveError) as refused:
        write_new(tmp_path, "a.webp", b"new", replace_own=sha(b"keep me"))
    assert "symlink" in refused.value.message
    assert victim.read_bytes() == b"keep me" and (tmp_path / "a.webp").is_symlink()


def test_a_folder_in_the_way_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.webp").mkdir()
    with pytest.raises(SaveError, match="not a regular file"):
        write_new(tmp_path, "a.webp", b"new")


def test_a_name_taken_meanwhile_is_not_replaced(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from pixazo_cli.sinks.files import Folder

    real = Folder.new_file

    def racing(self: Folder, mode: int = 0o666) -> object:
        new = real(self, mode)
        (tmp_path / "a.webp").write_bytes(b"someone else's, just now")
        return new

    monkeypatch.setattr(Folder, "new_file", racing)
    with pytest.raises(SaveError, match="appeared while"):
        write_new(tmp_path, "a.webp", b"new")
    assert (tmp_path / "a.webp").read_bytes() == b"someone else's, just now"
    assert leftovers(tmp_path) == []


def test_the_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_new(tmp_path, "a.webp", b"one")
    finally:
        os.umask(old)
    assert (tmp_path / "a.webp").stat().st_mode & 0o777 == 0o644
