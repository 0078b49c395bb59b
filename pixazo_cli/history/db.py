"""The history database file: where it lives, opening it for concurrent writers, and its schema
with the migrations that bring an older file up to date.

sqlite3 is imported here and nowhere on the way to `--version` or `--help`: the history layer
is loaded only by the commands that record or read it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from pathlib import Path

ENV_DB = "PIXAZO_HISTORY_DB"
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Other pixazo commands' writes take milliseconds; a file held longer than this is stuck (a
# crashed editor, a backup tool) and the history stands aside rather than hold up an image.
BUSY_TIMEOUT_MS = 5_000

# One script per schema version; a file at version N runs scripts N+1 onwards, so a new file
# and an old one take the same path. PRAGMA user_version holds the version.
MIGRATIONS: tuple[str, ...] = (
    # 1: what was paid for and what came of it.
    """
    CREATE TABLE generations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created TEXT NOT NULL,             -- UTC, 'YYYY-MM-DD HH:MM:SS'
        model TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        body TEXT NOT NULL,                -- the exact JSON body sent
        prompt TEXT NOT NULL,
        cwd TEXT NOT NULL,
        status TEXT NOT NULL,              -- sent, queued, answered, saved, failed
        request_id TEXT,
        urls TEXT,                         -- JSON list, once the gateway gave them
        files TEXT NOT NULL DEFAULT '[]',  -- JSON list of {path, bytes, sha256, url}
        error TEXT,
        exit_code INTEGER,
        maybe_charged INTEGER NOT NULL DEFAULT 0,
        finished TEXT
    );
    CREATE INDEX generations_created ON generations(created);
    CREATE INDEX generations_request_id ON generations(request_id);
    """,
    # 2: batch lines and spend.
    """
    ALTER TABLE generations ADD COLUMN batch_file TEXT;
    ALTER TABLE generations ADD COLUMN batch_line INTEGER;
    ALTER TABLE generations ADD COLUMN images INTEGER;
    ALTER TABLE generations ADD COLUMN cost_usd REAL;  -- NULL: no published price
    CREATE INDEX generations_spend ON generations(model, created, images, cost_usd);
    """,
    # 3: the ledger: one identity per paid request (the batch manifest keeps it too), and
    # whether the sandbox answered (placeholders: nothing spent).
    """
    ALTER TABLE generations ADD COLUMN ledger TEXT;
    ALTER TABLE generations ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX generations_ledger ON generations(ledger);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

# Full-text search over prompts where this SQLite has FTS5; `--search` falls back to LIKE.
FTS_SCRIPT = """
CREATE VIRTUAL TABLE IF NOT EXISTS prompts_fts USING fts5(
    prompt, content='generations', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS prompts_fts_insert AFTER INSERT ON generations BEGIN
    INSERT INTO prompts_fts(rowid, prompt) VALUES (new.id, new.prompt);
END;
CREATE TRIGGER IF NOT EXISTS prompts_fts_delete AFTER DELETE ON generations BEGIN
    INSERT INTO prompts_fts(prompts_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
END;
INSERT INTO prompts_fts(prompts_fts) VALUES ('rebuild');
"""


def default_path() -> Path:
    override = os.environ.get(ENV_DB)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("pixazo", appauthor=False)) / "history.db"


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating on first use) and migrate. Autocommit: every write is its own short
    transaction, which under WAL lets many processes and threads write without `database is
    locked` (each waits up to the busy timeout for its turn)."""
    busy = BUSY_TIMEOUT_MS
    _create_private(path)
    conn = sqlite3.connect(path, timeout=busy / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {busy}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    migrate(conn)
    return conn


def _create_private(path: Path) -> None:
    """The file holds prompts and working folders: readable by its owner only. Created here,
    never through a symlink: one that points at nothing would make SQLite create the history
    wherever it points. (A symlink to an existing history, a user's dotfiles, is followed.)"""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600))
    except FileExistsError:  # O_EXCL: also when `path` is a symlink, dangling or not
        if path.is_symlink() and not path.exists():
            raise OSError(errno.ELOOP, "a symlink to nothing; not followed", str(path)) from None


def migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")  # one migrating process at a time; the others wait
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"the history file is from a newer pixazo "
                                        f"(schema {version}, this one knows {SCHEMA_VERSION})")
        for number in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _add_fts(conn)


def _add_fts(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.OperationalError):  # no FTS5: --search uses LIKE
        conn.executescript(FTS_SCRIPT)


def has_fts(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'prompts_fts'").fetchone()
    return row is not None


def _statements(script: str) -> list[str]:
    """executescript() would commit our transaction; run the statements one by one."""
    return [part.strip() for part in script.split(";") if part.strip()
            and not all(line.strip().startswith("--") or not line.strip()
                        for line in part.splitlines())]
