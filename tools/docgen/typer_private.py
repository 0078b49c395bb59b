"""The one door into typer's private modules, for the documentation generator.

typer 0.28 vendors click as `typer._click` (there is no `click` package to import) and keeps
its shell completion classes in `typer._completion_classes`. Neither is public API, and a typer
release may move them without notice. Every use goes through this module, so an upgrade breaks
in one place, with a message saying what moved; tests/test_typer_private.py checks every name
listed in USED against the installed typer. pyproject.toml pins typer exactly for this reason.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer

# What the generator takes from typer's private modules: {module: attributes used}.
USED: dict[str, tuple[str, ...]] = {
    "typer._click": ("Command", "Context", "Parameter", "shell_completion"),
    "typer._click.shell_completion": ("ShellComplete", "get_completion_class"),
    "typer._completion_classes": ("completion_init",),
}


def what_moved() -> list[str]:
    """The names in USED that the installed typer no longer has (empty when all is well)."""
    moved: list[str] = []
    for module_name, names in USED.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            moved.append(module_name)
            continue
        moved += [f"{module_name}.{name}" for name in names if not hasattr(module, name)]
    return moved


def moved_message(moved: list[str]) -> str:
    return (
        f"typer {typer.__version__} no longer has {', '.join(moved)}. The documentation "
        "generator reaches into these private typer modules; pyproject.toml pins the typer "
        "version they were written against. Adapt tools/docgen/typer_private.py to the new "
        "layout, then move the pin and regenerate (python scripts/gen_docs.py)."
    )


try:
    from typer import _click as click
    from typer._completion_classes import completion_init as _completion_init
except ImportError as exc:  # pragma: no cover - only with a typer that moved them
    raise ImportError(moved_message(what_moved())) from exc

if TYPE_CHECKING:
    from typer._click.shell_completion import ShellComplete

__all__ = ["USED", "click", "completion_class", "moved_message", "new_context", "what_moved"]


def completion_class(shell: str) -> type[ShellComplete] | None:
    """typer's completion class for a shell (bash, zsh, fish, powershell), or None. The
    scripts are pixazo's own (pixazo_cli/cli/completion_scripts.py), but a Tab press is still
    answered by these classes: tests/test_typer_private.py checks each shell has one."""
    _completion_init()  # registers typer's classes with its vendored click
    return click.shell_completion.get_completion_class(shell)


def new_context(command: click.Command, name: str, parent: click.Context | None = None,
                **settings: object) -> click.Context:
    return click.Context(command, info_name=name, parent=parent, **settings)
