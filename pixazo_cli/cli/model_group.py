"""The root group's commands: the registered ones, and one per model file, each model's built
only when it is used. `--help` and completing a command's name list the models from their file
names and title lines, so with fifty model files they read fifty titles, not fifty files."""

import contextlib
import sys
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from pixazo_cli.models.table import MODELS

if TYPE_CHECKING:
    from pixazo_cli.models.reader import ModelFileError

# A completion request for one command's arguments builds that command alone
# (cli/completion.py): then only these models are listed (None: all of them).
only_models: list[str] | None = None


class Commands(MutableMapping[str, Any]):
    """{name: click command}: every model first (in the models' order), then the registered
    commands. In `summaries()` a model not built yet is a stand-in with its help line only."""

    def __init__(self, registered: MutableMapping[str, Any]) -> None:
        self.registered = dict(registered)
        self._built: dict[str, Any] = {}
        self._summaries: frozenset[str] = frozenset()  # the model names, while summarising

    def __getitem__(self, name: str) -> Any:
        if name in self.registered:
            return self.registered[name]
        if name in self._built:
            return self._built[name]
        if name in self._summaries:
            title = MODELS.summary(name)
            return TyperCommand(name=name, help=f"{title}." if title else "")
        model = MODELS.get(name)
        if model is None:
            raise KeyError(name)
        from pixazo_cli.cli.model_commands import model_command

        self._built[name] = model_command(model)
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        models = MODELS.names() if only_models is None else only_models
        return iter([*models, *self.registered])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __setitem__(self, name: str, command: Any) -> None:
        self.registered[name] = command

    def __delitem__(self, name: str) -> None:
        del self.registered[name]

    @contextlib.contextmanager
    def summaries(self) -> Iterator[None]:
        self._summaries = frozenset(MODELS.names())
        try:
            yield
        finally:
            self._summaries = frozenset()


def warn(error: "ModelFileError") -> None:
    """A bad model file is one line on stderr; the model is left out, the rest works."""
    from pixazo_cli.sinks import stdio

    stdio.emit(sys.stderr, stdio.text(f"Model file left out: {error.message}"))


def _silent(error: "ModelFileError") -> None:
    pass  # while completing: the shell's line is no place for messages


class ModelGroup(TyperGroup):
    """A typer group whose commands include one per model, read from the model files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = Commands(self.commands)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None,
                     **extra: Any) -> Any:
        # Each invocation reads the model folders afresh (tests run many in one process).
        MODELS.reset()
        MODELS.models_dir = None
        MODELS.warn = _silent if extra.get("resilient_parsing") else warn
        return super().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        with self._commands().summaries():
            super().format_commands(ctx, formatter)

    def shell_complete(self, ctx: typer.Context, incomplete: str) -> list[Any]:
        with self._commands().summaries():
            return super().shell_complete(ctx, incomplete)

    def _commands(self) -> Commands:
        assert isinstance(self.commands, Commands)
        return self.commands
