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
    if spec.low is not None and spec.high is not None:
        text += f" {spec.low:g}–{spec.high:g}"
    elif spec.low is not None or spec.high is not None:  # one bound alone
        text += f" ≥{spec.low:g}" if spec.low is not None else f" ≤{spec.high:g}"
    if spec.default is not None:
        text += f" (def {spec.default})"
    return text


def flag_table_markdown() -> str:
    """The README's table: the shared flags across the built-in models (read from their
    model files, whatever model files of their own the person running it has)."""
    with MODELS.builtin_only():
        models = list(MODELS.values())
    lines = ["| flag | " + " | ".join(m.name for m in models) + " |",
             "|---|" + "---|" * len(models)]
    for flag, info in FLAGS.items():
        name = cli_name(flag) + (f"/{info.off_switch}" if info.off_switch else "")
        cells = [_cell(model.by_flag.get(flag)) for model in models]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
