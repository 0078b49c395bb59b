"""`pixazo assets derive` and `pixazo assets merge`, once their flags are parsed: derive saved
originals on every core (no request is sent: post-processing is local and free), record them
in each folder's assets.json, and join the manifests of shards."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixazo_cli.assets.options import AssetOptions
from pixazo_cli.errors import UsageError, most_severe, report

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".avif"}


def run_derive(paths: list[Path], options: AssetOptions, jobs: int | None, json_out: bool,
               quiet: bool) -> int:
    from pixazo_cli.assets.engine import DeriveEngine, Outcome
    from pixazo_cli.assets.manifest import Recorder
    from pixazo_cli.assets.naming import check_stems
    from pixazo_cli.ui.output import Ui

    if not options.wanted:
        raise UsageError("Nothing to derive.", hint="Give --size, --to, --widths, --strip, "
                         "--placeholder or --html.")
    recorder = Recorder()
    originals = originals_in(paths)
    if options.makes_files:
        check_stems(originals)
    ui = Ui(quiet=quiet, json_mode=json_out)
    codes: list[int] = []
    counts = {"derived": 0, "reused": 0}

    def done(outcome: Outcome) -> None:
        error = outcome.error
        if error is not None:
            codes.append(error.exit_code)
            report(error, sys.stderr)
            if json_out:
                ui.result_json({"status": "error", "original": str(outcome.original),
                                "error": error.message, "exit_code": error.exit_code})
            return
        assert outcome.asset is not None
        recorder.add(outcome.asset)
        counts["reused" if outcome.reused else "derived"] += 1
        for note in outcome.asset.notes:
            ui.say(f"Note: {outcome.original}: {note}")
        _print(ui, outcome, options, json_out)

    try:
        with DeriveEngine(options, done, workers=jobs, previous=recorder.previous) as engine:
            for original in originals:
                engine.submit(original)
    finally:  # stopped (Ctrl-C, a failure): what was derived is still recorded
        written = recorder.flush()
    ui.say(f"{counts['derived']} derived, {counts['reused']} already up to date, "
           f"{len(codes)} failed; manifest: {', '.join(map(str, written)) or 'none'}.")
    return most_severe(codes)


def _print(ui: Any, outcome: Any, options: AssetOptions, json_out: bool) -> None:
    from pixazo_cli.assets.html import picture_html

    asset = outcome.asset
    snippet = picture_html(asset, options.sizes) if options.html else None
    if json_out:
        data = {"status": "ok", "reused": outcome.reused,
                **asset.as_json(asset.original.path.parent)}
        data["original"]["path"] = str(asset.original.path)
        for made, entry in zip(asset.derived, data["derived"]["files"], strict=True):
            entry["path"] = str(made.path)
        ui.result_json({**data, "html": snippet} if snippet else data)
    elif snippet is not None:
        ui.result_line(snippet.rstrip("\n"))
    else:
        for made in asset.derived:
            ui.result_value(str(made.path))


def originals_in(paths: list[Path]) -> list[Path]:
    """The originals named: files as given, and in a folder its images (not hidden ones, not
    the files its manifest lists as derived, nor the tool's sheet pages and grid.png)."""
    from pixazo_cli.assets.manifest import derived_names
    from pixazo_cli.compare.sheet import picture_of_the_folder

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            derived = derived_names(path)
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
                            and not p.name.startswith(".") and p.name not in derived
                            and not picture_of_the_folder(p.name) and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"No such file or folder: {path}.")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise UsageError("No images to derive from.", hint="Give image files or folders.")
    return unique


def run_merge(inputs: list[Path], output: Path, quiet: bool) -> None:
    from pixazo_cli.assets.manifest import merge
    from pixazo_cli.ui.output import Ui, counted

    count = merge(inputs, output)
    ui = Ui(quiet=quiet)
    ui.result_value(str(output))
    ui.say(f"{counted(count, 'asset')} from {counted(len(inputs), 'manifest')} in {output}.")


def options_in_force(session: Any, flags: dict[str, Any], to_stdout: bool = False,
                     no_wait: bool = False) -> AssetOptions | None:
    """What one command (a model command, replay, -n, grid) derives: the config's [assets]
    defaults under its flags, checked before anything is paid for; None for nothing. With -o -
    or --no-wait there is no saved file to derive from: flags are refused, defaults left out."""
    from pixazo_cli.assets.options import Layers

    options = Layers(session.settings.asset_defaults, flags).options()
    if options is None or not (to_stdout or no_wait):
        return options
    if not any(value is not None for value in flags.values()):
        return None  # the config's defaults: for the commands that save files
    if to_stdout:
        raise UsageError("-o - writes the image to stdout and saves no file to derive from.",
                         hint="Save it with -o FILE or -d DIR.")
    raise UsageError("--no-wait leaves the image at the gateway, with nothing to derive yet.",
                     hint="Drop --no-wait, or derive later: pixazo status ID --wait, then "
                     "pixazo assets derive FILE.")


def deriving_view(view: Any, options_at: Any, entry_at: Any, folder: Path) -> Any:
    """A batch's view (batch, -n, grid) with its images derived, their folder checked first
    (an assets.json pixazo did not write is refused before paying)."""
    from pixazo_cli.assets.follow import check_folder
    from pixazo_cli.batch.deriving import DerivingView

    check_folder(folder)
    return DerivingView(view, options_at, entry_at, folder)


@dataclass
class Derived:
    """What a command's images gave: each original's fields (assets/follow.py), by place."""

    found: dict[str, dict[str, Any]] | None = None
    code: int = 0  # 8 when some image's assets could not be made


@contextmanager
def deriving(session: Any, options: AssetOptions | None, folder: Path, outcome: Any,
             json_out: bool) -> Iterator[Derived]:
    """Derive each image of one command as it is saved (in this process: one request's images
    need no pool), then wait and, unless --json, print what was made after the originals."""
    made = Derived()
    if options is None:
        yield made
        return
    from pixazo_cli.assets.follow import Deriving, check_folder, where
    from pixazo_cli.ui.output import derived_results

    check_folder(folder)
    follower = Deriving(lambda _: options, session.ui.say, workers=0)
    session.events.add(follower)
    follower.start()
    try:
        yield made
    finally:
        made.code = follower.close()  # Ctrl-C here: what runs finishes whole, then it stops
        made.found = follower.made
        if not json_out:
            for saved in outcome.files:
                derived_results(session.ui, saved.path, made.found.get(where(saved.path), {}),
                                paths=not options.html)
