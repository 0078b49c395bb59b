"""Which models exist: the model files shipped in the package (models/builtin/), then the
user's own, from `--models-dir` / PIXAZO_MODELS_DIR and from the config folder's models/.

Read lazily, because start-up matters: looking one model up reads its file alone, listing
names reads no file at all (the file name is the model's name), and only going through every
model (`pixazo models`, the sandbox for a path no built-in has) reads and checks them all. A
bad file is left out: its error goes to `warn` (the CLI prints one line on stderr) and every
other model works.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pixazo_cli.models.spec import COMMAND_NAMES, NAME, Model

if TYPE_CHECKING:
    from pixazo_cli.models.reader import ModelFileError

BUILTIN_DIR = Path(__file__).parent / "builtin"
ENV_DIR = "PIXAZO_MODELS_DIR"
SUFFIX = ".toml"
_TITLE = re.compile(r"""^title\s*=\s*(?:"([^"\\]*)"|'([^']*)')\s*(?:#.*)?$""", re.M)


def read_model_file(path: Path, builtin_names: tuple[str, ...]) -> Model:
    """Read and check one model file (models/files.py, loaded with the first file read)."""
    from pixazo_cli.models import files

    return files.read_model_file(path, builtin_names=builtin_names)


def _ignore(error: ModelFileError) -> None:
    pass


class ModelRegistry(Mapping[str, Model]):
    """Every usable model by name, built-ins first (in builtin/index.txt's order), then the
    user's by name. `MODELS[name]` and `name in MODELS` read one file; iterating reads all."""

    def __init__(self, builtin_dir: Path = BUILTIN_DIR) -> None:
        self._builtin_dir = builtin_dir
        self._models_dir: Path | None = None
        self.warn: Callable[[ModelFileError], None] = _ignore
        self._lock = threading.RLock()
        self._builtin_only = False
        self._builtins: tuple[str, ...] = ()
        self.reset()

    def reset(self) -> None:
        """Forget what was read: the next look-up reads the folders as they are now."""
        with self._lock:
            self._models: dict[str, Model] = {}
            self._problems: dict[str, ModelFileError] = {}  # by file, each warned once
            self._all = False
            self._dirs: list[Path] | None = None
            self._listing: dict[str, Path] | None = None  # name: file, from the file names

    @property
    def models_dir(self) -> Path | None:
        """--models-dir, which PIXAZO_MODELS_DIR stands for."""
        return self._models_dir

    @models_dir.setter
    def models_dir(self, folder: Path | None) -> None:
        self._models_dir = folder
        self._dirs = self._listing = None

    # Where the files are.

    def builtin_names(self) -> tuple[str, ...]:
        if not self._builtins:
            index = (self._builtin_dir / "index.txt").read_text(encoding="utf-8")
            self._builtins = tuple(line.strip() for line in index.splitlines()
                                   if line.strip() and not line.startswith("#"))
        return self._builtins

    def user_dirs(self) -> list[Path]:
        """The folders read for the user's model files, the first one winning a name."""
        if self._builtin_only:
            return []
        if self._dirs is None:
            chosen = self.models_dir or os.environ.get(ENV_DIR, "").strip()
            folders = [Path(chosen).expanduser()] if chosen else []
            from pixazo_cli.settings.folders import models_dir

            default = models_dir()
            self._dirs = folders + [default] if default not in folders else folders
        return list(self._dirs)

    def _user_files(self, every: bool = False) -> Iterator[Path]:
        """Every *.toml in the user's folders (hidden ones, such as part files, skipped) that
        is a regular file; with `every`, the others too (a FIFO, a device, a folder), for the
        reader to refuse where all files are read and their problems said."""
        from pixazo_cli.models.source import is_regular

        for folder in self.user_dirs():
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue  # no such folder (the usual case) or unreadable: no models from it
            paths = (folder / name for name in names
                     if name.endswith(SUFFIX) and not name.startswith("."))
            yield from (path for path in paths if every or is_regular(path))

    def names(self) -> list[str]:
        """Every model's name, read from the file names alone (for --help and completion): a
        file named after a command, a built-in or an earlier folder's model is not counted,
        nor one already found bad, nor one that is not a regular file (left out without a
        word: --help reads no file, so it has no reader's error to say)."""
        builtins = self.builtin_names()
        if self._listing is None:
            listing: dict[str, Path] = {}
            for path in self._user_files():
                stem = path.name[:-len(SUFFIX)]
                if NAME.match(stem) and stem not in COMMAND_NAMES and stem not in builtins:
                    listing.setdefault(stem, path)
            self._listing = listing
        good = [n for n, path in self._listing.items() if str(path) not in self._problems]
        return [*builtins, *sorted(good)]

    def summary(self, name: str) -> str:
        """A model's title for --help, read cheaply: its `title = "…"` line, not the whole
        file (which is checked when the model is used)."""
        if name in self._models:
            return self._models[name].title
        path = (self._listing or {}).get(name) or self._file_of(name)
        from pixazo_cli.models.reader import ModelFileError
        from pixazo_cli.models.source import read_bytes

        try:  # within the reader's cap, and a regular file only: --help must not hang
            text = read_bytes(path).decode("utf-8") if path else ""
        except (ModelFileError, UnicodeDecodeError):
            return ""
        found = _TITLE.search(text)
        title = (found.group(1) or found.group(2)) if found else ""
        from pixazo_cli.sinks.terminal import plain

        return plain(title)[:80]

    def _file_of(self, name: str) -> Path | None:
        if name in self.builtin_names():
            return self._builtin_dir / f"{name}{SUFFIX}"
        if not NAME.match(name) or name in COMMAND_NAMES:
            return None
        for folder in self.user_dirs():
            path = folder / f"{name}{SUFFIX}"
            if path.is_file():
                return path
        return None

    # Reading them.

    def __getitem__(self, name: str) -> Model:
        with self._lock:
            if name not in self._models:
                path = self._file_of(name) if isinstance(name, str) else None
                if path is None:
                    raise KeyError(name)
                self._read(path)
            if name not in self._models:
                raise KeyError(name)
            return self._models[name]

    def _read(self, path: Path) -> None:
        if str(path) in self._problems:
            return
        from pixazo_cli.models.reader import ModelFileError

        builtin = path.parent == self._builtin_dir
        try:
            model = read_model_file(path, () if builtin else self.builtin_names())
        except ModelFileError as error:
            self._problems[str(path)] = error
            self.warn(error)
            return
        self._models[model.name] = model

    def _read_all(self) -> None:
        from pixazo_cli.models.source import is_regular

        with self._lock:
            if self._all:
                return
            for name in self.builtin_names():
                self._read(self._builtin_dir / f"{name}{SUFFIX}")
            first: dict[str, Path] = {}
            for path in self._user_files(every=True):
                stem = path.name[:-len(SUFFIX)]
                if not is_regular(path):
                    self._read(path)  # the reader refuses it: said once, claims no name
                    continue
                if stem in first:
                    self._duplicate(path, first[stem])
                    continue
                first[stem] = path
                if stem not in self._models or self._models[stem].source != str(path):
                    self._read(path)
            builtins = {name: self._models[name] for name in self.builtin_names()
                        if name in self._models}
            users = sorted((m.name, m) for m in self._models.values() if m.name not in builtins)
            self._models = builtins | dict(users)
            self._all = True

    def _duplicate(self, path: Path, first: Path) -> None:
        if str(path) not in self._problems:
            from pixazo_cli.models.source import file_error

            error = file_error(str(path), ("name",), f"the model {path.stem!r} is already "
                               f"defined by {first}", hint="Remove or rename one of them.")
            self._problems[str(path)] = error
            self.warn(error)

    def __iter__(self) -> Iterator[str]:
        self._read_all()
        return iter(list(self._models))

    def __len__(self) -> int:
        self._read_all()
        return len(self._models)

    def problems(self) -> list[ModelFileError]:
        """Every file left out, once all were read."""
        self._read_all()
        return list(self._problems.values())

    def by_path(self, path: str) -> Model | None:
        """The model whose endpoint (or stream endpoint) is `path`; the first by name."""
        return next((m for m in self.values() if path in (m.path, m.stream_path)), None)

    @contextlib.contextmanager
    def builtin_only(self) -> Iterator[None]:
        """The shipped models alone, whatever the user has (the generated docs)."""
        with self._lock:
            self._builtin_only = True
            self.reset()
        try:
            yield
        finally:
            with self._lock:
                self._builtin_only = False
                self.reset()
