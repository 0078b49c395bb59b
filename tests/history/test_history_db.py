"""The history database: created private on first use, migrated from older files, safe under
concurrent writers, and never holding the API key."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from pixazo_cli.history.db import MIGRATIONS, SCHEMA_VERSION, default_path
from pixazo_cli.history.queries import Filter, latest, parse_when, spend
from pixazo_cli.history.store import History
from pixazo_cli.models.request import build_request
from pixazo_cli.models.table import MODELS
from pixazo_cli.sandbox import Sandbox
from tests.conftest import KEY, run
from tests.history.conftest import rows
from tests.test_shell_docs import heavy, imported_modules

REPO = Path(__file__).resolve().parent.parent






def test_the_file_is_created_on_first_use_in_the_user_data_folder(isolated: Path) -> None:
    path = default_path()
    assert path == isolated.parent / "home" / ".local" / "share" / "pixazo" / "history.db"
    assert not path.exists()
    History(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_the_env_override_points_the_history_elsewhere(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_HISTORY_DB", str(tmp_path / "elsewhere.db"))
    assert default_path() == tmp_path / "elsewhere.db"


def test_a_version_1_file_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])
    old.execute("INSERT INTO generations (created, model, endpoint, body, prompt, cwd, status) "
                "VALUES ('2026-01-02 03:04:05', 'sdxl', '/getImage/v1/getSDXLImage', "
                "'{\"prompt\": \"an old fox\"}', 'an old fox', '/tmp', 'saved')")
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    history = History(path)
    try:
        assert history.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        [row] = latest(history, Filter())
        assert (row.prompt, row.body, row.cost_usd, row.batch_line) == \
            ("an old fox", {"prompt": "an old fox"}, None, None)
        # The old row is searchable too: the search index is built over existing rows.
        assert [r.id for r in latest(history, Filter(search="fox"))] == [row.id]
    finally:
        history.close()


def test_a_file_from_a_newer_pixazo_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(sqlite3.DatabaseError, match="newer pixazo"):
        History(path)


WRITER = """
import sys, threading
from pixazo_cli.flow.ledger import Origin
from pixazo_cli.history.store import History
from pixazo_cli.models.request import build_request
from pixazo_cli.models.table import MODELS
history = History(__import__("pathlib").Path(sys.argv[1]))
def work(n):
    for i in range(25):
        request = build_request(MODELS["sdxl"], f"writer {sys.argv[2]} {n} {i}", {})
        row = history.start(request, Origin("jobs.jsonl", i))
        history.update(row, status="answered", urls=["https://cdn/x.png"], request_id=str(i))
        history.update(row, status="saved", files=[{"path": "x.png"}])
threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
"""


def test_concurrent_writers_never_see_database_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)], cwd=REPO,
                                stderr=subprocess.PIPE, text=True) for n in range(4)]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert all(w.returncode == 0 for w in writers), errors
    assert not any("locked" in e for e in errors)
    history = History(path)
    try:
        assert len(latest(history, Filter(limit=None))) == 4 * 4 * 25
        assert not latest(history, Filter(limit=None, pending=True))
    finally:
        history.close()


def test_a_batch_with_many_workers_records_every_line(sandbox: Sandbox, isolated: Path) -> None:
    jobs = isolated / "jobs.jsonl"
    jobs.write_text("".join(f'{{"model": "sdxl", "prompt": "hero {n}", "seed": {n}}}\n'
                            for n in range(1, 13)))
    result = run("batch", "jobs.jsonl", "-d", "out", "-j", "8")
    assert result.exit_code == 0, result.stderr
    assert "locked" not in result.stderr
    recorded = rows()
    assert sorted(r.batch_line for r in recorded) == list(range(1, 13))
    assert {r.batch_file for r in recorded} == {str(jobs)}
    assert {r.status for r in recorded} == {"saved"}
    assert all(Path(r.files[0]["path"]).is_file() for r in recorded)


def test_the_database_never_holds_the_key(sandbox: Sandbox, isolated: Path) -> None:
    watcher = History(default_path())  # kept open, so the WAL is not folded into the file
    assert run("sd35", "a lighthouse", "-d", "out").exit_code == 0
    sandbox.set_faults(["submit:500*5"])
    assert run("sdxl", "a failing fox", "-d", "out").exit_code != 0
    sandbox.set_faults([])
    # Even a prompt that carries the key (pasted by mistake) is stored without it.
    assert run("sdxl", f"a fox {KEY}", "-d", "out").exit_code == 0
    files = [p for p in default_path().parent.iterdir() if p.name.startswith("history.db")]
    assert {p.name for p in files} >= {"history.db", "history.db-wal"}
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path.name
    watcher.close()
    assert KEY.encode() not in default_path().read_bytes()
    assert len(rows()) == 3


def test_history_off_by_environment_records_nothing(sandbox: Sandbox, isolated: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_HISTORY", "0")
    assert run("sdxl", "a fox", "-d", "out").exit_code == 0
    assert not default_path().exists()


def test_history_off_in_the_config_records_nothing(sandbox: Sandbox, isolated: Path) -> None:
    assert run("config", "set", "history", "false").exit_code == 0
    assert run("sdxl", "a fox", "-d", "out").exit_code == 0
    assert not default_path().exists()


def test_an_unusable_history_file_warns_and_the_image_is_still_made(
        sandbox: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = isolated / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("PIXAZO_HISTORY_DB", str(broken))
    result = run("sdxl", "a fox", "-d", "out")
    assert result.exit_code == 0
    assert "the history is not recorded" in result.stderr
    assert len(list((isolated / "out").iterdir())) == 1


def test_search_treats_the_text_as_words_not_query_syntax(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    try:
        for prompt in ("a red fox", "a blue whale", 'odd "quote" AND NOT'):
            history.start(build_request(MODELS["sdxl"], prompt, {}))
        assert [r.prompt for r in latest(history, Filter(search="fox red"))] == ["a red fox"]
        assert [r.prompt for r in latest(history, Filter(search='"quote" AND'))] == \
            ['odd "quote" AND NOT']
        assert [r.prompt for r in latest(history, Filter(search="wha"))] == ["a blue whale"]
    finally:
        history.close()


def test_cost_sums_priced_models_and_calls_the_others_unknown(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    try:
        for model, images in (("sd35", 1), ("sd3", 1), ("sd35", 1), ("nucleus", 4)):
            row = history.start(build_request(MODELS[model], "p", {}))
            price = MODELS[model].price_per_image
            history.update(row, images=images, cost_usd=price * images if price else None)
        history.start(build_request(MODELS["sd35"], "never answered", {}))
        by_model = {s.key: s for s in spend(history, Filter(), "model")}
        assert (by_model["sd35"].images, by_model["sd35"].cost_usd) == (2, pytest.approx(0.4))
        assert (by_model["sd3"].images, by_model["sd3"].cost_usd) == (1, pytest.approx(0.2))
        assert (by_model["nucleus"].cost_usd, by_model["nucleus"].unpriced_images) == (0, 4)
        [day] = spend(history, Filter(), "day")
        assert (day.images, day.cost_usd, day.unpriced_images) == (7, pytest.approx(0.6), 4)
    finally:
        history.close()


def test_the_price_is_data_in_the_model_table_only_where_the_vendor_states_it() -> None:
    assert {m.name: m.price_per_image for m in MODELS.values() if m.price_per_image} == \
        {"sd35": 0.20, "sd3": 0.20}


def test_dates_and_ages_are_read_as_local_times() -> None:
    from datetime import datetime

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert parse_when("2d", "--since", now) == "2026-11-21 12:00:00"
    assert parse_when("90m", "--since", now) == "2026-11-23 10:30:00"
    assert parse_when("2026-11-20T08:00+00:00", "--since") == "2026-11-20 08:00:00"


def test_starting_the_cli_loads_no_sqlite_or_history() -> None:
    modules = imported_modules("import pixazo_cli.cli.app")
    assert not heavy(modules, ("sqlite3", "_sqlite3", "pixazo_cli.history"))
    assert not heavy(imported_modules("import pixazo_cli.entry"), ("sqlite3",))


def test_history_files_are_private_to_their_owner(sandbox: Sandbox, isolated: Path) -> None:
    assert run("sdxl", "a fox", "-d", "out").exit_code == 0
    folder = default_path().parent
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name
    assert folder.stat().st_mode & 0o077 == 0
    assert os.access(default_path(), os.R_OK)
