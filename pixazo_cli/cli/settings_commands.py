"""`pixazo auth …` and `pixazo config …`: the key and the config file, from the command line."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from pixazo_cli.cli.options import BaseUrl, Quiet, Sandbox, Verbose, global_options
from pixazo_cli.errors import UsageError
from pixazo_cli.settings import config, keys

auth_app = typer.Typer(help="Store, check or forget the API key.", no_args_is_help=True)
config_app = typer.Typer(help="Read and change settings in the config file.",
                         no_args_is_help=True)


def setting_names() -> list[str]:
    """Every key `config set` takes, for shell completion."""
    from pixazo_cli.models.table import MODELS

    names = list(config.TOP_KEYS)
    names += [f"{model.name}.{flag}" for model in MODELS.values() for flag in model.by_flag]
    return names


def _complete_key(incomplete: str) -> list[str]:
    return [name for name in setting_names() if name.startswith(incomplete)]


SettingKey = Annotated[str, typer.Argument(
    metavar="KEY", autocompletion=_complete_key,
    help="A setting: api_key, base_url, output_dir, name, timeout, max_download_mb, or "
    "MODEL.FLAG such as sdxl.steps.")]


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


@auth_app.command(help="Store the API key: asked for hidden, or read from stdin when piped.")
def login() -> None:
    if sys.stdin.isatty():
        key = typer.prompt("Pixazo API key", hide_input=True, err=True)
    else:
        key = sys.stdin.readline()
    key = config.clean_key(key, "the input")
    if not key:
        raise UsageError("That is not an API key (empty, or it has spaces in it).",
                         hint="Paste the key from your Pixazo dashboard.")
    data = config.load()
    data["api_key"] = key
    path = config.save(data)
    _say(f"Saved the API key ({config.mask(key)}) to {path}.")
    if os.environ.get(config.ENV_KEY):
        _say(f"Note: {config.ENV_KEY} is set and takes precedence over the config file.")


@auth_app.command(help="Remove the API key from the config file.")
def logout() -> None:
    data = config.load()
    if data.pop("api_key", None) is None:
        _say("No API key was stored in the config file.")
    else:
        config.save(data)
        _say(f"Removed the API key from {config.config_path()}.")
    if os.environ.get(config.ENV_KEY):
        _say(f"Note: {config.ENV_KEY} is still set in this shell and will be used.")


@auth_app.command("status", help="Show where the key comes from, masked (exit 3 when none). "
                  "--check also asks the gateway whether it takes the key, without paying.")
def auth_status(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option(
        "--check", help="Ask the gateway (a free status request for a made-up id): exit 0 when "
        "it takes the key, 3 when it refuses it, 7 when it cannot tell.")] = False,
    sandbox: Sandbox = False,
    base_url: BaseUrl = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    from pixazo_cli.commands.auth import run_auth_status

    run_auth_status(check, global_options(ctx, sandbox, base_url, verbose, quiet))


@config_app.command(help="Print the config file's path.")
def path() -> None:
    typer.echo(str(config.config_path()))


@config_app.command("list", help="Print every setting in the config file (key masked).")
def list_settings() -> None:
    for key, value in keys.flatten(config.load()):
        typer.echo(f"{key} = {value}")


@config_app.command(help="Print one setting (for example `pixazo config get sdxl.steps`).")
def get(key: SettingKey) -> None:
    value = keys.get_setting(config.load(), key)
    if value is None:
        raise UsageError(f"{key} is not set in {config.config_path()}.")
    typer.echo(config.mask(str(value)) if key == "api_key" else str(value))


@config_app.command("set", short_help="Set a setting (a top-level key, or MODEL.FLAG).",
                    help="Set a setting: output_dir, base_url, name, timeout, "
                    "max_download_mb, api_key, or MODEL.FLAG (for example sdxl.steps 12).")
def set_(key: SettingKey,
         value: Annotated[str, typer.Argument(metavar="VALUE", help="Its new value.")]) -> None:
    checked = keys.check_setting(key, value)
    data = config.load()
    keys.set_setting(data, key, checked)
    config.save(data)
    _say(f"{key} = {config.mask(str(checked)) if key == 'api_key' else checked}")


@config_app.command(help="Remove a setting from the config file.")
def unset(key: SettingKey) -> None:
    data = config.load()
    if not keys.unset_setting(data, key):
        raise UsageError(f"{key} is not set in {config.config_path()}.")
    config.save(data)
    _say(f"Removed {key}.")
