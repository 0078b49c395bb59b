"""The vendor's own `requests` snippets, run unchanged but for the host, get documented replies.

If the sandbox refused or mis-shaped anything the vendor's own examples send, it would not be
a faithful stand-in; these tests pin that down.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import requests

from pixazo_cli.sandbox import Sandbox

from .support import open_image

SNIPPETS = Path(__file__).parent / "vendor_snippets"
VENDOR_HOST = "https://gateway.pixazo.ai"


def run_snippet(name: str, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> dict:
    source = (SNIPPETS / f"{name}.py.txt").read_text().replace(VENDOR_HOST, sandbox.base_url)
    namespace: dict = {}
    exec(compile(source, f"vendor_{name}.py", "exec"), namespace)
    response = namespace["response"]
    # The snippet ends with print(response.json()): it must have printed the reply.
    assert capsys.readouterr().out.strip() == str(response.json())
    assert response.headers["Content-Type"] == "application/json"
    return {"status": response.status_code, "body": response.json()}


def fetch_image(url: str, sandbox: Sandbox) -> tuple[str, tuple[int, int], str]:
    assert url.startswith(sandbox.cdn_base_url + "/cdn/")
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    image = open_image(response.content)
    return response.headers["Content-Type"], image.size, image.format


def test_nucleus_snippet(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    reply = run_snippet("nucleus", sandbox, capsys)
    assert reply["status"] == 202
    body = reply["body"]
    assert set(body) == {"request_id", "status", "polling_url"}
    uuid = r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    assert re.fullmatch(f"nucleus-image_{uuid}", body["request_id"])
    assert body["status"] == "QUEUED"
    assert body["polling_url"] == f"{sandbox.base_url}/v2/requests/status/{body['request_id']}"


def test_sd35_snippet(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    reply = run_snippet("sd35", sandbox, capsys)
    assert reply["status"] == 200
    body = reply["body"]
    assert set(body) == {"id", "status", "output"}
    assert re.fullmatch(r"[a-z0-9]{26}", body["id"])
    assert body["status"] == "succeeded"
    assert fetch_image(body["output"], sandbox) == ("image/webp", (1024, 1024), "WEBP")


def test_sd3_snippet(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    reply = run_snippet("sd3", sandbox, capsys)
    assert reply["status"] == 200
    assert set(reply["body"]) == {"output"}
    # The snippet asks for 3:2 jpg: long side 1024.
    assert fetch_image(reply["body"]["output"], sandbox) == ("image/jpeg", (1024, 683), "JPEG")


@pytest.mark.parametrize("name", ["sdxl", "lightning", "lightning_stream", "inpaint"])
def test_image_url_snippets(
    name: str, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = run_snippet(name, sandbox, capsys)
    assert reply["status"] == 200
    assert set(reply["body"]) == {"imageUrl"}
    assert fetch_image(reply["body"]["imageUrl"], sandbox) == ("image/png", (1024, 1024), "PNG")


def test_inpaint_stream_snippet(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    reply = run_snippet("inpaint_stream", sandbox, capsys)
    assert reply["status"] == 200
    assert set(reply["body"]) == {"imageUrl"}
    assert fetch_image(reply["body"]["imageUrl"], sandbox)[0] == "image/png"


def status_curl(sandbox: Sandbox, request_id: str | None = None) -> requests.Response:
    """The vendor's status cURL example, done with requests.get."""
    words = shlex.split((SNIPPETS / "status.curl.txt").read_text().replace("\\\n", " "))
    header_name, header_value = words[words.index("-H") + 1].split(": ", 1)
    url = words[-1].replace(VENDOR_HOST, sandbox.base_url)
    if request_id is not None:
        url = url.rsplit("/", 1)[0] + "/" + request_id
    return requests.get(url, headers={header_name: header_value}, timeout=10)


def test_status_curl_example(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    queued = run_snippet("nucleus", sandbox, capsys)["body"]
    response = status_curl(sandbox, queued["request_id"])
    assert response.status_code == 200
    body = response.json()
    keys = {"request_id", "status", "model_id", "error", "output", "created_at", "updated_at"}
    assert set(body) == keys | {"completed_at"}
    assert (body["request_id"], body["status"], body["model_id"]) == (
        queued["request_id"],
        "COMPLETED",
        "nucleus-image",
    )
    assert body["error"] is None
    assert body["output"]["media_type"] == "image/png"
    [url] = body["output"]["media_url"]
    assert fetch_image(url, sandbox) == ("image/png", (1024, 1024), "PNG")
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    for name in ("created_at", "updated_at", "completed_at"):
        assert re.fullmatch(stamp, body[name])


def test_status_curl_example_verbatim_id_is_not_found(sandbox: Sandbox) -> None:
    response = status_curl(sandbox)
    assert response.status_code == 404
    request_id = "nucleus-image_019exxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
    assert response.json() == {
        "error": "Not Found",
        "message": f"Request '{request_id}' not found",
    }
