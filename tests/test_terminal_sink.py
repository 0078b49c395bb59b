"""The terminal sink (issue 20): text from the gateway, a record, a prompt or a file name never
reaches a terminal with its control characters or escape sequences live. They are shown as
backslash escapes on stderr and in listings; one value on stdout (a path, an id, a URL) stays
one line, quoted as $'…' when it must be, and a shell turns that back into the exact name."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpx import HTTPXMock

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.ui import preview
from pixazo_cli.ui.output import Ui
from tests.conftest import GATEWAY, run
from tests.sinks_support import C1_CSI, OSC_52, TITLE, live_controls


class TerminalStream(io.StringIO):
    """A stream that says it is a terminal (and has no file descriptor)."""

    def isatty(self) -> bool:
        return True


def png(path: Path) -> Path:
    Image.new("RGB", (16, 12), (200, 40, 40)).save(path, "PNG")
    return path


def test_show_prints_a_file_names_escape_sequences_as_text(tmp_path: Path) -> None:
    path = png(tmp_path / f"{OSC_52}{TITLE}.png")
    stream = TerminalStream()
    assert preview.show([path], stream, {"PIXAZO_PREVIEW": "kitty", "TERM": "xterm"}) == 1
    shown = stream.getvalue()
    assert "\x1b]" not in shown and "\x07" not in shown  # the picture itself is an APC string
    assert "\\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b]0;pwned\\x1b\\.png" in shown


def test_an_error_naming_a_hostile_file_shows_its_escapes(isolated: Path) -> None:
    result = run("show", f"{TITLE}missing.png")
    assert result.exit_code == 2
    assert live_controls(result.stderr) == []
    assert "No such file: \\x1b]0;pwned\\x1b\\missing.png." in result.stderr


def test_a_file_name_with_an_undecodable_byte_shows_that_byte(isolated: Path) -> None:
    result = run("show", os.fsdecode(b"caf\xe9.png"))
    assert result.exit_code == 2
    assert "No such file: caf\\xe9.png." in result.stderr


def test_history_shows_recorded_prompts_escapes_as_text(gateway: Sandbox) -> None:
    prompt = f"a fox {TITLE}{C1_CSI} \u202eevil"
    assert run("sdxl", prompt, "-d", "out").exit_code == 0
    listing = run("history")
    assert listing.exit_code == 0 and live_controls(listing.stdout) == []
    assert "\\x1b]0;pwned\\x1b\\\\x9b2J \\u202eevil" in listing.stdout
    as_json = run("history", "--json")
    assert live_controls(as_json.stdout) == []
    assert json.loads(as_json.stdout)["prompt"] == prompt  # the data itself is exact


STATUS_URL = f"{GATEWAY}/v2/requests/status/req-1"


def test_status_prints_the_gateways_words_without_their_escapes(
        httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="GET", url=STATUS_URL, json={
        "status": f"PROCESSING{TITLE}\nCOMPLETED",
        "output": {"media_url": [f"https://cdn.example/a.png{OSC_52}"]},
        "error": f"slow{C1_CSI}\rall fine"})
    result = run("status", "req-1")
    assert result.exit_code == 0, result.stderr
    assert live_controls(result.stdout + result.stderr) == []
    assert result.stdout.splitlines() == [
        "$'PROCESSING\\x1b]0;pwned\\x1b\\\\\\nCOMPLETED'",
        "$'https://cdn.example/a.png\\x1b]52;c;cm0gLXJmIH4K\\x07'"]
    assert "error: slow\\x9b2J\\rall fine" in result.stderr


def test_the_spinner_shows_a_gateway_status_as_text_not_markup_or_escapes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    stream = TerminalStream()
    monkeypatch.setattr(Ui, "err", property(lambda self: stream))
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "200")
    with Ui().activity("sdxl", "sending") as activity:
        activity.status(f"queued {TITLE}[link=javascript:alert(1)]here[/link]")
    drawn = stream.getvalue()
    assert "\x1b]" not in drawn  # neither the title nor an OSC 8 hyperlink
    assert "\\x1b]0;pwned\\x1b\\[link=javascript:alert(1)]here[/link]" in drawn


def test_inspect_shows_a_records_c1_and_bidi_characters_as_escapes(tmp_path: Path) -> None:
    from pixazo_cli.record import embed

    plain = png(tmp_path / "plain.png")
    target = tmp_path / "shared.png"
    record = {"model": "sdxl", "body": {"prompt": f"fox {C1_CSI}\u202e{TITLE}"}}
    with open(plain, "rb") as src, open(target, "wb") as dst:
        embed(src, dst, record, "png")
    for args in ((), ("--json",)):
        result = run("inspect", str(target), *args)
        assert result.exit_code == 0, result.stderr
        assert live_controls(result.stdout) == []
    assert json.loads(result.stdout)["body"]["prompt"] == record["body"]["prompt"]


@pytest.mark.parametrize("folder", ["new\nline", f"esc{TITLE}", os.fsdecode(b"caf\xe9")],
                         ids=["newline", "escape", "undecodable-byte"])
def test_a_saved_path_is_one_line_a_shell_turns_back_into_the_file(
        gateway: Sandbox, isolated: Path, folder: str) -> None:
    result = run("sdxl", "a fox", "-d", folder)
    assert result.exit_code == 0, result.stderr
    [word] = result.stdout.splitlines()
    assert word.startswith("$'") and live_controls(word) == []
    named = subprocess.run(["bash", "-c", f"printf %s {word}"], capture_output=True,
                           check=True, cwd=isolated).stdout
    assert (isolated / os.fsdecode(named)).is_file()
    assert named.startswith(os.fsencode(folder) + b"/sdxl-")


def test_a_batch_prints_its_saved_paths_as_one_line_each(gateway: Sandbox,
                                                         isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text(json.dumps({"model": "sdxl", "prompt": "fox"}) + "\n")
    result = run("batch", "jobs.jsonl", "-d", f"out{TITLE}\n")
    assert result.exit_code == 0, result.stderr
    [word] = result.stdout.splitlines()
    assert word.startswith("$'out\\x1b]0;pwned\\x1b\\\\\\n/")
