"""`pixazo assets derive` and `pixazo assets merge`, once their flags are parsed: derive saved
originals on every core (no request is sent: post-processing is local and free), record them
in each folder's assets.json, and join the manifests of shards."""

from __future__ import annotations

import sys
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
    originals = originals_in(paths, recorder)
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
            ui.result_line(str(made.path))


def originals_in(paths: list[Path], recorder: Any) -> list[Path]:
    """The originals named: files as given, and in a folder its images (not hidden ones, and
    not the files its manifest lists as derived)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            derived = _derived_names(path, recorder)
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
                            and not p.name.startswith(".") and p.name not in derived
                            and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"No such file or folder: {path}.")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise UsageError("No images to derive from.", hint="Give image files or folders.")
    return unique


def _derived_names(folder: Path, recorder: Any) -> set[str]:
    from pixazo_cli.assets.manifest import MANIFEST_NAME, entries_of, read

    data, _ = read(folder / MANIFEST_NAME)
    return {Path(made["path"]).name for entry in entries_of(data).values()
            for made in entry.get("derived", {}).get("files", [])}


def run_merge(inputs: list[Path], output: Path, quiet: bool) -> None:
    from pixazo_cli.assets.manifest import merge
    from pixazo_cli.ui.output import Ui

    count = merge(inputs, output)
    ui = Ui(quiet=quiet)
    ui.result_line(str(output))
    ui.say(f"{count} assets from {len(inputs)} manifests in {output}.")
