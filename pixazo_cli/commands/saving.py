"""Where a command's images go: a folder and a name template, one file (-o PATH), or stdout
(-o -). Everything checkable is checked here, before anything is paid for."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pixazo_cli.commands.options import OutputOptions
from pixazo_cli.commands.session import Session
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.generate import Outcome
from pixazo_cli.flow.naming import SaveOptions, check_template


def save_options(session: Session, output: OutputOptions) -> SaveOptions:
    if output.output is None:
        template = output.name or session.settings.name_template
        if template:  # None: the default, known good
            check_template(template)  # every path checks it here, -n as the single command
        return SaveOptions(session.settings.output_dir, template, output.overwrite,
                           output.sidecar)
    if output.name:
        raise UsageError("-o/--output already names the file; --name has nothing to name.",
                         hint="Drop --name, or use -d/--output-dir with --name.")
    if output.output.endswith(("/", "\\")) or Path(output.output).expanduser().is_dir():
        raise UsageError(f"-o/--output takes a file's path; {output.output} is a folder.",
                         hint=f"Save into a folder with -d {output.output}.")
    # As with curl, a relative -o is taken inside -d when both are given.
    target = (output.out_dir or Path()) / Path(output.output).expanduser()
    return SaveOptions(target.parent, target.name, output.overwrite, output.sidecar,
                       one_file=True)


@contextmanager
def destination(session: Session, output: OutputOptions,
                images: int | None) -> Iterator[SaveOptions]:
    """The SaveOptions to run the flow with; for -o -, a private folder whose one image is
    written to stdout by `emit` and then removed. `images`: how many are expected, if known."""
    if not output.to_stdout:
        yield save_options(session, output)
        return
    check_stdout_target(output, images)
    with tempfile.TemporaryDirectory(prefix="pixazo-") as folder:
        yield SaveOptions(Path(folder), to_stdout=True)


def check_stdout_target(output: OutputOptions, images: int | None) -> None:
    if sys.stdout.isatty():
        raise UsageError("-o - writes the image's bytes to stdout, which is a terminal here.",
                         hint="Redirect it (`-o - > fox.png`, `-o - | convert - …`), or give "
                         "a file name.")
    if output.json_out:
        raise UsageError("-o - and --json both want stdout; pick one.")
    if output.sidecar or output.name:
        raise UsageError("-o - saves no file, so --sidecar and --name do not apply.")
    if images is not None and images != 1:
        raise UsageError(f"-o - writes exactly one image; this request makes {images}.",
                         hint="Ask for one image, or save them with -d DIR.")


def emit(session: Session, output: OutputOptions, outcome: Outcome) -> None:
    """For -o -: the one image's bytes to stdout (the flow refused to save more than one)."""
    if output.to_stdout and outcome.files:
        session.ui.result_bytes(outcome.files[0].path.read_bytes())
