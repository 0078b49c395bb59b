"""The tool's version and User-Agent, kept apart so that `--version` imports nothing else."""

from pixazo_cli import __version__


def user_agent() -> str:
    return f"pixazo-cli/{__version__}"
