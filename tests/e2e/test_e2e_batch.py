"""A batch killed half-way, then run again, pays for nothing twice (real processes, SIGINT)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

from tests.e2e.harness import KEY, PIXAZO, start_server


def test_interrupted_batch_rerun_sends_exactly_the_missing_requests(home: Path,
                                                                    tmp_path: Path) -> None:
    server = start_server("--latency", "0.2", "--rate-limit", "0")
    try:
        jobs = tmp_path / "jobs.jsonl"
        jobs.write_text("".join(json.dumps({"model": "sdxl" if n % 2 else "nucleus",
                                            "prompt": f"hero {n}"}) + "\n"
                                for n in range(12)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   PIXAZO_API_KEY=KEY, PIXAZO_BASE_URL=server.url)
        command = [str(PIXAZO), "batch", str(jobs), "-d", "out", "-j", "2"]
        first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert first.stdout is not None
        saved_before = [first.stdout.readline() for _ in range(3)]
        first.send_signal(signal.SIGINT)
        out, err = first.communicate(timeout=60)
        assert first.returncode == 130, err
        paid_first = server.stats()["posts_received"]
        assert 3 <= paid_first < 12

        second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=120)
        assert second.returncode == 0, second.stderr
        stats = server.stats()
    finally:
        server.stop()
    prompts = [body["prompt"] for body in stats["bodies"]]
    assert sorted(prompts) == sorted(f"hero {n}" for n in range(12))  # each paid exactly once
    assert stats["posts_received"] == 12
    saved = [line for line in second.stdout.splitlines() if line]
    assert len(saved) == 12 and all((tmp_path / p).is_file() for p in saved)
    assert set(p.strip() for p in saved_before) <= set(saved)
