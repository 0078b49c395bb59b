"""What `pixazo auth login/logout` and `pixazo config …` do: read, check and write the config
file, and tell people (on stderr) what changed; values for scripts go to stdout."""

from __future__ import annotations

import os
import sys
from typing import Any

from pixazo_cli.errors import UsageError
from pixazo_cli.settings import config, keys


def _say(message: str) -> None:
    from pixazo_cli.sinks import stdio

    stdio.emit(sys.stderr, stdio.text(message))


def setting_names() -> list[str]:
    """Every key `config set` takes, for shell completion."""
    from pixazo_cli.assets.options import FILE_KEYS
    from pixazo_cli.models.table import MODELS

    names = list(config.TOP_KEYS)
    names += [f"{model.name}.{flag}" for model in MODELS.values() for flag in model.by_flag]
    names += [f"{config.ASSETS}.{key.replace('_', '-')}" for key in FILE_KEYS]
    return names


def login(raw_key: str) -> None:
    key = config.clean_key(raw_key, "the input")
    if not key:
        raise UsageError("That is not an API key (empty, or it has spaces in it).",
                         hint="Paste the key from your Pixazo dashboard.")
    data = config.load()
    data["api_key"] = key
    path = config.save(data)
    _say(f"Saved the API key ({config.mask(key)}) to {path}.")
    if os.environ.get(config.ENV_KEY):
        _say(f"Note: {config.ENV_KEY} is set and takes precedence over the config file.")


def logout() -> None:
    data = config.load()
    if data.pop("api_key", None) is None:
        _say("No API key was stored in the config file.")
    else:
        config.save(data)
        _say(f"Removed the API key from {config.config_path()}.")
    if os.environ.get(config.ENV_KEY):
        _say(f"Note: {config.ENV_KEY} is still set in this shell and will be used.")


def config_path() -> str:
    return str(config.config_path())


def settings_lines() -> list[str]:
    return [f"{key} = {_shown(key, value)}" for key, value in keys.flatten(config.load())]


def _shown(key: str, value: Any) -> str:
    """A setting's value as `config set` takes it (true, 30, avif,webp), so what `list` and
    `get` print can be typed back; the key is masked."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return config.mask(str(value)) if key == "api_key" else str(value)


def setting_text(key: str) -> str:
    """The value in force (stdout, for scripts); where it comes from goes to stderr. A
    top-level key always has one, its built-in default at least (the key excepted)."""
    data = config.load()
    if "." not in key and key not in config.TOP_KEYS:
        keys.check_setting(key, "")  # raises: which keys there are, and a close one
    value, source = _in_force(key, data) if key in config.TOP_KEYS else \
        (keys.get_setting(data, key), "")
    if value is None:
        raise UsageError(f"{key} is not set in {config.config_path()}.",
                         hint=f"Nor is {config.ENV_KEY}." if key == "api_key" else None)
    if source:
        _say(f"({source})")
    return _shown(key, value)


_ENVIRONMENT = {"api_key": config.ENV_KEY, "base_url": config.ENV_BASE_URL}


def _in_force(key: str, data: dict[str, Any]) -> tuple[Any, str]:
    """A top-level setting as config.resolve applies it: environment > config file > built-in
    default (flags, being per command, are not known here)."""
    from pixazo_cli.flow.naming import DEFAULT_TEMPLATE

    variable = _ENVIRONMENT.get(key, "PIXAZO_HISTORY" if key == "history" else "")
    given = os.environ.get(variable, "").strip() if variable else ""
    if given and key != "history":
        return given, f"from the environment, {variable}"
    if given.lower() in ("0", "false", "no", "off"):
        return False, f"from the environment, {variable}"
    if key in data:
        return data[key], f"from the config file, {config.config_path()}"
    defaults = {"base_url": config.DEFAULT_BASE_URL, "timeout": config.DEFAULT_TIMEOUT,
                "max_download_mb": config.DEFAULT_MAX_DOWNLOAD_MB, "output_dir": ".",
                "name": DEFAULT_TEMPLATE, "preview": False, "history": True}
    return defaults.get(key), "the built-in default"


def set_setting(key: str, value: str) -> None:
    checked = keys.check_setting(key, value)
    data = config.load()
    keys.set_setting(data, key, checked)
    config.save(data)
    _say(f"{key} = {_shown(key, checked)}")


def unset_setting(key: str) -> None:
    data = config.load()
    if not keys.unset_setting(data, key):
        raise UsageError(f"{key} is not set in {config.config_path()}.")
    config.save(data)
    _say(f"Removed {key}.")
