"""What `pixazo auth login/logout` and `pixazo config …` do: read, check and write the config
file, and tell people (on stderr) what changed; values for scripts go to stdout."""

from __future__ import annotations

import os
import sys

from pixazo_cli.errors import UsageError
from pixazo_cli.settings import config, keys


def _say(message: str) -> None:
    from pixazo_cli.sinks import stdio

    stdio.emit(sys.stderr, stdio.text(message))


def setting_names() -> list[str]:
    """Every key `config set` takes, for shell completion."""
    from pixazo_cli.models.table import MODELS

    names = list(config.TOP_KEYS)
    names += [f"{model.name}.{flag}" for model in MODELS.values() for flag in model.by_flag]
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
    return [f"{key} = {value}" for key, value in keys.flatten(config.load())]


def setting_text(key: str) -> str:
    value = keys.get_setting(config.load(), key)
    if value is None:
        raise UsageError(f"{key} is not set in {config.config_path()}.")
    return config.mask(str(value)) if key == "api_key" else str(value)


def set_setting(key: str, value: str) -> None:
    checked = keys.check_setting(key, value)
    data = config.load()
    keys.set_setting(data, key, checked)
    config.save(data)
    _say(f"{key} = {config.mask(str(checked)) if key == 'api_key' else checked}")


def unset_setting(key: str) -> None:
    data = config.load()
    if not keys.unset_setting(data, key):
        raise UsageError(f"{key} is not set in {config.config_path()}.")
    config.save(data)
    _say(f"Removed {key}.")
