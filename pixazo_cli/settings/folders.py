"""Where pixazo's own files live on this machine: the config folder (config.toml, and the
models/ folder of the user's model files). Light on purpose: --help reads model names from
here without loading the config reader."""

from __future__ import annotations

from pathlib import Path


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("pixazo", appauthor=False))


def models_dir() -> Path:
    """The config folder's models/, next to config.toml."""
    return config_dir() / "models"
