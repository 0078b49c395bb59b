"""A model file's `[[field]]` entries: each maps a flag (of the shared vocabulary, or one the
file declares with its help) to a body field or header, with its type, range, choices,
default and check, every one checked here."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

from pixazo_cli.errors import UsageError
from pixazo_cli.models.checks import VALUE_CHECKS
from pixazo_cli.models.reader import Reader, text_problem
from pixazo_cli.models.spec import COMMON_NAMES, FLAGS, FORMATS, Field, Flag, header_text

FIELD_KEYS = ("flag", "body", "header", "type", "min", "max", "choices", "default", "required",
              "check", "help", "metavar")
OWN_FLAG_KEYS = ("help", "metavar")
TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}
TYPE_NAMES = {kind: name for name, kind in TYPES.items()}
CHECKS = tuple(VALUE_CHECKS)  # a check a model file may name is one the tool can run
_FLAG = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_HEADER = re.compile(r"^X-[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")
_METAVAR = re.compile(r"^[A-Z][A-Z0-9_:-]{0,19}$")


def read_fields(reader: Reader) -> tuple[tuple[Field, ...], tuple[Flag, ...]]:
    entries = reader.get(reader.data, (), "field", list, default=[])
    fields: list[Field] = []
    flags: list[Flag] = []
    for index, entry in enumerate(entries):
        where = ("field", index)
        if not isinstance(entry, dict):
            raise reader.fail(where, "each field is a [[field]] table")
        reader.only(entry, FIELD_KEYS, where)
        spec, own = _field(reader, entry, where)
        _no_duplicate(reader, fields, spec, where)
        fields.append(spec)
        if own is not None:
            flags.append(own)
    return tuple(fields), tuple(flags)


def _field(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...]
           ) -> tuple[Field, Flag | None]:
    flag = _flag_name(reader, entry, where)
    shared = FLAGS.get(flag)
    kind = _kind(reader, entry, where, shared)
    own = None if shared else _own_flag(reader, entry, where, flag, kind)
    if shared:
        for key in OWN_FLAG_KEYS:
            if key in entry:
                raise reader.fail((*where, key), f"--{flag.replace('_', '-')} is a shared flag: "
                                  "its help and metavar are pixazo's; remove this key")
    name, header = _target(reader, entry, where, shared)
    low, high = _bound(reader, entry, where, kind, "min"), _bound(reader, entry, where, kind, "max")
    if low is not None and high is not None and low > high:
        raise reader.fail((*where, "max"), f"{high:g} is below min ({low:g})")
    if flag == "num_images" and high is not None and high < 1:
        # -n splits its images into requests of at most max: below 1 there is no request.
        raise reader.fail((*where, "max"), f"{high:g} images a request is none: an image "
                          "count's max is at least 1")
    spec = Field(flag=flag, name=name, kind=kind, low=low, high=high,
                 choices=_choices(reader, entry, where, kind, flag),
                 check=_check(reader, entry, where, kind, shared), header=header,
                 required=reader.get(entry, where, "required", bool, default=False))
    default = _default(reader, entry, where, spec)
    if default is not None:
        spec = replace(spec, default=default)
    return spec, own


def _flag_name(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...]) -> str:
    flag = reader.get(entry, where, "flag", str, required=True).replace("-", "_")
    if flag in FLAGS:
        return flag
    if not _FLAG.match(flag) or len(flag) > 30:
        raise reader.fail((*where, "flag"), f"{flag!r} is not a flag name: lowercase letters, "
                          "digits and single dashes, starting with a letter, at most 30")
    if flag in COMMON_NAMES or flag.startswith("no_"):
        raise reader.fail((*where, "flag"), f"--{flag.replace('_', '-')} clashes with an option "
                          "every model command has (or a --no-… switch)",
                          hint="Name the flag after what it sets, e.g. --style.")
    if "help" not in entry:
        import difflib

        close = difflib.get_close_matches(flag, FLAGS, n=1)
        raise reader.fail((*where, "flag"), f"{flag!r} is not a shared flag" + (
            f" (did you mean {close[0]}?)" if close else "") + "; a flag of the model's own "
            "needs help = \"…\" and a type", hint=f"Shared flags: {', '.join(FLAGS)}.")
    return flag


def _kind(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...],
          shared: Flag | None) -> type:
    if "type" not in entry:
        if shared is None:
            raise reader.fail((*where, "type"), "is missing (string, integer, number or "
                              "boolean)")
        return shared.kinds[0]
    name = reader.get(entry, where, "type", str)
    kind = TYPES.get(name)
    if kind is None:
        raise reader.fail((*where, "type"), f"must be string, integer, number or boolean, "
                          f"not {name!r}")
    if shared is not None and kind not in shared.kinds:
        allowed = " or ".join(TYPE_NAMES[k] for k in shared.kinds)
        raise reader.fail((*where, "type"), f"--{shared.name.replace('_', '-')} is {allowed} "
                          f"for every model, not {name}")
    return kind


def _own_flag(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...], flag: str,
              kind: type) -> Flag:
    help_text = reader.text_value(entry, where, "help", required=True)
    if not help_text.strip():
        raise reader.fail((*where, "help"), "must not be empty")
    default_metavar = {int: "N", float: "X", bool: ""}.get(kind, "TEXT")
    metavar = reader.get(entry, where, "metavar", str, default=default_metavar)
    if kind is bool and metavar:
        raise reader.fail((*where, "metavar"), "a boolean flag takes no value, so no metavar")
    if metavar and not _METAVAR.match(metavar):
        raise reader.fail((*where, "metavar"), f"must be upper case, such as STYLE, not "
                          f"{metavar!r}")
    dashed = flag.replace("_", "-")
    return Flag(flag, help_text, metavar, off_switch=f"--no-{dashed}" if kind is bool else "",
                kinds=(kind,))


def _target(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...],
            shared: Flag | None) -> tuple[str, bool]:
    if ("body" in entry) == ("header" in entry):
        raise reader.fail((*where, "body"), "give exactly one of body = \"its JSON field\" or "
                          "header = \"X-Its-Header\"")
    if "header" in entry and shared is not None and shared.body_only:
        raise reader.fail((*where, "header"), f"--{shared.name.replace('_', '-')} is sent in "
                          "the body: pixazo reads it back from there (the seed for the record "
                          "and -n, the image count for the spending guards, the format for "
                          "the file's extension)", hint="Use body = \"its JSON field\".")
    if "header" in entry:
        header = reader.get(entry, where, "header", str)
        if not _HEADER.match(header):
            raise reader.fail((*where, "header"), f"must be a header named X-…, such as "
                              f"X-Webhook-URL, not {header!r}")
        return header, True
    body = reader.text_value(entry, where, "body", limit=100)
    if not body:
        raise reader.fail((*where, "body"), "must not be empty")
    return body, False


def _bound(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...], kind: type,
           key: str) -> float | None:
    if key not in entry:
        return None
    if kind not in (int, float):
        raise reader.fail((*where, key), f"only an integer or number field has a {key}")
    value = reader.get(entry, where, key, int if kind is int else (int, float))
    if not math.isfinite(value):
        raise reader.fail((*where, key), "must be a finite number")
    return value


def _choices(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...], kind: type,
             flag: str) -> tuple[str, ...]:
    if "choices" not in entry:
        if flag == "format":
            raise reader.fail((*where, "choices"), f"the format field needs its choices (some of "
                              f"{', '.join(FORMATS)}): they decide the saved file's extension")
        return ()
    if kind is not str:
        raise reader.fail((*where, "choices"), "only a string field has choices")
    choices = reader.get(entry, where, "choices", list)
    if not choices or len(choices) > 100:
        raise reader.fail((*where, "choices"), "must list 1 to 100 values")
    for choice in choices:
        if not isinstance(choice, str) or not choice:
            raise reader.fail((*where, "choices"), f"{choice!r} is not a choice: each is "
                              "non-empty text on one line")
        problem = text_problem(choice, 100)
        if problem:
            raise reader.fail((*where, "choices"), f"{choice!r} {problem}")
    if len(set(choices)) != len(choices):
        raise reader.fail((*where, "choices"), "lists a value twice")
    if flag == "format" and not set(choices) <= set(FORMATS):
        raise reader.fail((*where, "choices"), f"pixazo can save only {', '.join(FORMATS)}, "
                          f"not {', '.join(c for c in choices if c not in FORMATS)}")
    return tuple(choices)


def _check(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...], kind: type,
           shared: Flag | None) -> str:
    fixed = shared.check if shared else ""
    check = reader.get(entry, where, "check", str, default=fixed)
    if check and kind is not str:
        raise reader.fail((*where, "check"), "only a string field has a check")
    if check not in ("", *CHECKS):
        raise reader.fail((*where, "check"), f"must be one of {', '.join(CHECKS)}, not "
                          f"{check!r}")
    if shared is not None and check != fixed:
        raise reader.fail((*where, "check"), f"--{shared.name.replace('_', '-')} is always "
                          f"checked as {fixed or 'plain text'}; remove this key")
    return check


def _default(reader: Reader, entry: dict[str, Any], where: tuple[Any, ...], spec: Field) -> Any:
    if "default" not in entry:
        return None
    key = (*where, "default")
    if not spec.required:
        raise reader.fail(key, "is sent when the user gives nothing, so only a required field "
                          "has one: add required = true, or remove it (the gateway applies "
                          "its own)", hint="Your own preferences go in the config: "
                          "pixazo config set MODEL.FLAG VALUE.")
    value = reader.get(entry, where, "default", (int, float) if spec.kind is float
                       else spec.kind)
    if spec.kind is float:
        value = float(value)
    if spec.choices and value not in spec.choices:
        raise reader.fail(key, f"{value!r} is not one of the choices")
    if not spec.in_range(value):
        raise reader.fail(key, f"{value!r} is outside min and max")
    if spec.header and header_text(value) is None:
        raise reader.fail(key, f"{value!r} cannot be sent as the HTTP header {spec.name}, "
                          "which carries only printable ASCII (no accents, line breaks or "
                          "spaces at either end)")
    if spec.check:
        try:
            VALUE_CHECKS[spec.check](spec.flag, value)
        except UsageError as error:
            raise reader.fail(key, error.message.rstrip(".")) from None
    return value


def _no_duplicate(reader: Reader, fields: list[Field], spec: Field,
                  where: tuple[Any, ...]) -> None:
    for other in fields:
        if other.flag == spec.flag:
            raise reader.fail((*where, "flag"), f"--{spec.flag.replace('_', '-')} is mapped twice")
        if other.header == spec.header and other.name.lower() == spec.name.lower():
            raise reader.fail((*where, "header" if spec.header else "body"),
                              f"{spec.name!r} is set by two fields")
