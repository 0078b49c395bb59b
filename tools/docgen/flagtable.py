"""Documentation generated from the model table, so the README cannot drift from the code
(a test compares them)."""

from __future__ import annotations

from pixazo_cli.models.request import cli_name
from pixazo_cli.models.table import FLAGS, MODELS, Field


def _cell(spec: Field | None) -> str:
    if spec is None:
        return "–"
    text = f"`{spec.name}`"
    if spec.choices:
        text += " " + "/".join(spec.choices)
    if spec.low is not None:
        text += f" {spec.low:g}–{spec.high:g}" if spec.high is not None else f" ≥{spec.low:g}"
    if spec.default is not None:
        text += f" (def {spec.default})"
    return text


def flag_table_markdown() -> str:
    lines = ["| flag | " + " | ".join(MODELS) + " |", "|---|" + "---|" * len(MODELS)]
    for flag, info in FLAGS.items():
        name = cli_name(flag) + (f"/{info.off_switch}" if info.off_switch else "")
        cells = [_cell(model.by_flag.get(flag)) for model in MODELS.values()]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
