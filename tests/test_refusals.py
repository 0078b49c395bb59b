"""Refusals: every invalid invocation stops before anything is sent (exit 2 for usage errors,
8 for a file that is already there), says why on stderr, and leaves stdout empty.

No response is registered in these tests: pytest-httpx would answer any request the CLI made
with an error, and the explicit `get_requests() == []` says what is meant."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from pixazo_cli.sandbox import Sandbox
from tests.conftest import CDN, GATEWAY, JPEG, PNG, run, same_image

# A request the CLI should not have made gets an error from pytest-httpx; the explicit
# `get_requests() == []` in assert_refused is the check, so no second report at teardown.
NOTHING_EXPECTED = pytest.mark.httpx_mock(assert_all_requests_were_expected=False)


def assert_refused(result, httpx_mock: HTTPXMock, code: int = 2) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert httpx_mock.get_requests() == []
    assert result.stdout == ""
    assert result.stderr.strip(), "a refusal says why"
    assert "Traceback" not in result.stderr


# --- a flag the model does not take -----------------------------------------------------------

@pytest.mark.parametrize(("model", "flag", "value", "takers"), [
    ("nucleus", "--seed", "3", ["sdxl", "lightning", "inpaint"]),
    ("sdxl", "--aspect-ratio", "16:9", ["nucleus", "sd35", "sd3"]),
    ("sd35", "--negative-prompt", "blur", ["nucleus", "sd3", "sdxl", "lightning", "inpaint"]),
    ("sd3", "--width", "1024", ["sdxl", "lightning", "inpaint"]),
    ("sdxl", "--format", "png", ["nucleus", "sd35", "sd3"]),
    ("lightning", "--image-url", "https://example.com/a.png", ["inpaint"]),
    ("sd3", "--num-images", "2", ["nucleus"]),
    ("sdxl", "--webhook-url", "https://hooks.example.com/x", ["nucleus"]),
])
def test_flag_the_model_does_not_take_is_refused_naming_the_models_that_do(
        httpx_mock: HTTPXMock, key: str, model: str, flag: str, value: str,
        takers: list[str]) -> None:
    result = run(model, "a fox", flag, value)
    assert_refused(result, httpx_mock)
    assert flag in result.stderr
    for taker in takers:
        assert taker in result.stderr


@pytest.mark.parametrize("model", ["sd35", "sd3", "sdxl", "nucleus"])
def test_stream_is_refused_for_models_without_a_stream_endpoint(
        httpx_mock: HTTPXMock, key: str, model: str) -> None:
    assert_refused(run(model, "a fox", "--stream"), httpx_mock)


# --- range edges just outside ------------------------------------------------------------------

@pytest.mark.parametrize(("model", "flag", "value"), [
    ("sdxl", "--width", "511"),
    ("sdxl", "--width", "1537"),
    ("sdxl", "--height", "511"),
    ("sdxl", "--height", "1537"),
    ("sdxl", "--steps", "21"),
    ("sdxl", "--steps", "0"),
    ("sdxl", "--guidance", "16"),
    ("sdxl", "--guidance", "0"),
    ("sd3", "--steps", "29"),
    ("sd3", "--steps", "0"),
    ("sd3", "--guidance", "20.5"),
    ("sd3", "--guidance", "-0.5"),
    ("sd3", "--quality", "101"),
    ("sd3", "--prompt-strength", "1.01"),
    ("sd35", "--steps", "19"),
    ("sd35", "--steps", "101"),
    ("sd35", "--quality", "101"),
    ("sd35", "--quality", "-1"),
    ("sd35", "--prompt-strength", "1.5"),
    ("sd35", "--prompt-strength", "-0.1"),
    ("nucleus", "--num-images", "0"),
])
def test_value_just_outside_the_documented_range_is_refused(
        httpx_mock: HTTPXMock, key: str, model: str, flag: str, value: str) -> None:
    result = run(model, "a fox", flag, value)
    assert_refused(result, httpx_mock)
    assert flag in result.stderr


@pytest.mark.parametrize("value", ["7.5", "seven"])
def test_sdxl_guidance_must_be_a_whole_number(
        httpx_mock: HTTPXMock, key: str, value: str) -> None:
    assert_refused(run("sdxl", "a fox", "--guidance", value), httpx_mock)


# --- bad values --------------------------------------------------------------------------------

@pytest.mark.parametrize("prompt", ["", "   ", " \t \n "])
def test_empty_or_blank_prompt_is_refused(httpx_mock: HTTPXMock, key: str, prompt: str) -> None:
    result = run("sdxl", prompt)
    assert_refused(result, httpx_mock)
    assert "prompt" in result.stderr.lower()


def test_blank_prompt_from_stdin_is_refused(httpx_mock: HTTPXMock, key: str) -> None:
    assert_refused(run("sdxl", "-", input="  \n"), httpx_mock)


@NOTHING_EXPECTED
@pytest.mark.parametrize("url", [
    "http://hooks.example.com/x",
    "http://127.0.0.1.attacker.example/hook",
])
def test_plain_http_webhook_is_refused(httpx_mock: HTTPXMock, key: str, url: str) -> None:
    result = run("nucleus", "a fox", "--webhook-url", url)
    assert_refused(result, httpx_mock)
    assert "https" in result.stderr


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/x", "hooks.example.com/x", "https://"])
def test_webhook_that_is_not_an_https_url_is_refused(
        httpx_mock: HTTPXMock, key: str, url: str) -> None:
    assert_refused(run("nucleus", "a fox", "--webhook-url", url), httpx_mock)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/hook", "http://localhost:9000/hook"])
def test_plain_http_webhook_to_loopback_is_accepted(
        httpx_mock: HTTPXMock, key: str, url: str) -> None:
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}/nucleus-image/v1/nucleus-image-request",
                            status_code=202, json={"request_id": "req-1", "status": "QUEUED"})
    result = run("nucleus", "a fox", "--webhook-url", url, "--no-wait")
    assert result.exit_code == 0, result.stderr
    [post] = httpx_mock.get_requests()
    assert post.headers["X-Webhook-URL"] == url


def test_unknown_webhook_mode_is_refused(httpx_mock: HTTPXMock, key: str) -> None:
    result = run("nucleus", "a fox", "--webhook-url", "https://hooks.example.com/x",
                 "--webhook-mode", "often")
    assert_refused(result, httpx_mock)
    assert "terminal" in result.stderr and "sync" in result.stderr


def test_nucleus_refuses_webp(httpx_mock: HTTPXMock, key: str) -> None:
    result = run("nucleus", "a fox", "--format", "webp")
    assert_refused(result, httpx_mock)
    assert "png" in result.stderr and "jpg" in result.stderr


@pytest.mark.parametrize("model", ["sd35", "sd3"])
def test_sd_models_refuse_an_unknown_format(httpx_mock: HTTPXMock, key: str, model: str) -> None:
    assert_refused(run(model, "a fox", "--format", "gif"), httpx_mock)


@pytest.mark.parametrize("ratio", ["16x9", "16:", ":9", "0:1", "16:9:1", "1.5:1", "wide"])
def test_bad_aspect_ratio_is_refused(httpx_mock: HTTPXMock, key: str, ratio: str) -> None:
    result = run("sd3", "a fox", "--aspect-ratio", ratio)
    assert_refused(result, httpx_mock)
    assert "--aspect-ratio" in result.stderr


@pytest.mark.parametrize(("model", "value"), [
    ("sd3", "nan"), ("sd3", "inf"), ("nucleus", "nan"), ("sd35", "-inf"),
])
def test_guidance_that_is_not_a_finite_number_is_refused(
        httpx_mock: HTTPXMock, key: str, model: str, value: str) -> None:
    result = run(model, "a fox", "--guidance", value)
    assert_refused(result, httpx_mock)
    assert "--guidance" in result.stderr


@pytest.mark.parametrize("url", ["dog.png", "file:///tmp/dog.png", "https://"])
def test_inpaint_image_url_must_be_an_http_url(httpx_mock: HTTPXMock, key: str, url: str) -> None:
    assert_refused(run("inpaint", "a lion", "--image-url", url), httpx_mock)


@pytest.mark.parametrize("pair", ["noequals", "=value"])
def test_param_without_a_key_is_refused(httpx_mock: HTTPXMock, key: str, pair: str) -> None:
    result = run("sdxl", "a fox", "--param", pair)
    assert_refused(result, httpx_mock)
    assert "--param" in result.stderr


@pytest.mark.parametrize("template", ["{nope}.{ext}", "{model}-{colour}.png"])
def test_unknown_name_placeholder_is_refused(
        httpx_mock: HTTPXMock, key: str, template: str) -> None:
    result = run("sdxl", "a fox", "--name", template)
    assert_refused(result, httpx_mock)
    assert "placeholder" in result.stderr


@pytest.mark.parametrize("template", ["sub/{index}.{ext}", "..", "{model"])
def test_name_that_is_not_a_plain_file_name_template_is_refused(
        httpx_mock: HTTPXMock, key: str, template: str) -> None:
    assert_refused(run("sdxl", "a fox", "--name", template), httpx_mock)


@pytest.mark.parametrize("args", [
    ["--verbose", "--quiet", "sdxl", "a fox"],
    ["sdxl", "a fox", "--verbose", "--quiet"],
    ["-v", "sdxl", "a fox", "-q"],
])
def test_verbose_and_quiet_together_are_refused(
        httpx_mock: HTTPXMock, key: str, args: list[str]) -> None:
    result = run(*args)
    assert_refused(result, httpx_mock)
    assert "--verbose" in result.stderr and "--quiet" in result.stderr


@NOTHING_EXPECTED
@pytest.mark.parametrize("base_url", [
    "http://gateway.example.com",
    "http://127.0.0.1.attacker.example",
    "http://127.evil.example",
    "ftp://gateway.pixazo.ai",
])
def test_base_url_that_is_not_https_or_loopback_is_refused_before_the_key_is_sent(
        httpx_mock: HTTPXMock, key: str, base_url: str) -> None:
    result = run("--base-url", base_url, "sdxl", "a fox")
    assert_refused(result, httpx_mock)
    assert key not in result.stderr


@pytest.mark.parametrize("base_url", [
    "http://127.0.0.1:8787", "http://localhost:8787", "http://[::1]:8787",
])
def test_plain_http_base_url_to_this_machine_is_accepted(
        httpx_mock: HTTPXMock, key: str, base_url: str) -> None:
    httpx_mock.add_response(method="POST", url=f"{base_url}/getImage/v1/getSDXLImage",
                            json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG)
    result = run("--base-url", base_url, "sdxl", "a fox")
    assert result.exit_code == 0, result.stderr


# --- existing files ----------------------------------------------------------------------------

def test_existing_file_with_explicit_name_stops_before_the_request(
        httpx_mock: HTTPXMock, key: str, isolated) -> None:
    (isolated / "fox-1.png").write_bytes(b"mine")
    result = run("sdxl", "a fox", "--name", "fox-{index}.{ext}")
    assert_refused(result, httpx_mock, code=8)
    assert "fox-1.png" in result.stderr
    assert "--overwrite" in result.stderr
    assert (isolated / "fox-1.png").read_bytes() == b"mine"


def test_existing_file_for_a_later_image_of_the_request_also_stops_it(
        httpx_mock: HTTPXMock, key: str, isolated) -> None:
    (isolated / "fox-2.png").write_bytes(b"mine")
    result = run("nucleus", "a fox", "--num-images", "2", "--name", "fox-{index}.{ext}")
    assert_refused(result, httpx_mock, code=8)
    assert (isolated / "fox-2.png").read_bytes() == b"mine"


def test_existing_file_in_out_dir_stops_before_the_request(
        httpx_mock: HTTPXMock, key: str, isolated) -> None:
    out = isolated / "shots"
    out.mkdir()
    (out / "fox.webp").write_bytes(b"mine")
    assert_refused(run("sd35", "a fox", "-d", str(out), "--name", "fox.{ext}"), httpx_mock,
                   code=8)


def test_overwrite_replaces_the_existing_file(
        httpx_mock: HTTPXMock, key: str, isolated) -> None:
    (isolated / "fox-1.png").write_bytes(b"mine")
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}/getImage/v1/getSDXLImage",
                            json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG)
    result = run("sdxl", "a fox", "--name", "fox-{index}.{ext}", "--overwrite")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "fox-1.png"
    assert same_image(isolated / "fox-1.png", PNG)
    assert sorted(p.name for p in isolated.iterdir()) == ["fox-1.png"]


def test_explicit_name_taken_by_the_real_extension_is_not_replaced(
        httpx_mock: HTTPXMock, key: str, isolated) -> None:
    """The CDN sends a JPEG where a PNG was expected: the taken .jpg name is still safe."""
    (isolated / "fox-1.jpg").write_bytes(b"mine")
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}/getImage/v1/getSDXLImage",
                            json={"imageUrl": f"{CDN}/a.jpg"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.jpg", content=JPEG)
    result = run("sdxl", "a fox", "--name", "fox-{index}.{ext}")
    assert result.exit_code == 8, result.stderr
    assert result.stdout == ""
    assert (isolated / "fox-1.jpg").read_bytes() == b"mine"
    assert sorted(p.name for p in isolated.iterdir()) == ["fox-1.jpg"]


def test_refusal_leaves_no_config_or_output_behind(httpx_mock: HTTPXMock, key: str,
                                                    isolated) -> None:
    assert_refused(run("sdxl", "a fox", "--steps", "21"), httpx_mock)
    assert list(isolated.iterdir()) == []


def test_a_name_with_a_format_spec_is_refused_before_paying(gateway: Sandbox) -> None:
    result = run("sdxl", "x", "--seed", "1", "--name", "{seed:05d}-{request_id}.{ext}")
    assert result.exit_code == 2 and "format" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_overwrite_onto_a_folder_is_a_save_error_without_leftovers(gateway: Sandbox,
                                                                   isolated: Path) -> None:
    (isolated / "taken.png").mkdir()
    result = run("sdxl", "x", "--name", "taken.{ext}", "--overwrite")
    assert result.exit_code == 8
    assert sorted(p.name for p in isolated.iterdir()) == ["taken.png"]
