"""The records in saved images, as the tools people already use read them: two A1111 metadata
readers from PyPI (sd-parsers; sd-prompt-reader where installed), A1111's own parsing rule,
Pillow without load(), ImageMagick, pngcheck and exiftool. Every model, with default flags and
with every flag, through the in-process sandbox."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sd_parsers import ParserManager

from pixazo_cli.sandbox import Sandbox
from tests.conftest import run

PROMPT = "a lighthouse at dusk, 35mm film: grain"  # a comma and a colon, on the prompt line
NEGATIVE = "blurry, low quality: jpeg artefacts"
URLS = ("--image-url", "https://example.com/dog.png", "--mask-url", "https://example.com/m.png")
NOT_SENT = "gateway default"  # what the record says where the gateway chose the value

# Every flag each model takes, with values in its ranges; the webhook flags are left out:
# they are HTTP headers, never part of the record, and the sandbox would call the URL.
EVERY_FLAG: dict[str, tuple[str, ...]] = {
    "nucleus": ("--negative-prompt", NEGATIVE, "--aspect-ratio", "3:2", "--steps", "30",
                "--guidance", "4.5", "--num-images", "2", "--no-safety-checker",
                "--format", "jpg"),
    "sd35": ("--aspect-ratio", "3:2", "--guidance", "5", "--steps", "25", "--format", "png",
             "--quality", "80", "--prompt-strength", "0.6"),
    "sd3": ("--negative-prompt", NEGATIVE, "--steps", "20", "--guidance", "7.5",
            "--aspect-ratio", "16:9", "--format", "jpg", "--quality", "85",
            "--prompt-strength", "0.5"),
    "sdxl": ("--negative-prompt", NEGATIVE, "--width", "768", "--height", "640", "--steps",
             "15", "--guidance", "7", "--seed", "40"),
    "lightning": ("--negative-prompt", NEGATIVE, "--width", "512", "--height", "768",
                  "--steps", "4", "--guidance", "1", "--seed", "41"),
    "inpaint": ("--negative-prompt", NEGATIVE, *URLS, "--width", "512", "--height", "512",
                "--steps", "30", "--guidance", "8", "--seed", "42"),
}
REQUIRED = {"inpaint": URLS}  # the least a model can be run with
SEEDED = {"sdxl", "lightning", "inpaint"}
CASES = [(model, flags) for model in EVERY_FLAG for flags in ("default", "every")]


@dataclass(frozen=True)
class Expected:
    """What every reader must find: the settings as strings, the way readers return them."""

    path: Path
    prompt: str
    negative: str
    steps: str
    seed: str
    size: str
    model: str


def flag(args: tuple[str, ...], name: str, absent: str = "") -> str:
    return args[args.index(name) + 1] if name in args else absent


@pytest.fixture(scope="module")
def saved(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Expected]]:
    """Every case's saved images, made once for the module: {"model/flags": [Expected]}."""
    made = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIXAZO_API_KEY", "test-key-0123456789abcdef")
        patch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
        for model, which in CASES:
            args = EVERY_FLAG[model] if which == "every" else REQUIRED.get(model, ())
            folder = tmp_path_factory.mktemp(f"{model}-{which}")
            result = run(model, PROMPT, *args, "-d", str(folder), "--json")
            assert result.exit_code == 0, result.stderr
            report = result.json()
            made[f"{model}/{which}"] = [expected(Path(f["path"]), model, args, report)
                                        for f in report["files"]]
    return made


def expected(path: Path, model: str, args: tuple[str, ...], report: dict[str, Any]) -> Expected:
    with Image.open(path) as image:
        width, height = image.size
    seed = str(report["body"]["seed"]) if model in SEEDED else NOT_SENT
    steps = flag(args, "--steps", "40" if model == "sd35" else NOT_SENT)  # sd35 sends 40
    return Expected(path, PROMPT, flag(args, "--negative-prompt"), steps, seed,
                    f"{width}x{height}", model)


def images(saved: dict[str, list[Expected]], model: str, which: str) -> list[Expected]:
    found = saved[f"{model}/{which}"]
    assert found and len(found) == (2 if (model, which) == ("nucleus", "every") else 1)
    return found


@pytest.mark.parametrize(("model", "which"), CASES)
def test_sd_parsers_reads_prompt_settings_size_and_model(
        saved: dict[str, list[Expected]], model: str, which: str) -> None:
    for want in images(saved, model, which):
        info = ParserManager().parse(want.path)
        assert info is not None, f"sd-parsers found no A1111 record in {want.path.name}"
        sampler = info.samplers[0]
        assert [p.value for p in sampler.prompts] == [want.prompt]
        assert [p.value for p in sampler.negative_prompts] == ([want.negative] if want.negative
                                                               else [])
        assert sampler.parameters["steps"] == want.steps
        assert sampler.parameters["seed"] == want.seed
        assert sampler.name == NOT_SENT  # no model takes a sampler; readers need the key
        assert info.metadata["Size"] == want.size
        assert sampler.model is not None and sampler.model.name == want.model


@pytest.mark.parametrize(("model", "which"), CASES)
def test_sd_prompt_reader_reads_prompt_settings_size_and_model(
        saved: dict[str, list[Expected]], model: str, which: str) -> None:
    reader = pytest.importorskip(
        "sd_prompt_reader.image_data_reader",
        reason="sd-prompt-reader is not installed; it pins Pillow 10.3, so it is installed "
               "apart: pip install --no-deps sd-prompt-reader==1.3.5 piexif (see .ci/run)")
    for want in images(saved, model, which):
        data = reader.ImageDataReader(str(want.path))
        assert data.tool == "A1111 webUI" and data.status.name == "READ_SUCCESS"
        assert (data.positive, data.negative) == (want.prompt, want.negative)
        settings = data.parameter
        assert (settings["steps"], settings["seed"]) == (want.steps, want.seed)
        assert (settings["size"], settings["model"]) == (want.size, want.model)


# ---------------------------------------------------------------- A1111's own rule

A1111_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def a1111_parse(text: str) -> dict[str, str]:
    """How A1111's PNG Info tab splits a parameters text (parse_generation_parameters): the
    last line is the settings when it has three or more `Key: value` pairs; a value in double
    quotes is JSON."""
    *lines, last = text.strip().split("\n")
    if len(A1111_PARAM.findall(last)) < 3:
        lines, last = [*lines, last], ""
    prompt, negative, in_negative = [], [], False
    for line in (line.strip() for line in lines):
        if line.startswith("Negative prompt:"):
            in_negative, line = True, line[len("Negative prompt:"):].strip()
        (negative if in_negative else prompt).append(line)
    found = {"Prompt": "\n".join(prompt), "Negative prompt": "\n".join(negative)}
    for key, value in A1111_PARAM.findall(last):
        found[key] = json.loads(value) if value[:1] == value[-1:] == '"' else value
    return found


def test_a1111_reads_quoted_values_back_exactly(saved: dict[str, list[Expected]]) -> None:
    want = images(saved, "sd3", "every")[0]
    with Image.open(want.path) as image:
        text = image.getexif().get_ifd(0x8769)[0x9286][8:].decode("utf-16-be")
    found = a1111_parse(text)
    assert found["Prompt"] == PROMPT and found["Negative prompt"] == NEGATIVE
    assert found["Aspect ratio"] == "16:9"  # written "16:9" in quotes, as A1111 quotes it
    assert (found["Steps"], found["Size"], found["Model"]) == ("20", want.size, "sd3")


# ---------------------------------------------------------------- PNG readers


def png_of(saved: dict[str, list[Expected]]) -> Path:
    return images(saved, "sdxl", "every")[0].path


def test_pillow_has_the_parameters_before_loading_the_pixels(
        saved: dict[str, list[Expected]]) -> None:
    with Image.open(png_of(saved)) as image:  # no load(): only the chunks before IDAT are read
        text = image.info["parameters"]
        assert text.startswith(PROMPT + "\nNegative prompt: ")
        assert json.loads(image.info["pixazo"])["model"] == "sdxl"


def test_inspect_shows_the_text_the_image_carries(saved: dict[str, list[Expected]]) -> None:
    path = png_of(saved)
    shown = run("inspect", str(path))
    with Image.open(path) as image:
        assert shown.stdout.endswith("\n\n" + image.info["parameters"] + "\n")


def imagemagick() -> list[str] | None:
    """ImageMagick's identify (IM7: `magick identify`), where the real one is installed."""
    for command in (["magick", "identify"], ["identify"]):
        if shutil.which(command[0]):
            version = subprocess.run([*command, "-version"], capture_output=True, text=True)
            if version.stdout.startswith("Version: ImageMagick"):
                return command
    return None


def test_imagemagick_reads_the_parameters_property(saved: dict[str, list[Expected]]) -> None:
    command = imagemagick()
    if command is None:
        pytest.skip("ImageMagick is not installed (apt-get install imagemagick)")
    path = png_of(saved)
    shown = subprocess.run([*command, "-format", "%[parameters]", str(path)],
                           capture_output=True, text=True, check=True).stdout
    with Image.open(path) as image:
        assert shown == image.info["parameters"]


@pytest.mark.parametrize(("model", "which"), CASES)
def test_pngcheck_passes_every_png(saved: dict[str, list[Expected]], model: str,
                                   which: str) -> None:
    if shutil.which("pngcheck") is None:
        pytest.skip("pngcheck is not installed (apt-get install pngcheck; .ci/run does)")
    for want in images(saved, model, which):
        if want.path.suffix == ".png":
            checked = subprocess.run(["pngcheck", str(want.path)], capture_output=True, text=True)
            assert checked.returncode == 0, checked.stdout


def test_exiftool_finds_nothing_to_warn_about(saved: dict[str, list[Expected]]) -> None:
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed (apt-get install libimage-exiftool-perl)")
    paths = [str(want.path) for found in saved.values() for want in found]
    checked = subprocess.run(["exiftool", "-json", "-validate", "-warning", "-a", *paths],
                             capture_output=True, text=True, check=True)
    verdicts = {entry["SourceFile"]: entry.get("Validate")
                for entry in json.loads(checked.stdout)}
    assert len(verdicts) == len(paths)
    assert {name: v for name, v in verdicts.items() if v != "OK"} == {}, checked.stdout
