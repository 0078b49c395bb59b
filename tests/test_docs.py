"""The README and docs/ are part of the product: short where they should be, every link
resolving, and every list drawn from the code equal to the code (exit codes, the statuses that
prove nothing was charged, config keys, environment variables, history states). The flag
table and the reference page are generated (tests/test_shell_docs.py checks they are fresh)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from pixazo_cli.errors import EXIT_CODES
from pixazo_cli.http.retry import NOT_CHARGED
from pixazo_cli.settings.config import TOP_KEYS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
MAX_README_LINES = 160


def page(name: str) -> str:
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def table(text: str, marker: str) -> list[list[str]]:
    """The rows (cells stripped, header left out) of the first Markdown table after `marker`."""
    rows: list[list[str]] = []
    for line in text.split(marker, 1)[1].splitlines():
        line = line.strip()
        if line.startswith("|"):
            if not set(line) <= set("|-: "):
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[1:]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = (ROOT / ".ci/run").read_text().strip().splitlines()[-1]
    assert f"```sh\n{command}\n```" in README


def test_readme_first_command_uses_the_sandbox() -> None:
    first = README.split("```sh\n", 1)[1].split("\n", 1)[0]
    assert first.endswith('pixazo --sandbox sdxl "a lighthouse at dusk"')


def test_the_readme_is_a_front_page_not_a_manual() -> None:
    assert len(README.splitlines()) <= MAX_README_LINES


def test_every_docs_page_is_in_the_readmes_map() -> None:
    mapped = set(re.findall(r"\]\(docs/([^)#]+\.md)", README))
    assert {path.name for path in (ROOT / "docs").glob("*.md")} <= mapped


def test_the_exit_codes_listed_are_the_codes() -> None:
    rows = table(page("usage.md"), "## Exit codes")
    assert {int(code): meaning for code, meaning in rows} == EXIT_CODES


def test_the_statuses_listed_as_not_charged_are_the_codes() -> None:
    [[listed]] = table(page("reliability.md"), "## Never pay twice")
    assert {int(code) for code in listed.split(",")} == NOT_CHARGED


def test_the_config_keys_listed_are_the_keys() -> None:
    keys = {row[0].strip("`") for row in table(page("configuration.md"), "## Config keys")}
    assert keys == {*TOP_KEYS, "MODEL.FLAG"}


def test_every_environment_variable_the_code_reads_is_listed() -> None:
    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in (ROOT / "pixazo_cli").rglob("*.py"))
    read = set(re.findall(r"[\"'](PIXAZO_[A-Z_]+)[\"']", source)) - {"PIXAZO_COMPLETE"}
    listed = {row[0].strip("`") for row in table(page("configuration.md"), "## Environment")}
    assert read <= listed


def test_the_history_states_listed_are_the_states() -> None:
    from pixazo_cli.flow import ledger

    shown = {row[0].strip("`") for row in table(page("history.md"), "## States")}
    stored = {ledger.SENT, ledger.QUEUED, ledger.ANSWERED, ledger.SAVED, ledger.FAILED}
    assert {"sent, no reply", "paid, not saved", "failed, may be charged"} | \
        (stored - {ledger.SENT}) == shown
    assert all(f"`{state}`" in page("history.md") for state in stored)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = heading.strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


@pytest.mark.parametrize("source", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_resolves(source: Path) -> None:
    text = re.sub(r"```.*?```", "", source.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, anchor = target.partition("#")
        where = (source.parent / file).resolve() if file else source
        assert where.exists(), f"{source.name}: {target} (no such file)"
        if anchor:
            assert anchor in _anchors(where), f"{source.name}: {target} (no such heading)"
