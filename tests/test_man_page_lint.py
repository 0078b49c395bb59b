"""The man page passes mandoc's lint with nothing to say, and its SYNOPSIS says what each
command's --help says."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run
from tools.docgen import roff, shelldocs

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / shelldocs.MAN_PAGE


def test_mandoc_lint_has_nothing_to_say() -> None:
    mandoc = shutil.which("mandoc")
    if mandoc is None:
        pytest.skip("mandoc is not installed (apt-get install mandoc; .ci/run does)")
    linted = subprocess.run([mandoc, "-T", "lint", str(PAGE)], capture_output=True, text=True)
    assert linted.stdout + linted.stderr == "" and linted.returncode == 0, linted.stdout


def synopsis() -> dict[str, str]:
    """{command path: its arguments}, from the SYNOPSIS's `.SY` blocks, fonts and escapes
    taken off, `{a|b}` alternatives spelled out, the root's own [OPTIONS] left out."""
    source = PAGE.read_text(encoding="utf-8").split(".SH SYNOPSIS\n")[1].split("\n.SH ")[0]
    found = {}
    for block in re.findall(r'\.SY "(\S+)"\n(.*?)\n\.YS', source, re.S):
        words = re.sub(r"\\f[BIR]|\\&", "", " ".join(block)).split()
        if words[1] == "[OPTIONS]":
            del words[1]
        path = [w for w in words[1:] if not w.startswith("[") and (w.islower() or "|" in w)]
        rest = " ".join(words[1 + len(path):])
        for names in _spelled_out(path):
            found[" ".join([words[0], *names])] = rest
    return found


def _spelled_out(path: list[str]) -> list[list[str]]:
    paths: list[list[str]] = [[]]
    for word in path:
        choices = word.strip("{}").split("|")
        paths = [[*p, choice] for p in paths for choice in choices]
    return paths


def test_synopsis_shows_every_command_as_its_help_does() -> None:
    lines = synopsis()
    assert len(lines) > 20
    for path, arguments in lines.items():
        usage = run(*path.split()[1:], "--help").stdout.splitlines()[0]
        assert usage.startswith(f"Usage: {path} ")
        helped = usage.removeprefix(f"Usage: {path} ").replace("{", "").replace("}", "")
        assert arguments == helped, path


def test_long_text_lines_are_broken_at_spaces_only() -> None:
    line = "word " * 30 + ".starts-a-request " + "x" * 90
    fitted = roff.tidy([line])
    assert " ".join(fitted).replace("\\&.", ".") == line.strip()
    assert all(len(piece) <= roff.LINE_WIDTH for piece in fitted[:-1])
    assert fitted[-1] == "x" * 90  # one word longer than a line stays whole
    assert not any(piece.startswith(".") for piece in fitted)


def test_a_paragraph_macro_right_after_a_heading_is_dropped() -> None:
    assert roff.tidy([".SH NAME", ".PP", "text", ".SS sub", ".PP", ".PP", "more"]) == [
        ".SH NAME", "text", ".SS sub", "more"]
    kept = [".nf", "x " * 60, ".fi"]  # preformatted: never broken
    assert roff.tidy(kept) == kept
