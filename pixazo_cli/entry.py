"""The console script's entry point, kept tiny so that `pixazo --version` starts fast."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pixazo_cli import __version__

        sys.stdout.write(f"pixazo {__version__}\n")
        return
    if sys.argv[1:2] == ["history"] and not _completing():
        from pixazo_cli.cli.history_commands import run_alone

        run_alone(sys.argv[2:])
        return
    if _completing():
        from pixazo_cli.cli.completion import sourced_script

        script = sourced_script()
        if script is not None:  # typer's way to ask for the script: ours, as everywhere
            sys.stdout.write(script)
            return
    from pixazo_cli.cli.app import app

    if _completing():
        from pixazo_cli.cli.completion import completed_command, keep_only

        keep_only(app, completed_command())
    app(prog_name="pixazo")


def _completing() -> bool:
    return any(name.startswith(("_PIXAZO_COMPLETE", "_TYPER_COMPLETE")) for name in
               __import__("os").environ)
