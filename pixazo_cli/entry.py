"""The console script's entry point, kept tiny so that `pixazo --version` starts fast."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pixazo_cli import __version__

        sys.stdout.write(f"pixazo {__version__}\n")
        return
    from pixazo_cli.cli.app import app

    app(prog_name="pixazo")
