"""The sandbox draws non-Latin prompts legibly where the system has a font for them: it asks
fontconfig (fc-match) for a font covering the prompt's characters, checks the font really
draws them, tries well-known font files next, and otherwise draws as before. No test here
depends on a particular font being installed."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli.sandbox import fonts
from pixazo_cli.sandbox.images import Picture, render

PROMPTS = {
    "german": "Grüße aus Köln",
    "french": "café crème brûlée",
    "japanese": "日本の赤い狐が雪の中を歩いている",
    "chinese": "雪中的红狐狸",
    "arabic": "ثعلب أحمر في الثلج",
    "emoji": "a red fox 🦊 in the snow ★",
}


@pytest.fixture(autouse=True)
def fresh_lookups() -> Iterator[None]:
    fonts.font_file.cache_clear()
    yield
    fonts.font_file.cache_clear()


def fake_fc_match(folder: Path, monkeypatch: pytest.MonkeyPatch, answer: str,
                  code: int = 0) -> Path:
    """An `fc-match` first on PATH that logs its arguments and prints `answer`."""
    log = folder / "fc-match.log"
    script = folder / "fc-match"
    script.write_text(f"#!/bin/sh\necho \"$@\" >> '{log}'\nprintf '%s' '{answer}'\nexit {code}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


def draw(prompt: str) -> Image.Image:
    picture = Picture(512, 512, "png", 90, prompt, "sdxl", hashlib.sha256(b"x").digest())
    return Image.open(io.BytesIO(render(picture)))


@pytest.mark.skipif(os.name == "nt", reason="a shell-script fc-match")
def test_fontconfig_is_asked_for_a_font_with_the_prompts_characters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    font = tmp_path / "some-font.ttf"
    font.write_bytes(b"stand-in")
    log = fake_fc_match(tmp_path, monkeypatch, str(font))
    assert fonts.fontconfig_file("日本") == str(font)
    assert log.read_text().split() == ["-f", "%{file}", "sans:charset=65e5", "672c"]


@pytest.mark.skipif(os.name == "nt", reason="a shell-script fc-match")
@pytest.mark.parametrize(("answer", "code"), [("/no/such/font.ttf", 0), ("", 0),
                                              ("/etc/hostname", 1)])
def test_an_fc_match_answer_that_is_no_file_or_a_failure_is_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, code: int) -> None:
    fake_fc_match(tmp_path, monkeypatch, answer, code)
    assert fonts.fontconfig_file("日本") is None


def test_without_fc_match_there_is_no_fontconfig_answer(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert fonts.fontconfig_file("日本") is None
    assert draw(PROMPTS["japanese"]).size == (512, 512)


@pytest.mark.skipif(os.name == "nt", reason="a shell-script fc-match")
def test_a_file_that_is_not_a_font_is_never_used(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"this is not a font")
    fake_fc_match(tmp_path, monkeypatch, str(bogus))
    assert fonts.font_file(fonts.drawn_characters(PROMPTS["japanese"])) != str(bogus)
    assert draw(PROMPTS["japanese"]).size == (512, 512)


def test_an_ascii_prompt_needs_no_lookup_so_it_draws_as_before() -> None:
    assert fonts.drawn_characters("a red fox, 4k -- best!") == ""
    assert fonts.font_file("") is None


def test_only_visible_characters_beyond_ascii_are_probed() -> None:
    # Spaces, joiners and variation selectors draw nothing alone: they prove nothing.
    assert fonts.drawn_characters("é e\u0301 \u200d\ufe0f 狐 狐") == "é狐"


@pytest.mark.parametrize("name", list(PROMPTS))
def test_drawing_any_script_does_not_raise(name: str) -> None:
    assert draw(PROMPTS[name]).size == (512, 512)


@pytest.mark.parametrize("name", list(PROMPTS))
def test_where_a_font_draws_the_prompt_it_is_drawn_without_missing_glyph_boxes(
        name: str) -> None:
    chars = fonts.drawn_characters(PROMPTS[name])
    if fonts.font_file(chars) is None:
        pytest.skip(f"no font here draws {name} better than Pillow's own")
    font = fonts.prompt_font(PROMPTS[name], 40)
    if name != "emoji":  # colour emoji fonts cannot be drawn at any size: tofu allowed
        assert fonts.coverage(font, chars) == len(chars)


def test_a_long_prompt_without_spaces_is_wrapped_inside_the_picture() -> None:
    image = draw("狐" * 60).convert("L")
    left_edge = image.crop((0, 0, 20, 400))  # the text must not run off the sides
    assert left_edge.getextrema()[1] < 250  # white text would reach 255 at the edge
