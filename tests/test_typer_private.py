"""typer's private modules are reached from one adapter (tools/docgen/typer_private.py), and a
typer that moved anything the adapter uses fails here, naming the version and what moved."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import typer

from tools.docgen import typer_private

ROOT = Path(__file__).resolve().parent.parent
ADAPTER = ROOT / "tools" / "docgen" / "typer_private.py"
PRIVATE_ACCESS = re.compile(r"\btyper\._|\bfrom typer import _")


def test_every_private_typer_name_the_generator_uses_is_still_there() -> None:
    moved = typer_private.what_moved()
    assert moved == [], typer_private.moved_message(moved)


def test_the_installed_typer_is_the_pinned_one() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [dep for dep in project["dependencies"] if dep.startswith("typer")]
    assert pins == [f"typer=={typer.__version__}"], (
        f"typer {typer.__version__} is installed but pyproject.toml asks for {pins}: the "
        "committed man page and completions, and tools/docgen/typer_private.py, are written "
        "against the pinned version")


def test_a_moved_name_is_reported_with_the_typer_version(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(typer_private.USED, "typer._click", ("Command", "NoSuchThing"))
    monkeypatch.setitem(typer_private.USED, "typer._gone_module", ("anything",))
    moved = typer_private.what_moved()
    assert moved == ["typer._click.NoSuchThing", "typer._gone_module"]
    message = typer_private.moved_message(moved)
    assert f"typer {typer.__version__}" in message
    assert "typer._click.NoSuchThing" in message and "typer._gone_module" in message
    assert "tools/docgen/typer_private.py" in message


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_typer_has_a_completion_class_for_each_shell_we_ship(shell: str) -> None:
    shell_class = typer_private.completion_class(shell)
    assert shell_class is not None
    assert issubclass(shell_class, typer_private.click.shell_completion.ShellComplete)


def test_only_the_adapter_reaches_into_typer_private_modules() -> None:
    reaching = []
    for folder in ("pixazo_cli", "tools", "scripts", "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in (ADAPTER, Path(__file__).resolve()):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PRIVATE_ACCESS.search(line):
                    reaching.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert reaching == [], "use tools/docgen/typer_private.py instead:\n" + "\n".join(reaching)
