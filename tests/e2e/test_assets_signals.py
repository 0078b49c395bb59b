"""Ctrl-C or SIGTERM while a batch derives its assets: the process stops with 130 or 143, the
images paid for are saved whole and recorded as saved, no part file of the writer is left, and
assets.json lists only files that are there, whole. Real processes, no fixed sleeps: the
signal is sent once the first derived file has appeared."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.harness import Server
from tests.e2e.test_signals import start_pixazo, until
from tests.test_assets_manifest import valid

IMAGES = 8
ASSETS = ("--to", "avif,webp", "--widths", "480,960", "--placeholder", "blurhash")


def start(server: Server, home: Path, tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    """A batch of IMAGES lines with assets, stopped once every request is paid for and the
    first derived file is there: the stop comes while deriving."""
    work = tmp_path / "run"
    work.mkdir()
    (work / "jobs.jsonl").write_text("".join(
        json.dumps({"model": "sdxl", "prompt": f"hero {n}", "seed": n}) + "\n"
        for n in range(IMAGES)))
    out = work / "out"
    proc = start_pixazo(["batch", "jobs.jsonl", "-d", "out", *ASSETS], home, work, server)
    until(lambda: server.stats()["posts_received"] == IMAGES and out.is_dir()
          and any(out.glob("*.avif")), "every request paid for and a derived file")
    return proc, work


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_while_deriving_leaves_the_originals_and_no_part_file(
        server: Server, home: Path, tmp_path: Path, stop: signal.Signals, code: int) -> None:
    proc, work = start(server, home, tmp_path)
    out = work / "out"
    proc.send_signal(stop)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert not [p.name for p in out.iterdir() if p.name.startswith(".pixazo-")]
    newest: dict[str, dict] = {}
    for line in (out / "pixazo-manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        newest[entry["job"]] = entry
    assert [entry["status"] for entry in newest.values()] == ["saved"] * IMAGES
    for entry in newest.values():
        for file in entry["files"]:
            with Image.open(out / file["path"]) as picture:
                picture.load()  # whole, as received
    if (out / "assets.json").exists():  # what was derived before the stop, recorded
        for asset in valid(out / "assets.json")["assets"].values():
            for made in asset["derived"]["files"]:
                data = (out / made["path"]).read_bytes()
                assert hashlib.sha256(data).hexdigest() == made["sha256"]


def test_a_rerun_after_a_stop_derives_the_rest_without_paying(
        server: Server, home: Path, tmp_path: Path) -> None:
    proc, work = start(server, home, tmp_path)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    again = start_pixazo(["batch", "jobs.jsonl", "-d", "out", *ASSETS], home, work, server)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert server.stats()["posts_received"] == IMAGES  # nothing paid for twice
    assets = valid(work / "out" / "assets.json")["assets"]
    assert len(assets) == IMAGES
    assert all(len(asset["derived"]["files"]) == 4 for asset in assets.values())
