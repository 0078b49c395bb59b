"""inspect reads the generation record back from an image; replay sends its body again, checked
like flags; --sidecar writes the same record beside the image."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli import record
from pixazo_cli.sandbox import Sandbox
from tests.conftest import run


@pytest.mark.parametrize(("model", "extra", "suffix"), [
    ("sdxl", {}, ".png"), ("sd3", {"format": "jpg"}, ".jpg"), ("sd35", {}, ".webp")])
def test_inspect_round_trips_the_record(gateway: Sandbox, isolated: Path, model: str,
                                        extra: dict, suffix: str) -> None:
    made = run(model, "a lighthouse at dusk", *[a for k, v in extra.items()
                                                for a in (f"--{k}", v)], "--json")
    report = made.json()
    path = report["files"][0]["path"]
    assert path.endswith(suffix)
    record = run("inspect", "--json", path).json()
    assert record["model"] == model and record["body"] == report["body"]
    assert record["endpoint"] == report["endpoint"]
    assert record["tool"].startswith("pixazo-cli/")


def test_replay_sends_the_identical_body(gateway: Sandbox, isolated: Path) -> None:
    made = run("sdxl", "a sparrow", "--seed", "40", "--width", "768", "--json").json()
    replayed = run("replay", made["files"][0]["path"], "--json")
    assert replayed.exit_code == 0, replayed.stderr
    first, second = gateway.stats()["bodies"][-2:]
    assert first == second == made["body"]


def test_replay_flags_override_the_record(gateway: Sandbox, isolated: Path) -> None:
    made = run("sdxl", "a sparrow", "--seed", "40", "--json").json()
    assert run("replay", made["files"][0]["path"], "--seed", "41").exit_code == 0
    assert gateway.stats()["bodies"][-1] == {**made["body"], "seed": 41}
    refused = run("replay", made["files"][0]["path"], "--aspect-ratio", "1:1")
    assert refused.exit_code == 2 and "sdxl does not take --aspect-ratio" in refused.stderr


def test_sidecar_writes_the_record_beside_the_image(gateway: Sandbox, isolated: Path) -> None:
    made = run("sdxl", "a sparrow", "--sidecar", "--json").json()
    sidecar = Path(made["files"][0]["path"]).with_suffix(".json")
    data = json.loads(sidecar.read_text())
    assert data["body"] == made["body"] and data["file"]["sha256"] == made["files"][0]["sha256"]


def test_inspect_refuses_a_file_without_a_record(isolated: Path) -> None:
    Image.new("RGB", (4, 4)).save(isolated / "plain.png")
    result = run("inspect", "plain.png")
    assert result.exit_code == 2 and "no pixazo generation record" in result.stderr


def _image_with(record_data: dict, folder: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    buffer.seek(0)
    path = folder / "crafted.png"
    with open(path, "wb") as out:
        record.embed(buffer, out, record_data, "png")
    return path


def test_replay_checks_a_crafted_record_like_flags(gateway: Sandbox, isolated: Path) -> None:
    crafted = _image_with({"model": "nucleus",
                           "endpoint": "/nucleus-image/v1/nucleus-image-request",
                           "body": {"prompt": "x", "num_images": 0}}, isolated)
    result = run("replay", str(crafted))
    assert result.exit_code == 2 and "--num-images 0" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_replay_never_takes_headers_from_the_file(gateway: Sandbox, isolated: Path) -> None:
    crafted = _image_with({"model": "sdxl", "endpoint": "/getImage/v1/getSDXLImage",
                           "body": {"prompt": "x"},
                           "headers": {"X-Webhook-URL": "http://evil.example/"}}, isolated)
    shown = run("replay", str(crafted), "--dry-run", "--json").json()
    assert "X-Webhook-URL" not in shown["headers"]


def test_a_record_holding_a_lone_surrogate_is_no_record(gateway: Sandbox, isolated: Path) -> None:
    crafted = _image_with({"model": "sdxl", "endpoint": "/getImage/v1/getSDXLImage",
                           "body": {"prompt": "a \ud800 fox"}}, isolated)
    for command in ("inspect", "replay"):
        result = run(command, str(crafted))
        assert result.exit_code == 2, result.stderr
        assert "generation record" in result.stderr and "Traceback" not in result.stderr
    assert gateway.stats()["posts_received"] == 0
