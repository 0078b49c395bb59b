"""Settings and what surrounds a generation: the config file, the precedence of settings, the
API key (stored, shown masked, never leaked), --json / --no-wait / status / --verbose output,
and how saved files are named."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import CDN, GATEWAY, JPEG, KEY, PNG, PNG2, WEBP, config_file, run, same_image

NUCLEUS_PATH = "/nucleus-image/v1/nucleus-image-request"
SDXL_PATH = "/getImage/v1/getSDXLImage"
STORED_KEY = "stored-key-abcdefgh-9876"  # a different key from the env one (KEY)


def status_url(request_id: str, base: str = GATEWAY) -> str:
    return f"{base}/v2/requests/status/{request_id}"


def serve_sdxl(httpx_mock: HTTPXMock, base: str = GATEWAY, content: bytes = PNG,
               name: str = "a.png") -> None:
    httpx_mock.add_response(method="POST", url=f"{base}{SDXL_PATH}",
                            json={"imageUrl": f"{CDN}/{name}"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/{name}", content=content)


def queue(httpx_mock: HTTPXMock, request_id: str = "req-1",
          polling_url: str | None = None) -> None:
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}{NUCLEUS_PATH}", status_code=202,
                            json={"request_id": request_id, "status": "QUEUED",
                                  "polling_url": polling_url or status_url(request_id)})


def complete(httpx_mock: HTTPXMock, request_id: str = "req-1", images: int = 1) -> list[str]:
    urls = [f"{CDN}/{request_id}-{i}.png" for i in range(1, images + 1)]
    httpx_mock.add_response(method="GET", url=status_url(request_id),
                            json={"request_id": request_id, "status": "COMPLETED",
                                  "output": {"media_url": urls, "media_type": "image/png"}})
    for url in urls:
        httpx_mock.add_response(method="GET", url=url, content=PNG)
    return urls


def ok(result: Any) -> None:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


# --- config path and the file itself ------------------------------------------------------------

def test_config_path_is_under_xdg_config_home(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    result = run("config", "path")
    ok(result)
    assert result.stdout == f"{tmp_path / 'elsewhere' / 'pixazo' / 'config.toml'}\n"


def test_config_set_output_dir_then_generation_saves_there(
        httpx_mock: HTTPXMock, key: str, tmp_path: Path, isolated: Path) -> None:
    shots = tmp_path / "shots"
    ok(run("config", "set", "output_dir", str(shots)))
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox")
    ok(result)
    saved = Path(result.stdout.strip())
    assert saved.parent == shots
    assert same_image(saved, PNG)
    assert list(isolated.iterdir()) == []


def test_out_dir_flag_beats_configured_output_dir(
        httpx_mock: HTTPXMock, key: str, tmp_path: Path) -> None:
    ok(run("config", "set", "output_dir", str(tmp_path / "configured")))
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox", "-d", str(tmp_path / "flag"))
    ok(result)
    assert Path(result.stdout.strip()).parent == tmp_path / "flag"


def test_config_set_get_list_unset_round_trip() -> None:
    ok(run("config", "set", "sdxl.steps", "12"))
    ok(run("config", "set", "base_url", "https://gw.example.com/"))
    ok(run("config", "set", "timeout", "90"))

    assert run("config", "get", "sdxl.steps").stdout == "12\n"
    assert run("config", "get", "base_url").stdout == "https://gw.example.com\n"
    listed = run("config", "list")
    ok(listed)
    assert set(listed.stdout.splitlines()) == {
        "sdxl.steps = 12", "base_url = https://gw.example.com", "timeout = 90"}

    ok(run("config", "unset", "sdxl.steps"))
    missing = run("config", "get", "sdxl.steps")
    assert missing.exit_code == 2
    assert missing.stdout == ""
    assert "sdxl.steps" not in run("config", "list").stdout
    assert "[sdxl]" not in config_file().read_text()


def test_what_set_list_and_get_print_can_be_typed_back() -> None:
    said = run("config", "set", "assets.upscale", "true")
    ok(said)
    assert "assets.upscale = true" in said.stderr
    ok(run("config", "set", "preview", "false"))
    listed = run("config", "list").stdout.splitlines()
    assert "assets.upscale = true" in listed and "preview = false" in listed
    assert run("config", "get", "assets.upscale").stdout == "true\n"


def test_config_set_accepts_dashed_flag_names() -> None:
    ok(run("config", "set", "sd3.negative-prompt", "blurry"))
    assert run("config", "get", "sd3.negative_prompt").stdout == "blurry\n"


def test_config_unset_of_a_missing_key_is_a_usage_error() -> None:
    result = run("config", "unset", "output_dir")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_config_set_sdxl_steps_out_of_range_is_refused() -> None:
    result = run("config", "set", "sdxl.steps", "99")
    assert result.exit_code == 2
    assert "--steps" in result.stderr and "20" in result.stderr
    assert not config_file().exists()


def test_config_set_a_flag_the_model_does_not_take_is_refused() -> None:
    result = run("config", "set", "nucleus.seed", "3")
    assert result.exit_code == 2
    assert "--seed" in result.stderr
    for model in ("sdxl", "lightning", "inpaint"):
        assert model in result.stderr
    assert not config_file().exists()


@pytest.mark.parametrize(("key_", "value"), [
    ("colour", "blue"),
    ("nomodel.steps", "3"),
    ("timeout", "-5"),
    ("timeout", "soon"),
    ("base_url", "http://gw.example.com"),
    ("name", "{nope}.png"),
    ("sd35.format", "gif"),
])
def test_config_set_refuses_invalid_settings(key_: str, value: str) -> None:
    result = run("config", "set", key_, value)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert not config_file().exists()


def test_config_file_is_private_in_a_private_folder() -> None:
    ok(run("config", "set", "output_dir", "shots"))
    assert stat.S_IMODE(config_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(config_file().parent.stat().st_mode) == 0o700


def test_config_file_stays_private_when_rewritten() -> None:
    ok(run("config", "set", "output_dir", "shots"))
    config_file().chmod(0o644)
    ok(run("auth", "login", input=STORED_KEY + "\n"))
    assert stat.S_IMODE(config_file().stat().st_mode) == 0o600


@pytest.mark.parametrize("args", [["config", "list"], ["sdxl", "a fox"], ["auth", "status"]])
def test_config_file_that_does_not_parse_names_the_file_and_line(
        httpx_mock: HTTPXMock, key: str, args: list[str]) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text('output_dir = "shots"\n\nbase_url = = "x"\n')
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert str(config_file()) in result.stderr
    assert "line 3" in result.stderr
    assert "Traceback" not in result.stderr
    assert httpx_mock.get_requests() == []


def test_config_path_that_is_a_folder_is_a_clear_error(httpx_mock: HTTPXMock, key: str) -> None:
    config_file().mkdir(parents=True)
    for args in (["config", "list"], ["sdxl", "a fox"]):
        result = run(*args)
        assert result.exit_code == 2, result.stderr
        assert result.stdout == ""
        assert str(config_file()) in result.stderr
        assert "folder" in result.stderr
        assert "Traceback" not in result.stderr
    assert httpx_mock.get_requests() == []


def test_config_set_into_a_folder_path_is_a_clear_error() -> None:
    config_file().mkdir(parents=True)
    result = run("config", "set", "output_dir", "shots")
    assert result.exit_code == 2, result.stderr
    assert "folder" in result.stderr
    assert "Traceback" not in result.stderr


# --- precedence of the base URL -----------------------------------------------------------------

@pytest.mark.parametrize(("flag", "env", "configured", "host"), [
    ("https://flag.example.com", "https://env.example.com", "https://config.example.com",
     "flag.example.com"),
    (None, "https://env.example.com", "https://config.example.com", "env.example.com"),
    (None, None, "https://config.example.com", "config.example.com"),
    (None, None, None, "gateway.pixazo.ai"),
], ids=["flag-wins", "env-beats-config", "config-beats-default", "default"])
def test_base_url_precedence_flag_env_config_default(
        httpx_mock: HTTPXMock, key: str, monkeypatch: pytest.MonkeyPatch, flag: str | None,
        env: str | None, configured: str | None, host: str) -> None:
    if configured:
        ok(run("config", "set", "base_url", configured))
    if env:
        monkeypatch.setenv("PIXAZO_BASE_URL", env)
    serve_sdxl(httpx_mock, base=f"https://{host}")
    ok(run(*(["--base-url", flag] if flag else []), "sdxl", "a fox"))
    [post] = [r for r in httpx_mock.get_requests() if r.method == "POST"]
    assert post.url.host == host


def test_base_url_flag_may_follow_the_subcommand(
        httpx_mock: HTTPXMock, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_BASE_URL", "https://env.example.com")
    serve_sdxl(httpx_mock, base="https://flag.example.com")
    ok(run("sdxl", "a fox", "--base-url", "https://flag.example.com"))
    assert httpx_mock.get_requests()[0].url.host == "flag.example.com"


# --- the API key ------------------------------------------------------------------------------

def test_auth_login_reads_the_key_from_piped_stdin_and_stores_it() -> None:
    result = run("auth", "login", input=STORED_KEY + "\n")
    ok(result)
    assert STORED_KEY not in result.stdout + result.stderr
    assert f'api_key = "{STORED_KEY}"' in config_file().read_text()


def test_auth_status_shows_only_the_last_four_characters_and_the_source() -> None:
    ok(run("auth", "login", input=STORED_KEY + "\n"))
    result = run("auth", "status")
    ok(result)
    assert STORED_KEY not in result.stdout + result.stderr
    assert "****9876" in result.stdout
    assert "config file" in result.stdout
    assert str(config_file()) in result.stdout


def test_env_key_beats_the_stored_key_and_status_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ok(run("auth", "login", input=STORED_KEY + "\n"))
    monkeypatch.setenv("PIXAZO_API_KEY", KEY)
    result = run("auth", "status")
    ok(result)
    assert "****" + KEY[-4:] in result.stdout
    assert "PIXAZO_API_KEY" in result.stdout
    assert KEY not in result.stdout + result.stderr
    assert STORED_KEY not in result.stdout + result.stderr


def test_env_key_is_the_one_sent_when_both_exist(
        httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(run("auth", "login", input=STORED_KEY + "\n"))
    monkeypatch.setenv("PIXAZO_API_KEY", KEY)
    serve_sdxl(httpx_mock)
    ok(run("sdxl", "a fox"))
    assert httpx_mock.get_requests()[0].headers["Ocp-Apim-Subscription-Key"] == KEY


def test_stored_key_is_sent_when_no_env_key(httpx_mock: HTTPXMock) -> None:
    ok(run("auth", "login", input=STORED_KEY + "\n"))
    serve_sdxl(httpx_mock)
    ok(run("sdxl", "a fox"))
    assert httpx_mock.get_requests()[0].headers["Ocp-Apim-Subscription-Key"] == STORED_KEY


def test_auth_logout_removes_the_key(httpx_mock: HTTPXMock) -> None:
    ok(run("config", "set", "output_dir", "shots"))
    ok(run("auth", "login", input=STORED_KEY + "\n"))
    ok(run("auth", "logout"))
    text = config_file().read_text()
    assert "api_key" not in text
    assert STORED_KEY not in text
    assert "output_dir" in text  # the other settings stay
    status = run("auth", "status")
    assert status.exit_code == 3
    assert status.stdout == ""


def test_auth_status_without_a_key_exits_3_saying_how_to_set_one() -> None:
    result = run("auth", "status")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "pixazo auth login" in result.stderr
    assert "PIXAZO_API_KEY" in result.stderr


@pytest.mark.parametrize("typed", ["", "  \n", "two words\n"])
def test_auth_login_refuses_something_that_is_not_a_key(typed: str) -> None:
    result = run("auth", "login", input=typed)
    assert result.exit_code == 2
    assert not config_file().exists()


def test_config_list_and_get_mask_the_stored_key() -> None:
    ok(run("auth", "login", input=STORED_KEY + "\n"))
    listed = run("config", "list")
    got = run("config", "get", "api_key")
    for result in (listed, got):
        ok(result)
        assert STORED_KEY not in result.stdout + result.stderr
        assert "****9876" in result.stdout


def test_the_key_is_never_sent_to_the_cdn(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    ok(run("sdxl", "a fox"))
    [download] = [r for r in httpx_mock.get_requests() if r.url.host == "pub-test.r2.dev"]
    assert "Ocp-Apim-Subscription-Key" not in download.headers
    assert all(KEY not in value for value in download.headers.values())


def test_nucleus_polling_url_on_another_origin_is_ignored(
        httpx_mock: HTTPXMock, key: str) -> None:
    queue(httpx_mock, polling_url="https://evil.example.net/v2/requests/status/req-1")
    complete(httpx_mock)
    ok(run("nucleus", "a fox"))
    gets = [r for r in httpx_mock.get_requests() if r.method == "GET"]
    assert gets[0].url == status_url("req-1")
    assert all(r.url.host != "evil.example.net" for r in httpx_mock.get_requests())
    keyed = [r for r in httpx_mock.get_requests() if "Ocp-Apim-Subscription-Key" in r.headers]
    assert {r.url.host for r in keyed} == {"gateway.pixazo.ai"}


def test_gateway_redirect_is_not_followed_with_the_key(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}{SDXL_PATH}", status_code=307,
                            headers={"Location": "https://evil.example.net/steal"})
    result = run("sdxl", "a fox")
    assert result.exit_code == 7
    assert all(r.url.host == "gateway.pixazo.ai" for r in httpx_mock.get_requests())


# --- --json, --no-wait, status ----------------------------------------------------------------

def test_json_output_is_one_object_describing_the_run(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    queue(httpx_mock)
    urls = complete(httpx_mock, images=2)
    result = run("nucleus", "a fox", "--num-images", "2", "--json")
    ok(result)
    assert result.stdout.count("\n") == 1
    data = json.loads(result.stdout)
    assert data["model"] == "nucleus"
    assert data["request_id"] == "req-1"
    assert data["endpoint"] == NUCLEUS_PATH
    assert data["body"] == {"prompt": "a fox", "num_images": 2}
    assert [f["url"] for f in data["files"]] == urls
    for entry in data["files"]:
        assert set(entry) == {"path", "url", "bytes", "sha256"}
        assert same_image(isolated / entry["path"], PNG)
        written = (isolated / entry["path"]).read_bytes()
        assert entry["bytes"] == len(written)
        assert entry["sha256"] == hashlib.sha256(written).hexdigest()
    assert len({f["path"] for f in data["files"]}) == 2
    assert KEY not in result.stdout


def test_json_output_for_a_sync_model(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox", "--seed", "4", "--json")
    ok(result)
    data = json.loads(result.stdout)
    assert data["model"] == "sdxl"
    assert data["endpoint"] == SDXL_PATH
    assert data["body"] == {"prompt": "a fox", "seed": 4}
    assert [f["url"] for f in data["files"]] == [f"{CDN}/a.png"]
    assert KEY not in result.stdout


def test_no_wait_prints_just_the_request_id_and_polls_nothing(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    queue(httpx_mock, "req-99")
    result = run("nucleus", "a fox", "--no-wait")
    ok(result)
    assert result.stdout == "req-99\n"
    assert [r.method for r in httpx_mock.get_requests()] == ["POST"]
    assert "pixazo status req-99 --wait" in result.stderr
    assert list(isolated.iterdir()) == []


def test_status_prints_the_job_status(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="GET", url=status_url("req-5"),
                            json={"request_id": "req-5", "status": "PROCESSING"})
    result = run("status", "req-5")
    ok(result)
    assert result.stdout == "PROCESSING\n"
    assert httpx_mock.get_requests()[0].headers["Ocp-Apim-Subscription-Key"] == KEY


def test_status_of_a_completed_job_prints_its_urls_without_downloading(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    httpx_mock.add_response(method="GET", url=status_url("req-5"), json={
        "request_id": "req-5", "status": "COMPLETED",
        "output": {"media_url": [f"{CDN}/x.png"], "media_type": "image/png"}})
    result = run("status", "req-5")
    ok(result)
    assert result.stdout == f"COMPLETED\n{CDN}/x.png\n"
    assert list(isolated.iterdir()) == []


def test_status_wait_downloads_the_images(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    httpx_mock.add_response(method="GET", url=status_url("req-5"),
                            json={"request_id": "req-5", "status": "PROCESSING"})
    complete(httpx_mock, "req-5")
    result = run("status", "req-5", "--wait")
    ok(result)
    [line] = result.stdout.splitlines()
    assert same_image(isolated / line, PNG)


def test_status_unknown_id_is_a_usage_error(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="GET", url=status_url("nope"), status_code=404)
    result = run("status", "nope")
    assert result.exit_code == 2
    assert result.stdout == ""


# --- --verbose ---------------------------------------------------------------------------------

def test_verbose_logs_each_http_exchange_without_the_key(
        httpx_mock: HTTPXMock, key: str) -> None:
    queue(httpx_mock)
    [url] = complete(httpx_mock)
    result = run("--verbose", "nucleus", "a fox")
    ok(result)
    assert f"POST {GATEWAY}{NUCLEUS_PATH} -> 202" in result.stderr
    assert f"GET {status_url('req-1')} -> 200" in result.stderr
    assert f"GET {url} -> 200" in result.stderr
    assert KEY not in result.stdout + result.stderr


def test_verbose_logs_failed_exchanges_too(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}{SDXL_PATH}", status_code=500)
    result = run("sdxl", "a fox", "-v")
    assert result.exit_code == 7
    assert f"POST {GATEWAY}{SDXL_PATH} -> 500" in result.stderr
    assert KEY not in result.stdout + result.stderr


def test_without_verbose_no_exchange_is_logged(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox")
    ok(result)
    assert "POST " not in result.stderr


def test_quiet_leaves_stderr_empty_on_success(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    result = run("--quiet", "sdxl", "a fox")
    ok(result)
    assert result.stderr == ""
    assert result.stdout.strip().endswith(".png")


# --- saved file names -----------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "ext"), [(JPEG, ".jpg"), (WEBP, ".webp"), (PNG, ".png")])
def test_saved_extension_follows_the_bytes(
        httpx_mock: HTTPXMock, key: str, isolated: Path, content: bytes, ext: str) -> None:
    serve_sdxl(httpx_mock, content=content, name="image.png")
    result = run("sdxl", "a fox")
    ok(result)
    saved = isolated / result.stdout.strip()
    assert saved.suffix == ext
    assert same_image(saved, content)


def test_default_name_never_collides_within_one_second(
        httpx_mock: HTTPXMock, key: str, isolated: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> FrozenDatetime:
            return cls(2025, 1, 2, 3, 4, 5)

    monkeypatch.setattr("pixazo_cli.flow.preflight.datetime", FrozenDatetime)
    serve_sdxl(httpx_mock, name="one.png")
    serve_sdxl(httpx_mock, content=PNG2, name="two.png")
    first = run("sdxl", "a fox")
    second = run("sdxl", "a fox")
    ok(first)
    ok(second)
    assert first.stdout != second.stdout
    assert same_image(isolated / first.stdout.strip(), PNG)
    assert same_image(isolated / second.stdout.strip(), PNG2)
    assert len(list(isolated.iterdir())) == 2


def test_default_name_carries_model_and_prompt_slug(
        httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    result = run("sdxl", "A Fox, in the Snow!")
    ok(result)
    name = result.stdout.strip()
    assert name.startswith("sdxl-")
    assert "a-fox-in-the-snow" in name


def test_name_template_placeholders_are_filled(httpx_mock: HTTPXMock, key: str,
                                               isolated: Path) -> None:
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox", "--seed", "4", "--name", "{model}-{seed}-{index}.{ext}")
    ok(result)
    assert result.stdout == "sdxl-4-1.png\n"
    assert same_image(isolated / "sdxl-4-1.png", PNG)


def test_configured_name_template_is_used(httpx_mock: HTTPXMock, key: str) -> None:
    ok(run("config", "set", "name", "{model}-{index}.{ext}"))
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox")
    ok(result)
    assert result.stdout == "sdxl-1.png\n"


def test_request_id_from_the_gateway_cannot_escape_the_output_folder(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    queue(httpx_mock, request_id="../../escape")
    httpx_mock.add_response(
        method="GET", url=httpx.URL(GATEWAY + "/v2/requests/status/..%2F..%2Fescape"),
        json={"status": "COMPLETED", "output": {"media_url": [f"{CDN}/e.png"]}})
    httpx_mock.add_response(method="GET", url=f"{CDN}/e.png", content=PNG)
    result = run("nucleus", "a fox", "--name", "{request_id}.{ext}")
    ok(result)
    [saved] = list(isolated.iterdir())
    assert same_image(saved, PNG)
    assert "/" not in saved.name


def test_quiet_still_reports_errors(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}{SDXL_PATH}", status_code=402)
    result = run("--quiet", "sdxl", "a fox")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


def test_config_set_names_the_models_settings_for_an_unknown_one() -> None:
    result = run("config", "set", "sdxl.bogus", "1")
    assert result.exit_code == 2
    assert "sdxl has no setting 'bogus'" in result.stderr and "steps" in result.stderr


@pytest.mark.parametrize(("key_name", "value"), [("timeout", "nan"), ("max_download_mb", "inf"),
                                                 ("base_url", "http://[::1")])
def test_config_refuses_values_that_would_break_every_command(key_name: str, value: str) -> None:
    assert run("config", "set", key_name, value).exit_code == 2


@pytest.mark.parametrize("line", ['name = 5', 'base_url = 5', 'output_dir = ["a"]'])
def test_a_config_value_of_the_wrong_type_is_a_clear_error(line: str, key: str) -> None:
    path = Path(run("config", "path").stdout.strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(line + "\n")
    result = run("sdxl", "x", "--dry-run")
    assert result.exit_code == 2 and line.split(" ")[0] in result.stderr


def test_config_get_and_list_show_escape_codes_in_the_file_as_escapes() -> None:
    # OSC 52 writes the clipboard; a line opening with :: would be a GitHub workflow command.
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('name = "\\u001b]52;c;ZXZpbA==\\u0007{prompt}"\n'
                             'output_dir = "::stop-commands::x"\n')
    for command in (("config", "get", "name"), ("config", "list")):
        result = run(*command)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\\x1b]52" in result.stdout
