"""The key is masked in every stored field and every output, whatever its encoding there (issue
20): as typed, JSON-escaped (a key holding `"` or `\\` used to reach the history's body column,
because masking ran on the JSON text) and URL-encoded (a gateway that puts it in an image URL)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from pytest_httpx import HTTPXMock

from pixazo_cli.sandbox import Sandbox
from tests.conftest import CDN, GATEWAY, PNG, Result, reset_sandbox, run
from tests.sinks_support import ODD_KEY, key_forms


def leaks(root: Path, *results: Result) -> list[str]:
    """Where any form of the key appears: in what was printed, or in any file under root
    (history database and its journal, images, sidecars, manifests) but the batch file."""
    forms = [form.encode() for form in key_forms(ODD_KEY)]
    found = [f"output {n}" for n, result in enumerate(results)
             if any(form.decode() in result.stdout + result.stderr for form in forms)]
    found += [str(path) for path in sorted(root.rglob("*")) if path.is_file()
              and path.name != "jobs.jsonl" and any(form in path.read_bytes() for form in forms)]
    return found


@pytest.fixture
def odd_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PIXAZO_API_KEY", ODD_KEY)
    return ODD_KEY


def test_a_key_with_quotes_and_backslashes_pasted_into_prompts_is_stored_nowhere(
        sandbox: Sandbox, odd_key: str, isolated: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    reset_sandbox(sandbox)
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    prompt = f"oops {odd_key} pasted"
    single = run("sdxl", prompt, "--json", "--sidecar", "-v")
    assert single.exit_code == 0, single.stderr
    (isolated / "jobs.jsonl").write_text(json.dumps({"model": "sdxl", "prompt": prompt}) + "\n")
    batch = run("batch", "jobs.jsonl", "-d", "out", "--json", "-v")
    assert batch.exit_code == 0, batch.stderr
    listing = run("history", "--json")
    assert leaks(tmp_path, single, batch, listing) == []
    assert json.loads(listing.stdout.splitlines()[0])["body"]["prompt"] == "oops **** pasted"


def test_a_key_url_encoded_in_an_image_url_is_masked_in_every_output(
        httpx_mock: HTTPXMock, odd_key: str, tmp_path: Path) -> None:
    url = f"{CDN}/a.png?sig={quote(odd_key, safe='')}"
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}/getImage/v1/getSDXLImage",
                            json={"imageUrl": url})
    httpx_mock.add_response(method="GET", url=re.compile(re.escape(f"{CDN}/a.png") + ".*"),
                            content=PNG)
    result = run("sdxl", "a fox", "--json", "--sidecar", "-v")
    assert result.exit_code == 0, result.stderr
    assert leaks(tmp_path, result, run("history", "--json")) == []
    assert json.loads(result.stdout)["files"][0]["url"] == f"{CDN}/a.png?sig=****"
