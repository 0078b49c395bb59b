"""What `pixazo models` prints: the model table as a person reads it, or as JSON for scripts.

Everything here is read from the models as loaded from their files (models/table.py), so the
listing can never disagree with what the model commands accept."""

from __future__ import annotations

from typing import Any

from pixazo_cli.models.request import cli_name
from pixazo_cli.models.table import MODELS, STATUS_PATH, Field, Model, model_named


def run_models(name: str | None, json_out: bool, pager: bool = True) -> None:
    """The listing (63 lines for every model) goes through the pager on a terminal."""
    from pixazo_cli.sinks import stdio
    from pixazo_cli.ui.pager import paged

    models = [model_named(name)] if name else list(MODELS.values())
    if json_out:
        data = describe(models[0]) if name else {"models": [describe(m) for m in models],
                                                 "left_out": _left_out()}
        text = stdio.json_line(data)
    else:
        text = stdio.text(detail_text(models[0]) if name else listing_text(models))
    with paged(pager) as out:
        stdio.emit(out, text)


def describe(model: Model) -> dict[str, Any]:
    """One model as JSON: stable keys, null where the table states nothing."""
    return {
        "name": model.name,
        "title": model.title,
        "endpoint": model.path,
        "stream_endpoint": model.stream_path or None,
        "queued": model.queued,
        "status_endpoint": STATUS_PATH if model.queued else None,
        "price_per_image": model.price_per_image,
        "default_format": model.default_format,
        "flags": [_describe_field(model, spec) for spec in model.fields],
        "example": model.example,
        "file": model.source,
    }


def _left_out() -> list[dict[str, Any]]:
    """The model files left out, each with its file, line, key and problem."""
    return [{"file": error.source, "line": error.line, "key": error.key or None,
             "problem": error.problem} for error in MODELS.problems()]


def _describe_field(model: Model, spec: Field) -> dict[str, Any]:
    return {
        "flag": cli_name(spec.flag),
        "field": spec.name,
        "sent_as": "header" if spec.header else "body",
        "type": spec.kind.__name__,
        "min": spec.low,
        "max": spec.high,
        "choices": list(spec.choices) or None,
        "default": spec.default,
        "required": spec.required,
        "help": model.flag_info(spec.flag).help,
    }


def listing_text(models: list[Model]) -> str:
    """Every model: a heading line, then one line per flag with its range and default."""
    blocks = []
    for model in models:
        lines = [_heading(model), f"  POST {model.path}"]
        lines += [f"  {_flag_summary(model, spec)}" for spec in model.fields]
        blocks.append("\n".join(lines))
    footer = ("Details of one model: pixazo models MODEL; for scripts: pixazo models --json.\n"
              "A model of your own: pixazo models add FILE (see docs/adding-a-model.md).")
    return "\n\n".join([*blocks, footer])


def detail_text(model: Model) -> str:
    rows = [("endpoint", f"POST {model.path}")]
    if model.stream_path:
        rows.append(("stream", f"POST {model.stream_path} (with --stream)"))
    rows.append(("kind", _kind(model)))
    rows.append(("price", _price(model)))
    rows.append(("format", f"{model.default_format} unless --format says otherwise"
                 if "format" in model.by_flag else model.default_format))
    width = max(len(label) for label, _ in rows)
    lines = [f"{model.name}: {model.title}", ""]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    lines += ["", "Flags (each sent as the gateway's own field name):"]
    table = [(f"{cli_name(s.flag)} {model.flag_info(s.flag).metavar}".strip(),
              f"{s.name} (header)" if s.header else s.name, _values(model, s))
             for s in model.fields]
    flag_w = max((len(row[0]) for row in table), default=0)
    field_w = max((len(row[1]) for row in table), default=0)
    lines += [] if table else ["  none: the prompt only"]
    lines += [f"  {flag:<{flag_w}}  {field:<{field_w}}  {values}".rstrip()
              for flag, field, values in table]
    if model.example:
        lines += ["", "Example:", f"  {model.example}"]
    lines += ["", f"From the model file {model.source}.",
              f"All options, including saving and output: pixazo {model.name} --help"]
    return "\n".join(lines)


def _heading(model: Model) -> str:
    kind = "queued" if model.queued else "sync"
    return f"{model.name}: {model.title} · {kind} · {_price(model)}"


def _kind(model: Model) -> str:
    if model.queued:
        return f"queued (the job is polled at GET {STATUS_PATH})"
    return "sync (the reply carries the image URL)"


def _price(model: Model) -> str:
    if model.price_per_image is None:
        return "no price stated by the vendor"
    return f"${model.price_per_image:.2f} per image"


def _flag_summary(model: Model, spec: Field) -> str:
    metavar = model.flag_info(spec.flag).metavar
    name = f"{cli_name(spec.flag)} {metavar}".strip()
    return f"{name}: {_values(model, spec)}"


def _values(model: Model, spec: Field) -> str:
    """The values a field takes, then its default, in words."""
    if spec.kind is bool:
        words = f"on or off ({model.flag_info(spec.flag).off_switch} turns it off)"
    elif spec.choices:
        words = "one of " + ", ".join(spec.choices)
    elif spec.range_words:
        words = f"{_number(spec.kind)} {spec.range_words}"
    elif spec.kind is not str:
        words = _number(spec.kind)
    else:
        words = {"ratio": "a ratio such as 16:9", "url": "http(s) URL",
                 "webhook": "https URL"}.get(spec.check, "text")
    if spec.default is not None:
        return f"{words}; default {spec.default}"
    if spec.required:
        return f"{words}; required"
    if spec.flag == "seed":
        return f"{words}; default: a random one, recorded in the image"
    return words  # the gateway applies its own default


def _number(kind: type) -> str:
    return "whole number" if kind is int else "number"
