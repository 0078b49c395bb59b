"""The history across real processes: a SIGKILL in the middle of a paid request leaves the
row written ahead of the POST, which says "sent, no reply"."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.e2e.harness import KEY, PIXAZO, Server, run_pixazo


def test_a_sigkill_mid_request_leaves_a_sent_no_reply_row(server: Server, home: Path,
                                                          tmp_path: Path) -> None:
    server.reset(["submit:slow=30*1"])  # the reply would take 30 s: the kill comes first
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_DATA_HOME=str(home / ".local" / "share"), PIXAZO_API_KEY=KEY,
                   PIXAZO_BASE_URL=server.url)
    proc = subprocess.Popen([str(PIXAZO), "sdxl", "a doomed sparrow", "--seed", "3"],
                            cwd=tmp_path, env=environ, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while server.stats()["posts_received"] < 1:  # polled: the POST has reached the gateway
            assert time.monotonic() < deadline, "the POST never arrived"
            assert proc.poll() is None, "pixazo ended before sending"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    pending = run_pixazo(["history", "--pending", "--json"], home, tmp_path)
    [row] = [json.loads(line) for line in pending.stdout.splitlines()]
    assert (row["status"], row["state"]) == ("sent", "sent, no reply")
    assert row["body"] == {"prompt": "a doomed sparrow", "seed": 3}
    assert row["cwd"] == str(tmp_path) and row["request_id"] is None
    listed = run_pixazo(["history"], home, tmp_path)
    assert "sent, no reply" in listed.stdout and "a doomed sparrow" in listed.stdout


def test_history_runs_as_its_own_quick_app_with_the_same_errors(home: Path,
                                                                tmp_path: Path) -> None:
    empty = run_pixazo(["history"], home, tmp_path)
    assert (empty.returncode, empty.stdout) == (0, "")
    bad = run_pixazo(["history", "--since", "someday"], home, tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("Error: --since wants a date")
    unknown = run_pixazo(["history", "--model", "dalle"], home, tmp_path)
    assert unknown.returncode == 2 and "No model 'dalle'" in unknown.stderr
    assert "--search TEXT" in run_pixazo(["history", "--help"], home, tmp_path).stdout
