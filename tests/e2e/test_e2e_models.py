"""Every model, end to end: the installed console script against `pixazo sandbox serve`."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.harness import Server, run_pixazo, start_server

CASES = [
    (["nucleus", "a lighthouse", "--aspect-ratio", "16:9", "--format", "jpg"], "JPEG",
     (1024, 576)),
    (["nucleus", "a lighthouse"], "PNG", (1024, 1024)),
    (["sd35", "boho portrait"], "WEBP", (1024, 1024)),
    (["sd35", "boho portrait", "--format", "png", "--aspect-ratio", "1:2"], "PNG", (512, 1024)),
    (["sd3", "neon race", "--format", "jpg", "--aspect-ratio", "2:1"], "JPEG", (1024, 512)),
    (["sd3", "neon race"], "WEBP", (1024, 1024)),
    (["sdxl", "a sparrow", "--width", "768", "--height", "512", "--seed", "40"], "PNG", (768, 512)),
    (["lightning", "a sparrow", "--width", "512", "--height", "512"], "PNG", (512, 512)),
    (["lightning", "a sparrow", "--stream", "--width", "640", "--height", "512"], "PNG",
     (640, 512)),
    (["inpaint", "change to a lion", "--image-url", "https://example.com/dog.png",
      "--mask-url", "https://example.com/mask.png", "--width", "512", "--height", "512"],
     "PNG", (512, 512)),
    (["inpaint", "change to a lion", "--stream", "--width", "512", "--height", "768"],
     "PNG", (512, 768)),
]


@pytest.mark.parametrize(("args", "fmt", "size"), CASES, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else None)
def test_each_model_saves_a_real_image(server: Server, home: Path, tmp_path: Path,
                                       args: list[str], fmt: str, size: tuple[int, int]) -> None:
    result = run_pixazo([*args, "--json"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [saved] = report["files"]
    path = Path(saved["path"]) if Path(saved["path"]).is_absolute() else tmp_path / saved["path"]
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == saved["sha256"]
    assert len(data) == saved["bytes"]
    with urllib.request.urlopen(saved["url"]) as reply:
        served = reply.read()
    # The saved file is the served image, pixel for pixel, plus its embedded generation record.
    with Image.open(path) as image, Image.open(io.BytesIO(served)) as original:
        assert (image.format, image.size) == (fmt, size)
        assert image.tobytes() == original.tobytes()
    inspected = run_pixazo(["inspect", "--json", str(path)], home, tmp_path)
    assert json.loads(inspected.stdout)["body"] == report["body"]
    assert path.suffix == {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}[fmt]
    stats = server.stats()
    assert stats["posts_accepted"] == 1
    assert stats["cdn_requests_with_key"] == 0


def test_stdout_is_only_the_saved_path(server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "a red fox", "-d", "out"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and (tmp_path / lines[0]).is_file()
    assert lines[0].startswith("out/sdxl-") and lines[0].endswith("-a-red-fox-1.png")


def test_nucleus_no_wait_then_status_wait(server: Server, home: Path, tmp_path: Path) -> None:
    queued = run_pixazo(["nucleus", "a lighthouse", "--no-wait"], home, tmp_path, server)
    assert queued.returncode == 0, queued.stderr
    request_id = queued.stdout.strip()
    assert request_id.startswith("nucleus-image_")
    assert server.stats()["status_polls"] == 0
    shown = run_pixazo(["status", request_id], home, tmp_path, server)
    assert shown.returncode == 0 and shown.stdout.splitlines()[0] == "COMPLETED"
    fetched = run_pixazo(["status", request_id, "--wait", "-d", "got"], home, tmp_path, server)
    assert fetched.returncode == 0, fetched.stderr
    [path] = fetched.stdout.splitlines()
    with Image.open(tmp_path / path) as image:
        assert image.format == "PNG"
    assert server.stats()["posts_accepted"] == 1


def test_nucleus_num_images_saves_each(server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["nucleus", "twins", "--num-images", "3"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    paths = result.stdout.splitlines()
    assert len(paths) == 3 and len(set(paths)) == 3
    assert [p.rsplit("-", 1)[1] for p in paths] == ["1.png", "2.png", "3.png"]


class _Receiver(BaseHTTPRequestHandler):
    calls: list[dict] = []
    finished = threading.Event()  # set by the callback that reports the job's end

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        call = json.loads(self.rfile.read(length))
        _Receiver.calls.append(call)
        if call.get("status") in ("COMPLETED", "FAILED", "ERROR"):
            _Receiver.finished.set()
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_reaches_a_loopback_receiver(server: Server, home: Path, tmp_path: Path) -> None:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    _Receiver.calls = []
    _Receiver.finished.clear()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        result = run_pixazo(["nucleus", "a lighthouse", "--webhook-url", url, "--json"],
                            home, tmp_path, server)
        assert result.returncode == 0, result.stderr
        request_id = json.loads(result.stdout)["request_id"]
        assert _Receiver.finished.wait(10), f"no final callback, got {_Receiver.calls}"
        terminal = _Receiver.calls[-1]
        assert terminal["request_id"] == request_id
        assert terminal["status"] == "COMPLETED"
        assert terminal["output"]["media_url"]
    finally:
        receiver.shutdown()


def test_insufficient_balance_exits_4(home: Path, tmp_path: Path) -> None:
    poor = start_server("--balance", "1")
    try:
        first = run_pixazo(["sdxl", "one"], home, tmp_path, poor)
        second = run_pixazo(["sdxl", "two"], home, tmp_path, poor)
    finally:
        poor.stop()
    assert first.returncode == 0, first.stderr
    assert second.returncode == 4
    assert "Insufficient Balance" in second.stderr and second.stdout == ""


def test_rate_limit_exits_5_when_retry_after_outlasts_the_timeout(home: Path,
                                                                  tmp_path: Path) -> None:
    strict = start_server("--rate-limit", "1")
    try:
        first = run_pixazo(["sdxl", "one"], home, tmp_path, strict)
        second = run_pixazo(["sdxl", "two", "--timeout", "3"], home, tmp_path, strict)
        stats = strict.stats()
    finally:
        strict.stop()
    assert first.returncode == 0, first.stderr
    assert second.returncode == 5, second.stderr
    assert "429" in second.stderr
    assert stats["posts_accepted"] == 1


def test_sandbox_flag_needs_no_key_and_no_server(home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["--sandbox", "sdxl", "a lighthouse at dusk"], home, tmp_path,
                        env={"PIXAZO_API_KEY": "", "PIXAZO_SANDBOX_LATENCY": "0"})
    assert result.returncode == 0, result.stderr
    assert "placeholder" in result.stderr
    with Image.open(tmp_path / result.stdout.strip()) as image:
        assert (image.format, image.size) == ("PNG", (1024, 1024))
