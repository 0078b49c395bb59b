"""`pixazo config get/set/unset`: the setting keys (top-level ones and MODEL.FLAG defaults),
checking a value before it is stored, and reading or changing one key of the file's data."""

from __future__ import annotations

import math
from typing import Any

from pixazo_cli.errors import UsageError, did_you_mean
from pixazo_cli.http.clock import MAX_SECONDS
from pixazo_cli.settings.config import ASSETS, TOP_KEYS, positive_number


def check_setting(key: str, raw: str) -> Any:
    """Validate `pixazo config set KEY VALUE` and return the value to store."""
    from pixazo_cli.flow.naming import check_template
    from pixazo_cli.models.request import check_value, coerce
    from pixazo_cli.models.table import MODELS

    model_name, dot, flag = key.partition(".")
    if dot and model_name == ASSETS:
        return _asset_setting(flag, raw)
    if dot:
        if model_name not in MODELS:
            raise UsageError(f"No model {model_name!r} in {key!r}.",
                             hint=f"{did_you_mean(model_name, MODELS)}Models: {', '.join(MODELS)}.")
        model = MODELS[model_name]
        if not model.is_flag(flag.replace("-", "_")):
            raise UsageError(f"{model_name} has no setting {flag!r}.",
                             hint=f"{model_name} takes: {', '.join(model.by_flag)}.")
        value = coerce(model, flag.replace("-", "_"), raw)
        check_value(model, flag.replace("-", "_"), value)
        return value
    if key not in TOP_KEYS:
        raise UsageError(f"Unknown setting {key!r}.",
                         hint=did_you_mean(key, TOP_KEYS) + _known_keys_hint())
    if key in ("timeout", "max_download_mb"):
        try:
            number = float(raw)
            high = MAX_SECONDS if key == "timeout" else math.inf
            positive_number({key: number}, key, 0, high)
        except (ValueError, UsageError):
            raise UsageError(f"{key} must be a positive number, not {raw!r}.") from None
        return int(number) if number.is_integer() else number
    if key in ("preview", "history"):
        if raw.strip().lower() not in ("true", "false"):
            raise UsageError(f"{key} must be true or false, not {raw!r}.")
        return raw.strip().lower() == "true"
    if key == "base_url":
        from pixazo_cli.http.client import check_transport

        check_transport(raw)
        return raw.rstrip("/")
    if key == "name":
        check_template(raw)
    return raw


def _asset_setting(name: str, raw: str) -> Any:
    """`assets.to webp:80`: a default of an asset flag, its value checked alone (how values
    combine is checked when a command runs, with its flags and a batch line's keys on top).
    Switches are stored as booleans, everything else as the text the flag takes."""
    from pixazo_cli.assets.options import FILE_KEYS, key_of, parse_options

    key = key_of(name)
    if key not in FILE_KEYS:
        names = [k.replace("_", "-") for k in FILE_KEYS]
        raise UsageError(f"No asset setting {name!r}.",
                         hint=f"{did_you_mean(name, names)}Asset settings: assets."
                         f"{', assets.'.join(names)}.")
    checked = {key: raw}
    if key in ("fit", "gravity", "pad_color"):
        checked["size"] = "1x1"  # these need --size in force: not the question here
    if key == "pad_color":
        checked["fit"] = "pad"
    if key == "upscale":
        checked["widths"] = "1"
    options = parse_options(checked)
    return getattr(options, key) if key in ("upscale", "strip") else raw.strip()


def setting_key(key: str) -> tuple[str, ...]:
    """`sdxl.steps` lives in the [sdxl] table; flags may be written with dashes."""
    model_name, dot, flag = key.partition(".")
    return (model_name, flag.replace("-", "_")) if dot else (key,)


def get_setting(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in setting_key(key):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_setting(data: dict[str, Any], key: str, value: Any) -> None:
    *tables, leaf = setting_key(key)
    node = data
    for table in tables:
        node = node.setdefault(table, {})
    node[leaf] = value


def unset_setting(data: dict[str, Any], key: str) -> bool:
    *tables, leaf = setting_key(key)
    node = data
    for table in tables:
        node = node.get(table, {})
    if leaf not in node:
        return False
    del node[leaf]
    if tables and not data[tables[0]]:
        del data[tables[0]]
    return True


def flatten(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every setting as (dotted key, stored value); whoever prints them masks the key."""
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            rows += [(f"{key}.{flag}", v) for flag, v in value.items()]
        else:
            rows.append((key, value))
    return rows


def _known_keys_hint() -> str:
    return (f"Settings: {', '.join(TOP_KEYS)}, MODEL.FLAG such as sdxl.steps, or "
            "assets.FLAG such as assets.to.")
