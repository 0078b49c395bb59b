"""The sandbox serves any model file: a path that is not a built-in model's is looked up among
the model files, and its endpoint (the fields it checks, the reply it gives, how it draws the
placeholder) is built from the file. Built-in paths keep their own schema (schema.py), written
apart from the model files so that one mistake cannot hide in both."""

from __future__ import annotations

from pixazo_cli.models.spec import Model

from .schema import ENDPOINTS, PROMPT, ROLE_FIELDS, Endpoint, SchemaField

_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def endpoint_at(path: str) -> Endpoint | None:
    """The endpoint served at `path`: a built-in model's, else a model file's, else None. A
    model file added while the sandbox runs is found by reading the folders again."""
    if path in ENDPOINTS:
        return ENDPOINTS[path]
    from pixazo_cli.models.table import MODELS

    model = MODELS.by_path(path)
    if model is None:
        MODELS.reset()
        model = MODELS.by_path(path)
    return None if model is None else endpoint_of(model)


def endpoint_of(model: Model) -> Endpoint:
    fields = {model.prompt_field: PROMPT}
    roles = {"prompt": model.prompt_field}
    for spec in model.fields:
        if spec.header:
            continue
        kind = "aspect" if spec.check == "ratio" else _TYPES[spec.kind]
        fields[spec.name] = SchemaField(kind, required=spec.required, min=spec.low,
                                        max=spec.high, choices=spec.choices)
        if spec.flag in ROLE_FIELDS:
            roles[spec.flag] = spec.name
    sizing = "pixels" if "width" in roles and "height" in roles else "aspect"
    return Endpoint(model.name, "queued" if model.queued else "sync", "file", model.name,
                    sizing, model.default_format, fields, roles,
                    {"urls": model.urls_at, "id": model.id_at, "status": model.status_at})
