"""Images shown in the terminal: `pixazo show FILE…` and `--preview` after a generation.

The picture goes to stderr's terminal, never to stdout, which keeps carrying only paths; when
stderr is not a terminal nothing is drawn at all. The protocol is picked from the environment
(kitty, or a terminal known for Sixel), else by asking the terminal (DA1, bounded by a timeout
so a silent terminal costs a fifth of a second, never a hang), else Unicode half-blocks.
PIXAZO_PREVIEW=kitty|sixel|halfblock|off overrides the choice.

textual-image draws Sixel and half-blocks as Rich renderables. Its package __init__ probes the
terminal through stdout and stdin when imported, and its Kitty renderable writes to stdout
with Unicode placeholders that only kitty honours, so: the renderables are imported without
that __init__, the cell size is measured here (on stderr), and Kitty images are sent here with
the graphics protocol's direct placement (a few lines of base64)."""

from __future__ import annotations

import base64
import io
import os
import select
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.sinks import stdio

PREVIEW_ENV = "PIXAZO_PREVIEW"
PROTOCOLS = ("kitty", "sixel", "halfblock")
QUERY_TIMEOUT = 0.2  # seconds a terminal gets to answer the DA1 query
MAX_COLUMNS = 80  # a preview is a glance, not a viewer
_SIXEL_TERMS = ("sixel", "mlterm", "foot", "contour", "yaft")
_NO_QUERY_TERMS = ("linux", "dumb", "vt100", "vt220")
_KITTY_CHUNK = 4096


def protocol(stream: TextIO, env: Mapping[str, str] | None = None) -> str | None:
    """How to draw on stream's terminal; None when it is not a terminal (or previews are off)."""
    env = os.environ if env is None else env
    if not _isatty(stream) or env.get("TERM") == "dumb":
        return None
    forced = env.get(PREVIEW_ENV, "").strip().lower()
    if forced:
        return forced if forced in PROTOCOLS else None  # "off", or anything unknown
    term, program = env.get("TERM", ""), env.get("TERM_PROGRAM", "").lower()
    if "kitty" in term or env.get("KITTY_WINDOW_ID") or "ghostty" in term + program:
        return "kitty"
    if any(name in term for name in _SIXEL_TERMS):
        return "sixel"
    if term.startswith(_NO_QUERY_TERMS):
        return "halfblock"
    return "sixel" if _answers_sixel(stream.fileno()) else "halfblock"


def show(paths: list[Path], stream: TextIO | None = None,
         env: Mapping[str, str] | None = None) -> int:
    """Draw each image on stream's terminal (stderr by default); returns how many were drawn."""
    stream = stream or sys.stderr
    how = protocol(stream, env)
    if how is None:
        return 0
    columns, rows, cell = _terminal_size(stream)
    drawn = 0
    for path in paths:
        stdio.emit(stream, stdio.text(str(path)))  # a file name: OSC 52 or a title in it
        try:
            if how == "kitty":
                _kitty(path, stream, columns, rows, cell)
            else:
                _rich(how, path, stream, columns, rows, cell)
        except Exception as exc:  # a picture that cannot be drawn (not an image, Pillow's
            # decompression-bomb guard) is said and skipped: showing is a glance, never a
            # reason for a command whose work is done to fail
            stdio.emit(stream, stdio.text(f"(cannot show {path.name}: {_why(exc)})"))
            continue
        stream.flush()
        drawn += 1
    return drawn


def _why(exc: BaseException) -> str:
    if type(exc).__name__ == "DecompressionBombError":
        return "it has more pixels than is safe to decode"
    return str(exc) or type(exc).__name__


class PreviewEvents(FlowEvents):
    """--preview: a request's images shown once it is over, after its spinner has gone."""

    def finished(self, outcome: Any, error: Any) -> None:
        show([saved.path for saved in outcome.files])


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _answers_sixel(fd: int) -> bool:
    """Ask the terminal for its attributes (DA1); "4" among them means Sixel."""
    import termios
    import tty

    try:
        saved = termios.tcgetattr(fd)
    except (termios.error, OSError):
        return False
    answer = b""
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        os.write(fd, b"\x1b[c")
        deadline = time.monotonic() + QUERY_TIMEOUT
        while not answer.endswith(b"c") and (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                break
            answer += os.read(fd, 64)
    except OSError:
        return False
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    start = answer.find(b"\x1b[?")
    return start >= 0 and b"4" in answer[start + 3:].rstrip(b"c").split(b";")


def _terminal_size(stream: TextIO) -> tuple[int, int, tuple[int, int]]:
    """Columns and rows to draw in, and a cell's size in pixels (10×20 where unknown)."""
    import fcntl
    import struct
    import termios

    columns, rows, cell = 80, 24, (10, 20)
    try:
        packed = fcntl.ioctl(stream.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        rows, columns, width, height = struct.unpack("HHHH", packed)
        if width and height and columns and rows:
            cell = (max(1, width // columns), max(1, height // rows))
    except OSError:
        pass
    return min(columns or 80, MAX_COLUMNS), max(6, (rows or 24) - 2), cell


def _fit(size: tuple[int, int], columns: int, rows: int, cell: tuple[int, int]) -> tuple[int, int]:
    """The image's size in cells, as large as fits while keeping its aspect ratio."""
    scale = min(columns * cell[0] / size[0], rows * cell[1] / size[1])
    return max(1, round(size[0] * scale / cell[0])), max(1, round(size[1] * scale / cell[1]))


def _kitty(path: Path, stream: TextIO, columns: int, rows: int, cell: tuple[int, int]) -> None:
    from PIL import Image

    with Image.open(path) as image:
        cells = _fit(image.size, columns, rows, cell)
        image.thumbnail((cells[0] * cell[0], cells[1] * cell[1]))
        png = io.BytesIO()
        image.save(png, format="PNG")
    data = base64.standard_b64encode(png.getvalue()).decode()
    chunks = [data[i:i + _KITTY_CHUNK] for i in range(0, len(data), _KITTY_CHUNK)]
    for index, chunk in enumerate(chunks):
        more = int(index < len(chunks) - 1)
        keys = f"a=T,f=100,q=2,c={cells[0]},r={cells[1]},m={more}" if index == 0 else f"m={more}"
        stream.write(f"\x1b_G{keys};{chunk}\x1b\\")
    stream.write("\n")


def _rich(how: str, path: Path, stream: TextIO, columns: int, rows: int,
          cell: tuple[int, int]) -> None:
    from rich.console import Console

    halfcell, sixel, cell_size = _renderables()
    cell_size._result = _cell_size_type()(*cell)  # the library's cache: measured on stderr
    renderable = (sixel if how == "sixel" else halfcell)(str(path), width="auto", height="auto")
    console = Console(file=stream, force_terminal=True, width=columns, height=rows,
                      color_system="truecolor" if how == "halfblock" else "standard")
    console.print(renderable)


def _renderables() -> tuple[Any, Any, Any]:
    """textual-image's half-block and Sixel renderables, without running the package __init__
    that probes stdout's terminal at import time."""
    import importlib
    import types

    name = "textual_image.renderable"
    if name not in sys.modules:
        import textual_image

        package = types.ModuleType(name)
        package.__path__ = [str(Path(textual_image.__file__).parent / "renderable")]
        sys.modules[name] = package
    halfcell = importlib.import_module(name + ".halfcell")
    sixel = importlib.import_module(name + ".sixel")
    terminal = importlib.import_module("textual_image._terminal")
    return halfcell.Image, sixel.Image, terminal.get_cell_size


def _cell_size_type() -> Any:
    from textual_image._terminal import CellSize

    return CellSize
