"""The plan of an X/Y grid: one prompt over the cartesian product of one or two axes, each a flag
and its values, every cell a checked request before anything is sent.

`--x steps=10,20,30` lists values; `--x steps=10..30:10` is a range; `--x prompt=a fox|a wolf`
takes whole prompts (split on `|`, since prompts have commas of their own)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from pixazo_cli.batch.jobfile import BatchJob, canonical_hash
from pixazo_cli.errors import UsageError
from pixazo_cli.models.request import ApiRequest, build_request, cli_name, coerce, derived_seed
from pixazo_cli.models.table import Model

MAX_CELLS = 100  # a typo in a range must not order a thousand paid images
PROMPT_AXIS = "prompt"
_RANGE = re.compile(r"^(-?[\d.]+)\.\.(-?[\d.]+):([\d.]+)$")


@dataclass(frozen=True)
class Axis:
    flag: str  # a vocabulary flag, or "prompt"
    values: tuple[Any, ...]

    def label(self, value: Any) -> str:
        return f"{self.flag}={value}"


@dataclass(frozen=True)
class Cell:
    row: int  # 0-based, along y
    column: int  # 0-based, along x
    request: ApiRequest
    labels: tuple[str, ...]

    @property
    def name(self) -> str:
        """The cell's fixed file name template: a re-run finds it, nothing else clashes."""
        return f"cell-r{self.row + 1}-c{self.column + 1}.{{ext}}"


@dataclass(frozen=True)
class GridPlan:
    model: Model
    prompt: str
    x: Axis
    y: Axis | None
    cells: tuple[Cell, ...]
    shared: str = ""  # what every cell shares (--set, --param, the seed), as canonical JSON

    @property
    def columns(self) -> int:
        return len(self.x.values)

    @property
    def rows(self) -> int:
        return len(self.y.values) if self.y else 1

    def jobs(self) -> list[BatchJob]:
        return [BatchJob(index, cell.request, cell.name, f"{canonical_hash(cell.request)[:32]}#1")
                for index, cell in enumerate(self.cells, start=1)]

    def folder_name(self) -> str:
        """Same grid, same folder: re-running it resumes instead of paying again."""
        from pixazo_cli.flow.naming import slugify

        # Every setting that changes a cell is in the hash: another --set is another grid.
        axes = repr((self.x, self.y)).encode() + self.shared.encode()
        return f"grid-{self.model.name}-{slugify(self.prompt, 24)}-" \
               f"{hashlib.sha256(axes + self.prompt.encode()).hexdigest()[:6]}"

    def describe(self) -> dict[str, Any]:
        """The grid's own part of the generation record embedded in the composed PNG."""
        return {"x": {"flag": self.x.flag, "values": list(self.x.values)},
                "y": {"flag": self.y.flag, "values": list(self.y.values)} if self.y else None,
                "cells": [{"row": c.row + 1, "column": c.column + 1, "body": c.request.body}
                          for c in self.cells]}


def parse_axis(spec: str, option: str) -> Axis:
    flag, eq, raw = spec.partition("=")
    flag = flag.strip().lstrip("-").replace("-", "_")
    if not eq or not flag or not raw.strip():
        raise UsageError(f"{option} wants FLAG=V1,V2,… (or FLAG=A..B:STEP), not {spec!r}.",
                         hint=f"For example: {option} steps=10,20,30")
    if flag == PROMPT_AXIS:
        values: tuple[Any, ...] = tuple(p.strip() for p in raw.split("|") if p.strip())
    else:
        values = tuple(_range(raw, option) if _RANGE.match(raw.strip()) else
                       (v.strip() for v in raw.split(",") if v.strip()))
    if not values:
        raise UsageError(f"{option} {flag}= lists no values.",
                         hint=f"For example: {option} steps=10,20,30")
    return Axis(flag, values)


def _checked_axis(model: Model, axis: Axis, option: str) -> Axis:
    """The axis's values as the model takes them: `seed=1,01,001` is one value three times,
    which would pay three times for one picture."""
    if axis.flag == PROMPT_AXIS:
        values: tuple[Any, ...] = axis.values
    else:
        values = tuple(coerce(model, axis.flag, value) for value in axis.values)
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise UsageError(f"{option} {axis.flag} lists {', '.join(repeated)} more than once.",
                         hint="Each value is one paid cell: list it once.")
    return Axis(axis.flag, values)


def _range(raw: str, option: str) -> tuple[Any, ...]:
    match = _RANGE.match(raw.strip())
    assert match is not None
    try:
        start, stop, step = (float(part) for part in match.groups())
    except ValueError:
        raise UsageError(f"{option}: {raw!r} is not a range of numbers.") from None
    if step <= 0 or stop < start:
        raise UsageError(f"{option}: the range {raw!r} must go up by a positive step.")
    count = int((stop - start) / step + 1e-9) + 1
    if count > MAX_CELLS:
        raise UsageError(f"{option}: the range {raw!r} has {count} values; at most {MAX_CELLS}.")
    whole = all(p.lstrip("-").isdigit() for p in match.groups())
    values = [start + i * step for i in range(count)]
    return tuple(int(v) if whole else round(v, 6) for v in values)


def plan_grid(model: Model, prompt: str, base: dict[str, Any], params: dict[str, Any],
              x: Axis, y: Axis | None) -> GridPlan:
    """Every cell's request, checked by the same rules as the single command."""
    if y is not None and y.flag == x.flag:
        raise UsageError(f"--x and --y both vary {x.flag}; give them different flags.")
    for axis in (x, y):
        if axis and axis.flag != PROMPT_AXIS and axis.flag not in model.by_flag:
            raise UsageError(f"{model.name} has no flag {cli_name(axis.flag)} to vary.",
                             hint=f"It takes: {', '.join(model.by_flag)}, or prompt.")
    x = _checked_axis(model, x, "--x")
    y = _checked_axis(model, y, "--y") if y else None
    # As the model reads them: --set steps=08 is the grid --set steps=8 made (seed, folder).
    base = {flag: coerce(model, flag, value) for flag, value in base.items()}
    ys: tuple[Any, ...] = y.values if y else (None,)
    if len(x.values) * len(ys) > MAX_CELLS:
        raise UsageError(f"The grid has {len(x.values) * len(ys)} cells; at most {MAX_CELLS}.")
    base, shared = _one_seed(model, prompt, base, params, (x, y))
    cells = []
    for row, y_value in enumerate(ys):
        for column, x_value in enumerate(x.values):
            values, cell_prompt = dict(base), prompt
            labels = []
            for axis, value in ((x, x_value), (y, y_value)):
                if axis is None:
                    continue
                labels.append(axis.label(value))
                if axis.flag == PROMPT_AXIS:
                    cell_prompt = str(value)
                else:
                    values[axis.flag] = value
            request = _cell_request(model, cell_prompt, values, params, labels)
            cells.append(Cell(row, column, request, tuple(labels)))
    return GridPlan(model, prompt, x, y, tuple(cells), shared)


def _one_seed(model: Model, prompt: str, base: dict[str, Any], params: dict[str, Any],
              axes: tuple[Axis, Axis | None]) -> tuple[dict[str, Any], str]:
    """Every cell gets the same seed, so the cells differ only by what the axes change: the
    user's (--set seed=N), else one derived from what the cells share, so running the grid
    again sends the same requests (and pays for none). Unless the seed is itself an axis."""
    shared = json.dumps({"model": model.name, "prompt": prompt, "set": base, "param": params},
                        sort_keys=True, ensure_ascii=False, default=str)
    seed_field = model.seed_field
    varied = {axis.flag for axis in axes if axis is not None}
    if seed_field is None or "seed" in varied or base.get("seed") is not None \
            or seed_field in params:
        return base, shared
    return {**base, "seed": derived_seed(shared, model)}, shared


def _cell_request(model: Model, prompt: str, values: dict[str, Any], params: dict[str, Any],
                  labels: list[str]) -> ApiRequest:
    try:
        return build_request(model, prompt, values, params)
    except UsageError as error:
        raise UsageError(f"Grid cell {', '.join(labels)}: {error.message}",
                         hint=error.hint) from None
