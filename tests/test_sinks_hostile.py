"""Hostile text through every sink (issue 20): terminal escapes (ESC, CSI, OSC, BEL, CR, C1),
lone surrogates, workflow-command openers (`::`, `##[`, `%0A`), Markdown and HTML openers
(`javascript:`, `|`, `](`, `<`) and the key in its encodings, mixed with any text. None gets
through where it would act.

To add a sink, list it in SINKS: a name, a function that writes the hostile text through it
and returns what landed, and the checks that must hold of what landed."""

from __future__ import annotations

import contextlib
import html.parser
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixazo_cli.scrub import register_secret, scrub
from tests.sinks_support import (
    C1_CSI,
    ODD_KEY,
    OSC_52,
    TITLE,
    key_forms,
    live_controls,
    rendered_constructs,
    runner_commands,
    table_cells,
    unescape_command_data,
)

FRAGMENTS = [
    "\x1b", "\x1b[31m", "\x1b[2J", C1_CSI, "\x9d0;t\x9c", OSC_52, TITLE, "\x07", "\r", "\r\n",
    "\n", "\x00", "\x7f", "\t", "\ud800", "\udcff", "\u202e", "\u2066", "\u2028", "\u200b",
    "\u034f", "::", "::add-mask::x", "::stop-commands::t", "##[", "##[add-mask]x", "#", "[",
    ":", "%0A", "%0D", "%25", "javascript:alert(1)", "|", "](", "[x](javascript:y)",
    "![i](https://e.example/t.png)", "<", "<img src=x>", "`", "*", "_", "~~", "&amp;", "$",
    "\\", "'", '"', " ", *key_forms(ODD_KEY)]
HOSTILE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)),
                   min_size=1, max_size=10).map("".join)

Check = Callable[[str, str], None]  # (what landed, the hostile text sent)


def terminal_safe(landed: str, sent: str) -> None:
    assert live_controls(landed) == []


def no_key(landed: str, sent: str) -> None:
    assert [form for form in key_forms(ODD_KEY) if form in landed] == []


def no_workflow_command(landed: str, sent: str) -> None:
    assert runner_commands(landed) == []


def one_line(landed: str, sent: str) -> None:
    assert landed.count("\n") == 1 and landed.endswith("\n")


def json_document(landed: str, sent: str) -> None:
    # The exact text, key masked; a lone surrogate (no text at all) as U+FFFD.
    assert json.loads(landed)["body"]["prompt"] == re.sub("[\ud800-\udfff]", "\ufffd",
                                                          scrub(sent))


def one_annotation_saying_the_text(landed: str, sent: str) -> None:
    from pixazo_cli.sinks.terminal import visible

    [command] = runner_commands(landed)
    assert command == landed.removesuffix("\n")
    assert unescape_command_data(command.split("::", 2)[2]) == visible(sent)


def inert_markdown(landed: str, sent: str) -> None:
    assert rendered_constructs(landed) == []
    assert table_cells(landed) == [4, 4, 4]


@dataclass(frozen=True)
class Sink:
    name: str
    write: Callable[[str], str]
    checks: tuple[Check, ...]


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def captured(write: Callable[[], object], github: bool = False) -> str:
    """What write() printed on stdout and stderr, in or out of GitHub Actions."""
    out, err = io.StringIO(), io.StringIO()
    with environment(GITHUB_ACTIONS="true" if github else "false"), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        write()
    return out.getvalue() + err.getvalue()


def ui_says(text: str) -> object:
    from pixazo_cli.ui.output import Ui

    return Ui(verbose=True).say(text), Ui(verbose=True).trace(text)


def ui_results(text: str) -> object:
    from pixazo_cli.ui.output import Ui

    ui = Ui()
    return ui.result_line(text), ui.result_value(text), ui.result_json({text: [text]})


def ui_value(text: str) -> object:
    from pixazo_cli.ui.output import Ui

    return Ui().result_value(text)


def error_reported(text: str) -> object:
    import sys

    from pixazo_cli.errors import PixazoError, report

    return report(PixazoError(text, hint=text), sys.stderr, sys.stdout)


def annotation(text: str) -> str:
    from pixazo_cli.sinks.ci import error_command

    return error_command(text, text, 1) + "\n"


def step_summary(text: str) -> str:
    from pixazo_cli.batch.jobfile import InvalidLine
    from pixazo_cli.ui.ci import GithubReport

    report = GithubReport(io.StringIO, text, Path(text), None)
    report.invalid([InvalidLine(1, text)])
    report.skipped(2, {"model": text, "files": [{"path": text}], "request_id": text})
    return report.markdown()


def sidecar(text: str) -> str:
    from pixazo_cli.flow.download import Saved
    from pixazo_cli.flow.generate import write_sidecar

    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "a.png"
        write_sidecar(image, {"model": "sdxl", "body": {"prompt": text}, "error": text},
                      Saved(image, text, 1, text))
        return image.with_suffix(".json").read_text(encoding="utf-8")


def history(text: str, listing: bool = True) -> str:
    """A row holding the text everywhere, then `pixazo history` and `--json` printing it (or,
    with listing off, the database file's own bytes)."""
    from pixazo_cli.commands.history import HistoryOptions, run_history
    from pixazo_cli.flow.ledger import Origin
    from pixazo_cli.history.queries import Filter
    from pixazo_cli.history.store import History
    from pixazo_cli.models.request import ApiRequest
    from pixazo_cli.models.table import MODELS

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.db"
        stored = History(path, secret=ODD_KEY)
        row = stored.start(ApiRequest(MODELS["sdxl"], "/x", {"prompt": text}), Origin(text, 1))
        stored.update(row, urls=[text], error=text, files=[{"path": text, "url": text}])
        stored.close()
        if not listing:
            return b"".join(p.read_bytes() for p in Path(folder).iterdir()).decode("latin-1")
        with environment(PIXAZO_HISTORY_DB=str(path)):
            return captured(lambda: [run_history(HistoryOptions(Filter(), json_out=json_out),
                                                 print) for json_out in (False, True)])


def web_page(text: str) -> str:
    """A contact sheet's index.html whose every card field, group and title is the text."""
    from pixazo_cli.compare.page import render_html
    from pixazo_cli.compare.thumbs import Card

    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "a.png"
        fields = {key: text for key in ("prompt", "model", "seed", "request_id", "replay")}
        card = Card(image, text, caption=text, thumb="0001.jpg", fields=fields, problem=text,
                    size=(1, 1), shown=(1, 1))
        return render_html([card], Path(folder), text, [])


class _Markup(html.parser.HTMLParser):
    """The elements and links a page holds."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.links += [value or "" for name, value in attrs if name in ("href", "src")]


def inert_html(landed: str, sent: str) -> None:
    """The text adds no element and no link: links stay relative paths, never a scheme."""
    page, empty = _Markup(), _Markup()
    page.feed(landed)
    empty.feed(web_page("x"))
    assert page.tags <= empty.tags
    assert all(link.startswith(("./", "../", "#")) for link in page.links), page.links


def picture_snippet(text: str) -> str:
    """An asset's <picture> snippet whose prompt (the alt text), file name and sizes are the
    text."""
    from pixazo_cli.assets.asset import Asset, Derived, Generation, ImageFile
    from pixazo_cli.assets.html import picture_html

    name = text.replace("/", "_")
    files = tuple(Derived(Path(f"{name}-{w}w.{fmt}"), w, w, fmt, 1, "0" * 64)
                  for w in (480, 960) for fmt in ("avif", "jpg"))
    original = ImageFile(Path(f"{name}.png"), 960, 960, "png", 1, "0" * 64)
    return picture_html(Asset(original, Generation(None, None, None, text), files,
                              {"lqip": text}), sizes=text)


def inert_snippet(landed: str, sent: str) -> None:
    """Only the snippet's own elements, and every link a relative file name."""
    snippet = _Markup()
    snippet.feed(landed)
    assert snippet.tags <= {"picture", "source", "img"}
    srcsets = re.findall(r'srcset="([^"]*)"', landed)
    links = snippet.links + [c.split(" ")[0] for s in srcsets for c in s.split(", ")]
    assert not [link for link in links if re.match(r"[A-Za-z][\w+.-]*:", link)], links


TERMINAL = (terminal_safe, no_key)
SINKS = [
    Sink("terminal stderr", lambda t: captured(lambda: ui_says(t)), TERMINAL),
    Sink("terminal stdout", lambda t: captured(lambda: ui_results(t)), TERMINAL),
    Sink("terminal stdout value", lambda t: captured(lambda: ui_value(t)), (*TERMINAL, one_line)),
    Sink("terminal error", lambda t: captured(lambda: error_reported(t)), TERMINAL),
    Sink("CI stderr", lambda t: captured(lambda: (ui_says(t), error_reported(t)), github=True),
         (*TERMINAL, no_workflow_command)),
    Sink("CI stdout", lambda t: captured(lambda: ui_results(t), github=True),
         (*TERMINAL, no_workflow_command)),
    Sink("CI annotation", annotation, (terminal_safe, no_key, one_annotation_saying_the_text)),
    Sink("step summary", step_summary, (*TERMINAL, inert_markdown)),
    Sink("sidecar", sidecar, (*TERMINAL, json_document)),
    Sink("history listing", history, TERMINAL),
    Sink("history database", lambda t: history(t, listing=False), (no_key,)),
    Sink("web page", web_page, (terminal_safe, no_key, inert_html)),
    Sink("picture snippet", picture_snippet, (terminal_safe, no_key, inert_snippet)),
]


@pytest.fixture(scope="module", autouse=True)
def odd_key_known() -> None:
    register_secret(ODD_KEY)  # as settings do once the key is read


@pytest.mark.parametrize("sink", SINKS, ids=[sink.name for sink in SINKS])
@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=HOSTILE)
def test_no_hostile_text_gets_through(sink: Sink, text: str) -> None:
    landed = sink.write(text)
    for check in sink.checks:
        check(landed, text)
