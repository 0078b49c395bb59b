"""N shards of one batch, run at once as separate processes on one key, stay together under
the gateway's 60 requests a minute: each takes 60/N by default, so no 429 comes back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pixazo_cli.batch.jobfile import read_jobs
from pixazo_cli.batch.shards import shard_sizes
from tests.e2e.harness import PIXAZO, Server, run_pixazo


def jobs_file(folder: Path, count: int) -> Path:
    path = folder / "jobs.jsonl"
    path.write_text("".join(json.dumps({"model": "sdxl", "prompt": f"hero {n}", "width": 512,
                                        "height": 512, "seed": n}) + "\n"
                            for n in range(count)))
    return path


def run_shards(server: Server, home: Path, folder: Path, count: int,
               *extra: str) -> list[subprocess.CompletedProcess[str]]:
    """All shards at once, like a CI matrix (run_pixazo's environment, started together)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               PIXAZO_API_KEY="e2e-key-0123456789abcdef", PIXAZO_BASE_URL=server.url)
    procs = [subprocess.Popen([str(PIXAZO), "batch", "jobs.jsonl", "--shard", f"{i}/{count}",
                               "-d", f"shard-{i}", *extra], cwd=folder, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(1, count + 1)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_shards_within_their_share_all_finish_with_no_429(server: Server, home: Path,
                                                          tmp_path: Path) -> None:
    jobs_file(tmp_path, 40)
    results = run_shards(server, home, tmp_path, 4)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    stats = server.stats()
    assert stats["posts_received"] == stats["posts_accepted"] == 40  # not one 429


def test_shards_beyond_their_share_wait_instead_of_meeting_429s(server: Server, home: Path,
                                                                tmp_path: Path) -> None:
    path = jobs_file(tmp_path, 100)  # 100 requests at once would be 40 over the limit
    sizes = shard_sizes(read_jobs(path.read_text(), None, {})[0], 4)
    assert min(sizes) > 15  # every shard has more than its minute's share
    # A short --timeout turns "wait a minute for the window" into "not sent", so the test
    # sees the first minute only.
    results = run_shards(server, home, tmp_path, 4, "--timeout", "5")
    stats = server.stats()
    assert stats["posts_received"] == stats["posts_accepted"] == 60  # 15 each, no 429
    assert all("up to 15 paid requests a minute" in r.stderr for r in results)
    assert all("rate limit would hold this request" in r.stderr for r in results)
    # The rest is for the next run: nothing of it was paid.
    again = run_pixazo(["batch", "jobs.jsonl", "--shard", "1/4", "-d", "shard-1", "--check"],
                       home, tmp_path, server)
    assert f"Paid requests it would send: {sizes[0] - 15}" in again.stdout
