"""What goes on the wire: for each model, the exact endpoint, headers and JSON body that a
given invocation produces. Each body is compared as a whole dict, so a stray or missing field
fails the test."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from pixazo_cli.models.table import MODELS
from pixazo_cli.sandbox import Sandbox
from tests.conftest import CDN, GATEWAY, KEY, PICKED_SEED, PNG, run

NUCLEUS_PATH = "/nucleus-image/v1/nucleus-image-request"
STATUS_PATH = "/v2/requests/status/{}"
SYNC_PATHS = {
    "sd35": "/sd3-5/v1/r-sd-3-5-large",
    "sd3": "/sd3/v1/getData",
    "sdxl": "/getImage/v1/getSDXLImage",
    "lightning": "/sdxl_lightning/getImage/v1/getSDXLImage",
    "inpaint": "/inpainting/v1/getImage",
}
STREAM_PATHS = {
    "lightning": "/sdxl_lightning/getImage/v1/getSDXLImageStream",
    "inpaint": "/inpainting/v1/getImageStream",
}
URL_FIELD = {"sd35": "output", "sd3": "output", "sdxl": "imageUrl", "lightning": "imageUrl",
             "inpaint": "imageUrl"}
SD35_DEFAULTS = {"aspect_ratio": "1:1", "cfg": 4.5, "steps": 40, "output_format": "webp",
                 "output_quality": 90, "prompt_strength": 0.85}


# --- helpers ---------------------------------------------------------------------------------

def picked(model: str) -> dict[str, int]:
    """A model that takes a seed is always sent one; the tool's pick is pinned in conftest."""
    return {"seed": PICKED_SEED} if MODELS[model].seed_field else {}


def serve_sync(httpx_mock: HTTPXMock, model: str, path: str | None = None) -> None:
    """The gateway answers a sync model with one URL; the CDN serves a PNG there."""
    reply: dict[str, Any] = {URL_FIELD[model]: f"{CDN}/{model}.png"}
    if model == "sd35":
        reply.update(id="sd35-job", status="succeeded")
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}{path or SYNC_PATHS[model]}",
                            json=reply)
    httpx_mock.add_response(method="GET", url=f"{CDN}/{model}.png", content=PNG)


def serve_nucleus(httpx_mock: HTTPXMock, images: int = 1, request_id: str = "req-1") -> None:
    """Queued, then COMPLETED on the first poll, with `images` URLs on the CDN."""
    urls = [f"{CDN}/nucleus-{i}.png" for i in range(1, images + 1)]
    httpx_mock.add_response(
        method="POST", url=f"{GATEWAY}{NUCLEUS_PATH}", status_code=202,
        json={"request_id": request_id, "status": "QUEUED",
              "polling_url": f"{GATEWAY}{STATUS_PATH.format(request_id)}"})
    httpx_mock.add_response(
        method="GET", url=f"{GATEWAY}{STATUS_PATH.format(request_id)}",
        json={"request_id": request_id, "status": "COMPLETED", "error": None,
              "output": {"media_url": urls, "media_type": "image/png"}})
    for url in urls:
        httpx_mock.add_response(method="GET", url=url, content=PNG)


def the_post(httpx_mock: HTTPXMock) -> httpx.Request:
    posts = [r for r in httpx_mock.get_requests() if r.method == "POST"]
    assert len(posts) == 1, posts
    return posts[0]


def body_of(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)


def assert_gateway_headers(request: httpx.Request) -> None:
    assert request.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Cache-Control"] == "no-cache"


def ok(result: Any) -> None:
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr


# --- each model: minimal and every-flag invocations ---------------------------------------------

SYNC_CASES = [
    pytest.param("sd35", ["a fox"], {"prompt": "a fox", **SD35_DEFAULTS}, id="sd35-minimal"),
    pytest.param(
        "sd35",
        ["a fox", "--aspect-ratio", "3:2", "--guidance", "6.5", "--steps", "60",
         "--format", "png", "--quality", "75", "--prompt-strength", "0.5"],
        {"prompt": "a fox", "aspect_ratio": "3:2", "cfg": 6.5, "steps": 60,
         "output_format": "png", "output_quality": 75, "prompt_strength": 0.5},
        id="sd35-every-flag"),
    pytest.param("sd3", ["a fox"], {"prompt": "a fox"}, id="sd3-minimal"),
    pytest.param(
        "sd3",
        ["a fox", "--negative-prompt", "blur", "--steps", "20", "--guidance", "7.5",
         "--aspect-ratio", "16:9", "--format", "jpg", "--quality", "80",
         "--prompt-strength", "0.6"],
        {"prompt": "a fox", "negativePrompt": "blur", "steps": 20, "cfg": 7.5,
         "aspect_ratio": "16:9", "output_format": "jpg", "output_quality": 80,
         "prompt_strength": 0.6},
        id="sd3-every-flag"),
    pytest.param("sdxl", ["a fox"], {"prompt": "a fox", "seed": PICKED_SEED}, id="sdxl-minimal"),
    pytest.param(
        "sdxl",
        ["a fox", "--negative-prompt", "blur", "--width", "1280", "--height", "720",
         "--steps", "12", "--guidance", "7", "--seed", "42"],
        {"prompt": "a fox", "negative_prompt": "blur", "width": 1280, "height": 720,
         "num_steps": 12, "guidance_scale": 7, "seed": 42},
        id="sdxl-every-flag"),
    pytest.param("lightning", ["a fox"], {"prompt": "a fox", "seed": PICKED_SEED},
                 id="lightning-minimal"),
    pytest.param(
        "lightning",
        ["a fox", "--negative-prompt", "blur", "--width", "1024", "--height", "768",
         "--steps", "4", "--guidance", "1", "--seed", "7"],
        {"prompt": "a fox", "negativePrompt": "blur", "width": 1024, "height": 768,
         "num_steps": 4, "guidance": 1, "seed": 7},
        id="lightning-every-flag"),
    pytest.param("inpaint", ["a lion"], {"prompt": "a lion", "seed": PICKED_SEED},
                 id="inpaint-minimal"),
    pytest.param(
        "inpaint",
        ["a lion", "--negative-prompt", "blur", "--image-url", "https://example.com/dog.png",
         "--mask-url", "https://example.com/dog-mask.png", "--width", "512", "--height", "512",
         "--steps", "20", "--guidance", "7", "--seed", "3"],
        {"prompt": "a lion", "negativePrompt": "blur", "imageUrl": "https://example.com/dog.png",
         "maskUrl": "https://example.com/dog-mask.png", "width": 512, "height": 512,
         "num_steps": 20, "guidance": 7, "seed": 3},
        id="inpaint-every-flag"),
]


@pytest.mark.parametrize(("model", "args", "expected"), SYNC_CASES)
def test_sync_model_posts_exactly_this_body_to_its_endpoint(
        httpx_mock: HTTPXMock, key: str, model: str, args: list[str],
        expected: dict[str, Any]) -> None:
    serve_sync(httpx_mock, model)
    result = run(model, *args)
    ok(result)
    post = the_post(httpx_mock)
    assert post.url == f"{GATEWAY}{SYNC_PATHS[model]}"
    assert_gateway_headers(post)
    assert "X-Webhook-URL" not in post.headers
    assert body_of(post) == expected


@pytest.mark.parametrize("model", ["lightning", "inpaint"])
def test_stream_flag_posts_the_same_body_to_the_stream_endpoint(
        httpx_mock: HTTPXMock, key: str, model: str) -> None:
    serve_sync(httpx_mock, model, path=STREAM_PATHS[model])
    ok(run(model, "a fox", "--seed", "5", "--stream"))
    post = the_post(httpx_mock)
    assert post.url == f"{GATEWAY}{STREAM_PATHS[model]}"
    assert_gateway_headers(post)
    assert body_of(post) == {"prompt": "a fox", "seed": 5}


def test_nucleus_minimal_posts_only_the_prompt(httpx_mock: HTTPXMock, key: str) -> None:
    serve_nucleus(httpx_mock)
    ok(run("nucleus", "a lighthouse"))
    post = the_post(httpx_mock)
    assert post.url == f"{GATEWAY}{NUCLEUS_PATH}"
    assert_gateway_headers(post)
    assert "X-Webhook-URL" not in post.headers
    assert "X-Webhook-Mode" not in post.headers
    assert body_of(post) == {"prompt": "a lighthouse"}


def test_nucleus_every_flag_maps_to_its_fields_and_webhook_goes_in_headers(
        httpx_mock: HTTPXMock, key: str) -> None:
    serve_nucleus(httpx_mock, images=2)
    result = run("nucleus", "a lighthouse", "--negative-prompt", "blurry",
                 "--aspect-ratio", "16:9", "--steps", "30", "--guidance", "7.5",
                 "--num-images", "2", "--no-safety-checker", "--format", "jpg",
                 "--webhook-url", "https://hooks.example.com/pixazo",
                 "--webhook-mode", "sync")
    ok(result)
    post = the_post(httpx_mock)
    assert post.url == f"{GATEWAY}{NUCLEUS_PATH}"
    assert_gateway_headers(post)
    assert post.headers["X-Webhook-URL"] == "https://hooks.example.com/pixazo"
    assert post.headers["X-Webhook-Mode"] == "sync"
    assert body_of(post) == {
        "prompt": "a lighthouse", "negative_prompt": "blurry", "aspect_ratio": "16:9",
        "num_inference_steps": 30, "guidance_scale": 7.5, "num_images": 2,
        "enable_safety_checker": False, "output_format": "jpg",
    }
    assert len(result.stdout.split()) == 2  # both images saved


def test_nucleus_safety_checker_flag_sends_true(httpx_mock: HTTPXMock, key: str) -> None:
    serve_nucleus(httpx_mock)
    ok(run("nucleus", "a lighthouse", "--safety-checker"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a lighthouse",
                                             "enable_safety_checker": True}


# --- sd35's required fields ----------------------------------------------------------------------

@pytest.mark.parametrize(("flag", "value", "field", "sent"), [
    ("--aspect-ratio", "9:16", "aspect_ratio", "9:16"),
    ("--guidance", "3", "cfg", 3.0),
    ("--steps", "25", "steps", 25),
    ("--format", "jpeg", "output_format", "jpeg"),
    ("--quality", "0", "output_quality", 0),
    ("--prompt-strength", "1", "prompt_strength", 1.0),
])
def test_sd35_flag_overrides_just_its_own_default(
        httpx_mock: HTTPXMock, key: str, flag: str, value: str, field: str, sent: Any) -> None:
    serve_sync(httpx_mock, "sd35")
    ok(run("sd35", "a fox", flag, value))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", **SD35_DEFAULTS, field: sent}


# --- range edges just inside are accepted --------------------------------------------------------

@pytest.mark.parametrize(("model", "flag", "value", "field", "sent"), [
    ("sdxl", "--width", "512", "width", 512),
    ("sdxl", "--width", "1536", "width", 1536),
    ("sdxl", "--height", "512", "height", 512),
    ("sdxl", "--height", "1536", "height", 1536),
    ("sdxl", "--steps", "1", "num_steps", 1),
    ("sdxl", "--steps", "20", "num_steps", 20),
    ("sdxl", "--guidance", "1", "guidance_scale", 1),
    ("sdxl", "--guidance", "15", "guidance_scale", 15),
    ("sd3", "--steps", "28", "steps", 28),
    ("sd3", "--guidance", "20", "cfg", 20.0),
    ("sd3", "--guidance", "0", "cfg", 0.0),
    ("sd3", "--quality", "100", "output_quality", 100),
    ("sd3", "--prompt-strength", "0", "prompt_strength", 0.0),
])
def test_value_on_the_documented_range_edge_is_sent(
        httpx_mock: HTTPXMock, key: str, model: str, flag: str, value: str, field: str,
        sent: Any) -> None:
    serve_sync(httpx_mock, model)
    ok(run(model, "a fox", flag, value))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", **picked(model), field: sent}


@pytest.mark.parametrize(("flag", "value", "field", "sent"), [
    ("--steps", "20", "steps", 20),
    ("--steps", "100", "steps", 100),
    ("--quality", "100", "output_quality", 100),
    ("--prompt-strength", "0", "prompt_strength", 0.0),
])
def test_sd35_value_on_the_range_edge_is_sent(
        httpx_mock: HTTPXMock, key: str, flag: str, value: str, field: str, sent: Any) -> None:
    serve_sync(httpx_mock, "sd35")
    ok(run("sd35", "a fox", flag, value))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", **SD35_DEFAULTS, field: sent}


# --- --param -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("pair", "key_", "value"), [
    ("tiling=true", "tiling", True),
    ("tiling=false", "tiling", False),
    ("batch=3", "batch", 3),
    ("scale=0.25", "scale", 0.25),
    ('lora={"name": "ink", "weight": [1, 2]}', "lora", {"name": "ink", "weight": [1, 2]}),
    ("scheduler=euler", "scheduler", "euler"),
    ("expr=a=b", "expr", "a=b"),
    ('quoted="12"', "quoted", "12"),
    ("nothing=null", "nothing", None),
])
def test_param_value_is_json_when_it_parses_else_the_text(
        httpx_mock: HTTPXMock, key: str, pair: str, key_: str, value: Any) -> None:
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "a fox", "--param", pair))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", "seed": PICKED_SEED, key_: value}


def test_param_is_repeatable(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "a fox", "--param", "a=1", "--param", "b=two", "--param", "c=true"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", "seed": PICKED_SEED, "a": 1,
                                             "b": "two", "c": True}


def test_param_overrides_the_field_a_flag_set(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "a fox", "--steps", "10", "--param", "num_steps=15"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", "seed": PICKED_SEED,
                                             "num_steps": 15}


def test_param_overrides_an_sd35_default(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sync(httpx_mock, "sd35")
    ok(run("sd35", "a fox", "--param", "output_format=png"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", **SD35_DEFAULTS,
                                             "output_format": "png"}


# --- the prompt from stdin -----------------------------------------------------------------------

@pytest.mark.parametrize("prompt", [
    'a "quoted" fox, it\'s café ☕ — 猫 🦊',
    "line one\n  line two with \\backslash and \ttab",
    "  leading and trailing spaces  ",
])
def test_dash_prompt_is_read_from_stdin_unchanged(
        httpx_mock: HTTPXMock, key: str, prompt: str) -> None:
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "-", input=prompt + "\n"))
    assert body_of(the_post(httpx_mock)) == {"prompt": prompt, "seed": PICKED_SEED}


def test_dash_prompt_without_trailing_newline_is_kept_whole(
        httpx_mock: HTTPXMock, key: str) -> None:
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "-", input="ünïcode “curly” quotes"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "ünïcode “curly” quotes",
                                             "seed": PICKED_SEED}


def test_stdin_prompt_goes_out_as_utf8_json(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "-", input="café 🦊\n"))
    post = the_post(httpx_mock)
    assert json.loads(post.content.decode("utf-8"))["prompt"] == "café 🦊"


# --- per-model defaults from the config file -----------------------------------------------------

def test_configured_model_default_is_sent(httpx_mock: HTTPXMock, key: str) -> None:
    assert run("config", "set", "sdxl.steps", "12").exit_code == 0
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "a fox"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", "seed": PICKED_SEED,
                                             "num_steps": 12}


def test_flag_beats_the_configured_model_default(httpx_mock: HTTPXMock, key: str) -> None:
    assert run("config", "set", "sdxl.steps", "12").exit_code == 0
    serve_sync(httpx_mock, "sdxl")
    ok(run("sdxl", "a fox", "--steps", "5"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", "seed": PICKED_SEED,
                                             "num_steps": 5}


def test_configured_default_applies_only_to_its_model(httpx_mock: HTTPXMock, key: str) -> None:
    assert run("config", "set", "sdxl.steps", "12").exit_code == 0
    serve_sync(httpx_mock, "lightning")
    ok(run("lightning", "a fox"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", "seed": PICKED_SEED}


def test_configured_sd35_default_replaces_the_built_in_one(
        httpx_mock: HTTPXMock, key: str) -> None:
    assert run("config", "set", "sd35.steps", "60").exit_code == 0
    serve_sync(httpx_mock, "sd35")
    ok(run("sd35", "a fox"))
    assert body_of(the_post(httpx_mock)) == {"prompt": "a fox", **SD35_DEFAULTS, "steps": 60}


def test_nan_in_a_param_is_sent_as_text(gateway: Sandbox) -> None:
    shown = run("sdxl", "x", "--param", "note=NaN", "--dry-run", "--json").json()
    assert shown["body"]["note"] == "NaN"
