"""`show`, `grid` and `sheet`: looking at images and comparing them, once the flags are parsed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pixazo_cli.assets.options import AssetOptions
from pixazo_cli.commands.assets import deriving_view, options_in_force
from pixazo_cli.commands.generate import wants_preview
from pixazo_cli.commands.options import GlobalOptions, GridOptions
from pixazo_cli.commands.session import Session
from pixazo_cli.errors import PixazoError, UsageError, most_severe
from pixazo_cli.models.request import parse_params
from pixazo_cli.models.table import Model

T = TypeVar("T")


def run_show(paths: list[Path]) -> None:
    import sys

    from pixazo_cli.flow.files import is_image_file
    from pixazo_cli.ui.preview import show

    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"No such file: {', '.join(missing)}.")
    others = [str(p) for p in paths if not is_image_file(p)]
    if others:  # refused before anything is drawn, on a terminal or not
        raise UsageError(f"Not an image (PNG, JPEG or WEBP): {', '.join(others)}.")
    if not show(paths) and not sys.stderr.isatty():
        sys.stderr.write("Not a terminal: nothing shown.\n")


def run_sheet(paths: list[Path], out_dir: Path | None, overwrite: bool = False) -> None:
    from pixazo_cli.compare.sheet import write_sheet
    from pixazo_cli.ui.output import Ui

    if out_dir is None:
        out_dir = paths[0] if len(paths) == 1 and paths[0].is_dir() else Path("sheet")
    sheet = write_sheet(paths, out_dir, overwrite=overwrite)
    ui = Ui()
    _say_problems(ui, sheet)
    ui.result_value(str(sheet.html))
    for png in sheet.pngs:
        ui.result_value(str(png))


def after_the_images(session: Session, what: str, make: Callable[[], T]) -> T | None:
    """A picture made of images already paid for and saved (a contact sheet, grid.png): its
    failure (nothing saved, a file pixazo did not make in the way, a decompression bomb, a
    full disk) is said, never the command's exit code, which stays that of the paid work."""
    try:
        return make()
    except PixazoError as error:
        session.ui.say(f"No {what}: {error.message}")
        if error.hint:
            session.ui.say(f"Hint: {error.hint}")
    except OSError as error:  # a folder that cannot be read: still not the run's failure
        session.ui.say(f"No {what}: {error.strerror or error}.")
    except Exception as exc:
        session.ui.say(f"Warning: no {what} ({type(exc).__name__}: {exc}); the images are "
                       "saved.")
    return None


def write_batch_sheet(session: Session, folder: Path, overwrite: bool = False) -> None:
    """`batch --sheet` and `grid`: the sheet of what the run saved, named on stderr. The run's
    paid work is done: a sheet that cannot be written is a message, never the run's failure."""
    from pixazo_cli.compare.sheet import NothingToShow, write_sheet

    def make() -> Any:
        try:
            return write_sheet([folder], folder, title=f"pixazo: {folder.name}",
                               overwrite=overwrite)
        except NothingToShow:  # a run stopped before its first image: no advice needed
            session.ui.say(f"No contact sheet yet: no image is saved in {folder}.")
            return None

    sheet = after_the_images(session, "contact sheet", make)
    if sheet is not None:
        _say_problems(session.ui, sheet)
        session.ui.say(f"Contact sheet: {sheet.html} ({sheet.count} images)")


def _say_problems(ui: Any, sheet: Any) -> None:
    for path, problem in sheet.problems:
        ui.say(f"No thumbnail for {path}: {problem}.")


def run_grid(model: Model, prompt: str, options: GridOptions, globals_: GlobalOptions) -> int:
    from pixazo_cli.compare.grid import parse_axis, plan_grid

    x = parse_axis(options.x, "--x")
    y = parse_axis(options.y, "--y") if options.y else None
    output = options.output
    with Session(globals_, json_mode=output.json_out, out_dir=output.out_dir,
                 timeout=output.timeout) as session:
        assets = options_in_force(session, options.assets)
        base = dict(session.settings.model_defaults.get(model.name, {}))
        base.update(_settings(model, options.settings))
        plan = plan_grid(model, prompt, base, parse_params(list(options.params)), x, y)
        if options.dry_run:
            _grid_dry_run(session, plan, output.json_out)
            return 0
        folder = session.settings.output_dir
        if output.out_dir is None:
            folder = folder / plan.folder_name()
        return _run_grid(session, plan, folder, options, assets)


def _settings(model: Model, pairs: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        flag, eq, value = pair.partition("=")
        flag = flag.strip().lstrip("-").replace("-", "_")
        if not eq or not model.is_flag(flag):
            raise UsageError(f"--set wants FLAG=VALUE with a flag such as steps, not {pair!r}.")
        values[flag] = value
    return values


def _grid_dry_run(session: Session, plan: Any, json_out: bool) -> None:
    from pixazo_cli.batch.guards import request_cents

    images = sum(cell.request.expected_images for cell in plan.cells)
    cost = None if plan.model.price_per_image is None else \
        sum(request_cents(cell.request) for cell in plan.cells) / 100
    if json_out:
        session.ui.result_json({"model": plan.model.name, "requests": len(plan.cells),
                                "columns": plan.columns, "rows": plan.rows, "images": images,
                                "cost": cost, "cells": [list(c.labels) for c in plan.cells]})
    else:
        session.ui.result_line(f"{len(plan.cells)} requests ({plan.columns} × {plan.rows}) to "
                               f"{plan.model.name}, {images} image(s)"
                               + (f", ${cost:.2f} at the vendor's stated price"
                                  if cost is not None else ""))
        for cell in plan.cells:
            session.ui.result_line(f"  r{cell.row + 1} c{cell.column + 1}  "
                                   + "  ".join(cell.labels))
    session.ui.say("Dry run: nothing was sent.")


def _run_grid(session: Session, plan: Any, folder: Path, options: GridOptions,
              assets: AssetOptions | None) -> int:
    from pixazo_cli.batch.manifest import MANIFEST_NAME, Manifest
    from pixazo_cli.batch.run import BatchOptions, BatchRun
    from pixazo_cli.flow.files import check_folder
    from pixazo_cli.flow.naming import SaveOptions
    from pixazo_cli.ui.batchview import BatchView

    check_folder(folder)
    save = SaveOptions(folder, None, options.output.overwrite, False)
    jobs = plan.jobs()
    view = BatchView(session.ui, len(jobs), options.output.json_out, folder)
    manifest = Manifest(folder / MANIFEST_NAME)
    batch = BatchRun(session, jobs, BatchOptions(save, options.concurrency, options.rate_limit,
                                                 job_timeout=session.settings.timeout,
                                                 origin=session.origin(), job_word="cell"),
                     _deriving(view, assets, jobs, manifest, folder), session.recorder(),
                     manifest)
    code = most_severe([batch.run(), *getattr(batch.view, "codes", [])])
    with batch.manifest:
        files = {job.line: (batch.manifest.get(job.key) or {}).get("files") or []
                 for job in jobs}
    cells = [files[number][0]["path"] if files[number] else None
             for number in range(1, len(jobs) + 1)]
    overwrite = options.output.overwrite
    after_the_images(session, "pixazo-grid.json",
                     lambda: _write_grid_file(plan, folder, cells, overwrite))
    picture = after_the_images(session, "grid.png",
                               lambda: compose_grid_png(plan, folder, cells, overwrite))
    if options.output.json_out:
        session.ui.result_json({"grid": str(picture) if picture else None,
                                "folder": str(folder), "exit_code": code})
    elif picture is not None and not (assets and assets.html):  # --html: the snippets alone
        session.ui.result_value(str(picture))
    elif picture is not None:
        session.ui.say(f"Grid: {picture}")
    write_batch_sheet(session, folder, overwrite)
    if picture is not None and wants_preview(session, options.preview):
        from pixazo_cli.ui.preview import show

        show([picture])
    return code


def _deriving(view: Any, assets: AssetOptions | None, jobs: list[Any], manifest: Any,
              folder: Path) -> Any:
    """The grid's view, with each cell's image derived (a re-run: from the saved ones)."""
    if assets is None:
        return view
    view.show_paths = not assets.html
    return deriving_view(view, lambda _: assets,
                         lambda line: manifest.get(jobs[line - 1].key), folder)


def _write_grid_file(plan: Any, folder: Path, cells: list[str | None],
                     overwrite: bool) -> None:
    from pixazo_cli.compare.sheet import GRID_FILE

    described = plan.describe()
    for cell, data, name in zip(plan.cells, described["cells"], cells, strict=True):
        data.update(file=name, x=cell.labels[0], y=cell.labels[1] if plan.y else None)
    from pixazo_cli.sinks.terminal import json_text

    _write_made(folder, GRID_FILE, json_text(described, indent=1).encode("utf-8"), overwrite)


def compose_grid_png(plan: Any, folder: Path, cells: list[str | None],
                     overwrite: bool = False) -> Path:
    """The labelled grid, carrying a generation record of the whole grid."""
    import io

    from pixazo_cli.compare.compose import Tile, compose_grid
    from pixazo_cli.compare.sheet import GRID_PNG
    from pixazo_cli.flow.generate import generation_record
    from pixazo_cli.flow.ledger import Outcome
    from pixazo_cli.record import embed

    tiles = [[Tile(folder / name if name else None) for name in cells[r * plan.columns:
                                                                       (r + 1) * plan.columns]]
             for r in range(plan.rows)]
    x_labels = [plan.x.label(v) for v in plan.x.values]
    y_labels = [plan.y.label(v) for v in plan.y.values] if plan.y else None
    image = compose_grid(tiles, x_labels, y_labels)
    first = plan.cells[0].request
    record = {**generation_record(Outcome(plan.model.name, request=first)),
              "grid": plan.describe()}
    plain, recorded = io.BytesIO(), io.BytesIO()
    image.save(plain, "PNG")
    plain.seek(0)
    embed(plain, recorded, record, "png")
    return _write_made(folder, GRID_PNG, recorded.getvalue(), overwrite)


def _write_made(folder: Path, name: str, data: bytes, overwrite: bool) -> Path:
    """Through the one writer: a re-run replaces the grid's own file, never another's."""
    from pixazo_cli.sinks.files import Folder
    from pixazo_cli.sinks.made import MadeHere

    with Folder.open(folder) as where:
        made_here = MadeHere.load(where)
        placed = made_here.write(name, data, overwrite)
        made_here.save(overwrite)
    return placed.path
