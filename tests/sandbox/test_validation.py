"""Bodies the gateway refuses with 400, naming the field; and bodies it must accept."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sandbox.schema import ENDPOINTS
from pixazo_cli.sandbox.validate import ValidationError, parse_body, validate

from .support import (
    AUTH,
    INPAINT,
    INPAINT_STREAM,
    LIGHTNING,
    NUCLEUS,
    SD3,
    SD35,
    SD35_BODY,
    SDXL,
    post,
)

REFUSED = [
    (NUCLEUS, {"prompt": "x", "colour": "red"}, "colour"),
    (NUCLEUS, {"prompt": "x", "num_images": 0}, "num_images"),
    (NUCLEUS, {"prompt": "x", "num_images": 0}, "num_images"),
    (NUCLEUS, {"prompt": "x", "num_images": True}, "num_images"),
    (NUCLEUS, {"prompt": "x", "num_inference_steps": 4.5}, "num_inference_steps"),
    (NUCLEUS, {"prompt": "x", "guidance_scale": "8"}, "guidance_scale"),
    (NUCLEUS, {"prompt": "x", "enable_safety_checker": 1}, "enable_safety_checker"),
    (NUCLEUS, {"prompt": "x", "output_format": "webp"}, "output_format"),
    (NUCLEUS, {"prompt": "x", "aspect_ratio": "16x9"}, "aspect_ratio"),
    (NUCLEUS, {"prompt": "x", "aspect_ratio": "0:1"}, "aspect_ratio"),
    (NUCLEUS, {"prompt": "x", "negative_prompt": None}, "negative_prompt"),
    (NUCLEUS, {}, "prompt"),
    (NUCLEUS, {"prompt": ""}, "prompt"),
    (NUCLEUS, {"prompt": "   "}, "prompt"),
    (NUCLEUS, {"prompt": 7}, "prompt"),
    (SD35, {**SD35_BODY, "steps": 19}, "steps"),
    (SD35, {**SD35_BODY, "steps": 101}, "steps"),
    (SD35, {**SD35_BODY, "output_quality": 101}, "output_quality"),
    (SD35, {**SD35_BODY, "prompt_strength": 1.5}, "prompt_strength"),
    (SD35, {**SD35_BODY, "negative_prompt": "blur"}, "negative_prompt"),
    (SD3, {"prompt": "x", "steps": 29}, "steps"),
    (SD3, {"prompt": "x", "cfg": 20.5}, "cfg"),
    (SD3, {"prompt": "x", "negative_prompt": "blur"}, "negative_prompt"),
    (SD3, {"prompt": "x", "output_format": "gif"}, "output_format"),
    (SDXL, {"prompt": "x", "width": 511}, "width"),
    (SDXL, {"prompt": "x", "height": 1537}, "height"),
    (SDXL, {"prompt": "x", "num_steps": 21}, "num_steps"),
    (SDXL, {"prompt": "x", "guidance_scale": 7.5}, "guidance_scale"),
    (SDXL, {"prompt": "x", "negativePrompt": "blur"}, "negativePrompt"),
    (SDXL, {"prompt": "x", "seed": "40"}, "seed"),
    (LIGHTNING, {"prompt": "x", "width": 2049}, "width"),
    (LIGHTNING, {"prompt": "x", "guidance_scale": 5}, "guidance_scale"),
    (LIGHTNING, {"prompt": "x", "negative_prompt": "blur"}, "negative_prompt"),
    (INPAINT, {"prompt": "x", "imageUrl": 3}, "imageUrl"),
]


@pytest.mark.parametrize(("path", "body", "field"), REFUSED)
def test_refused_with_400_naming_the_field(
    sandbox: Sandbox, path: str, body: dict[str, Any], field: str
) -> None:
    response = post(sandbox.base_url, path, body)
    assert response.status_code == 400
    reply = response.json()
    assert reply["error"] == "Bad Request"
    assert f"'{field}'" in reply["message"]


@pytest.mark.parametrize("missing", [name for name in SD35_BODY if name != "prompt"])
def test_sd35_requires_all_seven_fields(sandbox: Sandbox, missing: str) -> None:
    body = {name: value for name, value in SD35_BODY.items() if name != missing}
    response = post(sandbox.base_url, SD35, body)
    assert response.status_code == 400
    assert response.json()["message"] == f"Missing required field '{missing}'"


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"prompt"', b'{"prompt": NaN}'])
def test_body_must_be_a_json_object(sandbox: Sandbox, raw: bytes) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = requests.post(sandbox.base_url + NUCLEUS, data=raw, headers=headers, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"


ACCEPTED = [
    (NUCLEUS, {"prompt": "x", "guidance_scale": 8}),  # an int where a number is expected
    (NUCLEUS, {"prompt": "x", "num_inference_steps": 30.0}),  # JSON cannot tell 30.0 from 30
    (NUCLEUS, {"prompt": "x", "aspect_ratio": "21:9", "output_format": "jpg"}),
    (SD35, {**SD35_BODY, "cfg": 5, "output_format": "jpeg"}),
    (SD3, {"prompt": "x", "cfg": 0, "steps": 1, "output_quality": 0, "prompt_strength": 1}),
    (SDXL, {"prompt": "x", "width": 512, "height": 1536, "seed": -3}),
    (LIGHTNING, {"prompt": "x", "width": 256, "height": 2048, "guidance": 5, "num_steps": 4}),
    # The vendor's inpainting table says negativePrompt; its own example sends negative_prompt.
    (INPAINT, {"prompt": "x", "negativePrompt": "watermark"}),
    (INPAINT, {"prompt": "x", "negative_prompt": "watermark"}),
    (INPAINT_STREAM, {"prompt": "x", "imageUrl": "https://a/b.png", "maskUrl": "https://a/m.png"}),
]


@pytest.mark.parametrize(("path", "body"), ACCEPTED)
def test_accepted(sandbox: Sandbox, path: str, body: dict[str, Any]) -> None:
    response = post(sandbox.base_url, path, body)
    assert response.status_code in (200, 202), response.text


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_body_must_be_sent_as_json(sandbox: Sandbox, content_type: str | None) -> None:
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    url = sandbox.base_url + SDXL
    response = requests.post(url, data=b'{"prompt": "x"}', headers=headers, timeout=10)
    assert response.status_code == 400
    assert "'Content-Type'" in response.json()["message"]


def test_json_content_type_may_carry_a_charset(sandbox: Sandbox) -> None:
    headers = {**AUTH, "Content-Type": "application/json; charset=utf-8"}
    url = sandbox.base_url + SDXL
    response = requests.post(url, data=b'{"prompt": "x"}', headers=headers, timeout=10)
    assert response.status_code == 200


def test_unknown_field_message() -> None:
    with pytest.raises(ValidationError, match="Unknown field 'colour'"):
        validate({"prompt": "x", "colour": 1}, ENDPOINTS[NUCLEUS].fields)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "Field 'steps' must be an integer"),
        (4.5, "Field 'steps' must be an integer"),
        ("4", "Field 'steps' must be an integer"),
        (0, "Field 'steps' must be between 1 and 28"),
        (29, "Field 'steps' must be between 1 and 28"),
    ],
)
def test_integer_messages(value: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate({"prompt": "x", "steps": value}, ENDPOINTS[SD3].fields)
    assert str(caught.value) == message


def test_parse_body_refuses_non_objects() -> None:
    with pytest.raises(ValidationError, match="JSON object"):
        parse_body(b"[]")
    with pytest.raises(ValidationError, match="not valid JSON"):
        parse_body(b"\xff\xfe")
    assert parse_body(b'{"prompt": "x"}') == {"prompt": "x"}
