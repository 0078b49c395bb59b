"""The model table: every model the tool knows, by name, and the vocabulary they share.

What a model is (`Model`, `Field`, the shared `FLAGS`) is in spec.py; each model is one TOML
file (files.py reads it): the six built-in ones ship in models/builtin/, the user's own live in
the config folder's models/ or --models-dir (registry.py finds them). `MODELS` maps a name to
its `Model` like a dict, reading the files only as they are needed.
"""

from __future__ import annotations

from typing import Any

from pixazo_cli.errors import UsageError, did_you_mean
from pixazo_cli.models.registry import ModelRegistry
from pixazo_cli.models.spec import FLAGS, QUEUED_URLS_AT, Field, Flag, Model

__all__ = ["FLAGS", "MODELS", "QUEUED_URLS_AT", "Field", "Flag", "Model"]

MODELS = ModelRegistry()

STATUS_PATH = "/v2/requests/status/{request_id}"
KEY_HEADER = "Ocp-Apim-Subscription-Key"  # the only auth the gateway has
GATEWAY_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-cache"}


def models_with_seed() -> list[str]:
    return [m.name for m in MODELS.values() if m.seed_field]


def models_taking(flag: str) -> list[str]:
    return [m.name for m in MODELS.values() if flag in m.by_flag]


def model_named(name: str) -> Model:
    """The model called `name`; a usage error listing the models when there is none."""
    if name not in MODELS:
        names = MODELS.names()  # file names only: nothing more is read for a suggestion
        raise UsageError(f"No model {name!r}.",
                         hint=f"{did_you_mean(name, names)}Models: {', '.join(names)}.")
    return MODELS[name]


def queued_model() -> Model:
    """The model a bare request id is collected as: the status endpoint does not say which
    made it, and it is the same for every queued model. The first built-in one, so no user
    file is read for it."""
    return next(MODELS[n] for n in MODELS.builtin_names() if n in MODELS and MODELS[n].queued)


def dig(data: Any, path: str) -> Any:
    """The value at a dotted path in parsed JSON, or None where any step is missing."""
    for step in path.split("."):
        data = data.get(step) if isinstance(data, dict) else None
    return data
