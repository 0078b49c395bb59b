"""Model files: one TOML file per model, read into the `Model` every command uses. The six
built-in models are files too (models/builtin/), read by this same code.

Every mistake is a `ModelFileError` naming the file, the line and the key; nothing is
guessed. The format is described, key by key, in docs/adding-a-model.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pixazo_cli.models.fields import read_fields
from pixazo_cli.models.reader import ModelFileError, Reader
from pixazo_cli.models.source import read_bytes
from pixazo_cli.models.spec import (
    COMMAND_NAMES,
    FORMATS,
    MAX_NAME,
    NAME,
    QUEUED_URLS_AT,
    Model,
    gateway_path_problem,
)

_DOTTED = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
TOP_KEYS = ("name", "title", "endpoint", "stream_endpoint", "mode", "price_per_image",
            "default_format", "prompt_field", "example", "reply", "field")
REPLY_KEYS = ("urls", "id", "status")


def read_model_file(path: Path, builtin_names: Collection[str] = ()) -> Model:
    """Read and check one file of a models folder: its file name is its name (`flux-dev.toml`
    holds `name = "flux-dev"`) and it is a regular file. (`pixazo models check/add` read a
    candidate of any name: read_candidate.)"""
    return parse_model(read_text(path, regular_only=True)[1], str(path), path.stem,
                       builtin_names)


def read_text(path: Path, regular_only: bool = False) -> tuple[bytes, str]:
    """A model file's bytes and text, refused when too large or not UTF-8 (source.py: and,
    where `regular_only`, when not a regular file)."""
    raw = read_bytes(path, regular_only)
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(str(path), raw[:exc.start].count(b"\n") + 1, "",
                             "is not UTF-8 text") from None


def parse_model(text: str, source: str, stem: str | None = None,
                builtin_names: Collection[str] = ()) -> Model:
    reader = Reader(source, text)
    data = reader.data
    reader.only(data, TOP_KEYS, ())
    name = _name(reader, stem, builtin_names)
    queued = _mode(reader)
    reply = reader.get(data, (), "reply", dict, default={})
    reader.only(reply, REPLY_KEYS, ("reply",))
    fields, flags = read_fields(reader)
    model = Model(
        name=name,
        title=reader.text_value(data, (), "title", required=True, limit=80) or _empty(
            reader, "title"),
        path=_endpoint(reader, "endpoint", required=True),
        queued=queued,
        fields=fields,
        flags=flags,
        source=source,
        **_reply_paths(reader, reply, queued),
        prompt_field=reader.text_value(data, (), "prompt_field", default="prompt", limit=100)
        or _empty(reader, "prompt_field"),
        default_format=_format(reader, fields),
        stream_path=_endpoint(reader, "stream_endpoint"),
        example=_example(reader, name),
        price_per_image=_price(reader),
    )
    _check_prompt_field(reader, model)
    return model


def _empty(reader: Reader, key: str) -> str:
    raise reader.fail((key,), "must not be empty")


def _name(reader: Reader, stem: str | None, builtin_names: Collection[str]) -> str:
    name = reader.text_value(reader.data, (), "name", required=True)
    if not NAME.match(name) or len(name) > MAX_NAME:
        raise reader.fail(("name",), f"{name!r} is not a command name: lowercase letters, "
                          f"digits and single dashes, starting with a letter, at most {MAX_NAME}")
    if name in COMMAND_NAMES:
        raise reader.fail(("name",), f"{name!r} is a pixazo command; a model cannot take its "
                          "name", hint="Pick another name (and rename the file to match).")
    if name in builtin_names:
        raise reader.fail(("name",), f"{name!r} is a built-in model; a file cannot replace it",
                          hint="Pick another name, e.g. my-" + name + ".")
    if stem is not None and stem != name:
        raise reader.fail(("name",), f"is {name!r} but the file is {stem}.toml: in a models "
                          "folder the file name is the command name",
                          hint=f"Rename the file to {name}.toml, or use `pixazo models add`.")
    return name


def _mode(reader: Reader) -> bool:
    mode = reader.get(reader.data, (), "mode", str, required=True)
    if mode not in ("sync", "queued"):
        raise reader.fail(("mode",), f"must be \"sync\" (the reply has the image URL) or "
                          f"\"queued\" (the reply has a request id to poll), not {mode!r}")
    return mode == "queued"


def _endpoint(reader: Reader, key: str, required: bool = False) -> str:
    path = reader.get(reader.data, (), key, str, required, "")
    if not path and not required:
        return ""
    problem = gateway_path_problem(path)
    if problem:
        raise reader.fail((key,), problem)
    if key == "stream_endpoint" and path == reader.data.get("endpoint"):
        raise reader.fail((key,), "is the same path as endpoint")
    return path


def _reply_paths(reader: Reader, reply: dict[str, Any], queued: bool) -> dict[str, str]:
    where = ("reply",)
    if queued:
        for key in ("urls", "status"):
            if key in reply:
                raise reader.fail((*where, key), "a queued model's status and images are read "
                                  "from the gateway's universal status endpoint "
                                  f"(status, {QUEUED_URLS_AT}); remove this key")
        return {"id_at": _dotted(reader, reply, "id", "request_id")}
    if "urls" not in reply:
        raise reader.fail((*where, "urls"), "a sync model must say where its reply keeps the "
                          'image URL(s): urls = "imageUrl" (or a dotted path: "output.images")')
    paths = {"urls_at": _dotted(reader, reply, "urls", ""), "id_at": _dotted(
        reader, reply, "id", "id")}
    status = reader.get(reply, where, "status", str, default="status")
    paths["status_at"] = status and _dotted(reader, reply, "status", "status")
    return paths


def _dotted(reader: Reader, reply: dict[str, Any], key: str, default: str) -> str:
    value = reader.get(reply, ("reply",), key, str, default=default)
    if not _DOTTED.match(value):
        raise reader.fail(("reply", key), f"must be a key of the reply, or a dotted path such "
                          f"as output.images, not {value!r}")
    return value


def _format(reader: Reader, fields: tuple[Any, ...]) -> str:
    fmt = reader.get(reader.data, (), "default_format", str, default="png")
    if fmt not in FORMATS:
        raise reader.fail(("default_format",), f"must be one of {', '.join(FORMATS)} (the "
                          f"images pixazo can check and save), not {fmt!r}")
    choices = next((f.choices for f in fields if f.flag == "format"), ())
    if choices and fmt not in choices:
        raise reader.fail(("default_format",), f"{fmt!r} is not one of the format field's "
                          f"choices ({', '.join(choices)})")
    return fmt


def _example(reader: Reader, name: str) -> str:
    example = reader.text_value(reader.data, (), "example", limit=300)
    if example and example != f"pixazo {name}" and not example.startswith(f"pixazo {name} "):
        raise reader.fail(("example",), f"must be a command line starting with `pixazo {name} `")
    return example


def _price(reader: Reader) -> float | None:
    price = reader.get(reader.data, (), "price_per_image", (int, float))
    if price is not None and not 0 <= price <= 1000:
        raise reader.fail(("price_per_image",), f"must be US dollars from 0 to 1000, not {price}")
    return None if price is None else float(price)


def _check_prompt_field(reader: Reader, model: Model) -> None:
    for index, spec in enumerate(model.fields):
        if not spec.header and spec.name == model.prompt_field:
            raise reader.fail(("field", index, "body"), f"{spec.name!r} is where the prompt "
                              "goes (prompt_field); a flag cannot set it too")
