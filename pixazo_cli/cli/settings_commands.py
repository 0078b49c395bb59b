"""`pixazo auth …` and `pixazo config …`: the key and the config file, from the command line."""

import sys
from typing import Annotated

import typer

from pixazo_cli.cli.options import BaseUrl, Quiet, Sandbox, Verbose, global_options

auth_app = typer.Typer(help="Store, check or forget the API key.", no_args_is_help=True)
config_app = typer.Typer(help="Read and change settings in the config file.",
                         no_args_is_help=True)


def setting_names() -> list[str]:
    from pixazo_cli.commands.settings import setting_names

    return setting_names()


def _complete_key(incomplete: str) -> list[str]:
    return [name for name in setting_names() if name.startswith(incomplete)]


SettingKey = Annotated[str, typer.Argument(
    metavar="KEY", autocompletion=_complete_key,
    help="A setting: api_key, base_url, output_dir, name, timeout, max_download_mb, "
    "MODEL.FLAG such as sdxl.steps, or assets.FLAG such as assets.to (docs/assets.md).")]


@auth_app.command(help="Store the API key: asked for hidden, or read from stdin when piped.")
def login() -> None:
    from pixazo_cli.commands import settings

    if sys.stdin.isatty():
        key = typer.prompt("Pixazo API key", hide_input=True, err=True)
    else:
        key = sys.stdin.readline()
    settings.login(key)


@auth_app.command(help="Remove the API key from the config file.")
def logout() -> None:
    from pixazo_cli.commands import settings

    settings.logout()


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


def _print(text: str, one_value: bool = True) -> None:
    """Through the stdout sink: a config file anyone may have edited could otherwise drive
    the terminal (or, in CI, the runner) with what it holds."""
    import sys

    from pixazo_cli.sinks import stdio

    stdio.emit(sys.stdout, stdio.value(text) if one_value else stdio.text(text))


@config_app.command(help="Print the config file's path.")
def path() -> None:
    from pixazo_cli.commands.settings import config_path

    _print(str(config_path()))


@config_app.command("list", help="Print every setting in the config file (key masked).")
def list_settings() -> None:
    from pixazo_cli.commands.settings import settings_lines

    for line in settings_lines():
        _print(line, one_value=False)


@config_app.command(help="Print one setting (for example `pixazo config get sdxl.steps`).")
def get(key: SettingKey) -> None:
    from pixazo_cli.commands.settings import setting_text

    _print(setting_text(key))


@config_app.command("set", short_help="Set a setting (a top-level key, or MODEL.FLAG).",
                    help="Set a setting: output_dir, base_url, name, timeout, "
                    "max_download_mb, api_key, MODEL.FLAG (for example sdxl.steps 12), or "
                    "assets.FLAG (for example assets.to webp:80).")
def set_(key: SettingKey,
         value: Annotated[str, typer.Argument(metavar="VALUE", help="Its new value.")]) -> None:
    from pixazo_cli.commands.settings import set_setting

    set_setting(key, value)


@config_app.command(help="Remove a setting from the config file.")
def unset(key: SettingKey) -> None:
    from pixazo_cli.commands.settings import unset_setting

    unset_setting(key)
