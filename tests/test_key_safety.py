"""Never leak the key: trimmed when pasted with whitespace, refused (without echoing it) when it
holds control or non-ASCII characters, masked in every text the tool writes, kept away from
proxies for this machine, and stored in a private config file."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from pixazo_cli.sandbox import Sandbox, SandboxOptions, start
from tests.conftest import GATEWAY, KEY, config_file, reset_sandbox, run
from tests.faults_support import every_entry

SDXL = f"{GATEWAY}/getImage/v1/getSDXLImage"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start(SandboxOptions(port=0, latency=0, quiet=True, rate_limit=0,
                              announce=False)) as running:
        yield running


@pytest.fixture
def gateway(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    reset_sandbox(sandbox, [])
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    return sandbox


def test_a_key_pasted_with_a_newline_is_trimmed_before_sending(
        gateway: Sandbox, monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    monkeypatch.setenv("PIXAZO_API_KEY", f"  {KEY}\n")
    result = run("sdxl", "a fox")
    assert result.exit_code == 0, result.stderr
    stats = gateway.stats()
    assert stats["posts_received"] == 1
    assert stats["headers"][-1]["ocp-apim-subscription-key"] == KEY


@pytest.mark.parametrize("bad", [f"{KEY}\x1b[2J", f"{KEY[:8]}\u00e9{KEY[8:]}", f"{KEY[:8]} x"],
                         ids=["escape", "non-ascii", "inner-space"])
def test_a_key_with_control_or_non_ascii_characters_is_refused_naming_its_source(
        gateway: Sandbox, monkeypatch: pytest.MonkeyPatch, isolated: Path, bad: str) -> None:
    monkeypatch.setenv("PIXAZO_API_KEY", bad)
    result = run("sdxl", "a fox")
    assert result.exit_code == 2, result.stderr
    assert "environment (PIXAZO_API_KEY)" in result.stderr
    assert KEY[:8] not in result.stderr + result.stdout
    assert gateway.stats()["posts_received"] == 0
    assert every_entry(isolated) == []


def test_a_bad_key_in_the_config_file_names_the_file_not_the_key(
        gateway: Sandbox, isolated: Path) -> None:
    path = config_file()
    path.parent.mkdir(parents=True)
    path.write_text(f'api_key = "{KEY}\\u0007"\n')
    path.chmod(0o600)
    result = run("sdxl", "a fox")
    assert result.exit_code == 2, result.stderr
    assert str(path) in result.stderr and KEY not in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_auth_login_stores_the_key_trimmed_in_a_private_file_and_folder(isolated: Path) -> None:
    folder = config_file().parent
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    result = run("auth", "login", input=f"  {KEY}\r\n")
    assert result.exit_code == 0, result.stderr
    assert f'api_key = "{KEY}"' in config_file().read_text()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(config_file().stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == ["config.toml"]  # no temp file left


def test_config_save_replaces_a_planted_symlink_instead_of_writing_through_it(
        isolated: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("timeout = 5\n")  # valid TOML another program owns
    config_file().parent.mkdir(parents=True)
    config_file().symlink_to(target)
    assert run("auth", "login", input=f"{KEY}\n").exit_code == 0
    assert target.read_text() == "timeout = 5\n"
    assert not config_file().is_symlink()


def test_a_config_file_others_can_read_gets_a_warning(
        gateway: Sandbox, isolated: Path) -> None:
    assert run("auth", "login", input=f"{KEY}\n").exit_code == 0
    config_file().chmod(0o644)
    result = run("sdxl", "a fox")
    assert result.exit_code == 0, result.stderr
    assert "others can read" in result.stderr and "chmod 600" in result.stderr
    assert KEY not in result.stderr


def test_gateway_text_echoing_the_key_or_escape_codes_is_masked_and_stripped(
        httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=400,
                            json={"error": f"bad header {KEY}\x1b]0;pwned\x07\x1b[31m red"})
    result = run("sdxl", "a fox", "--json")
    assert result.exit_code == 2
    assert KEY not in result.stderr + result.stdout
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "****" in result.stderr


def test_http_stack_exception_text_never_reaches_the_user_raw(
        httpx_mock: HTTPXMock, key: str) -> None:
    import httpx

    httpx_mock.add_exception(httpx.ReadError(f"reset while sending {KEY}"), method="POST",
                             url=SDXL)
    result = run("sdxl", "a fox")
    assert result.exit_code == 7
    assert KEY not in result.stderr and "reset while sending" not in result.stderr
    assert "may have" in result.stderr


def test_a_loopback_gateway_bypasses_the_environment_proxy(
        gateway: Sandbox, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # a proxy that would see the key
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result = run("sdxl", "a fox")
    assert result.exit_code == 0, result.stderr
    assert gateway.stats()["posts_received"] == 1


def test_json_output_and_sidecar_mask_a_key_pasted_into_the_prompt(
        gateway: Sandbox, key: str, isolated: Path) -> None:
    result = run("sdxl", f"oops {KEY}", "--json", "--sidecar")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert KEY not in result.stdout + result.stderr
    sidecar = Path(data["files"][0]["path"]).with_suffix(".json")
    assert KEY not in sidecar.read_text()
    assert all(KEY.encode() not in p.read_bytes() for p in every_entry(isolated))


def test_the_missing_key_hint_never_suggests_the_key_on_a_command_line(
        gateway: Sandbox) -> None:
    result = run("sdxl", "a fox")
    assert result.exit_code == 3
    assert "auth login" in result.stderr and "config set api_key" not in result.stderr
    assert os.environ.get("PIXAZO_API_KEY") is None
