"""Turn one invocation (prompt, flag values, --param) into the exact request for a model.

Every check here runs before anything is sent: a refusal is a usage error (exit 2).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from pixazo_cli.errors import UsageError, did_you_mean
from pixazo_cli.jsontext import MAX_DEPTH, TooDeep, loads
from pixazo_cli.models.checks import VALUE_CHECKS
from pixazo_cli.models.seeds import SEED_RANGE, fit_seed
from pixazo_cli.models.spec import header_text
from pixazo_cli.models.table import Field, Model, models_taking

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ApiRequest:
    model: Model
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def value(self, flag: str) -> Any:
        """What the body sends for a vocabulary flag, found through the model table."""
        return self.model.body_value(self.body, flag)

    @property
    def expected_images(self) -> int:
        count = self.value("num_images")
        return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 \
            else 1

    @property
    def seed(self) -> int | None:
        seed = self.value("seed")
        return seed if isinstance(seed, int) and not isinstance(seed, bool) else None

    @property
    def prompt(self) -> str:
        return str(self.body.get(self.model.prompt_field, ""))

    @property
    def extension(self) -> str:
        """The file extension the images will have, where the body decides it."""
        fmt = str(self.value("format") or self.model.default_format)
        return "jpg" if fmt == "jpeg" else fmt


def with_seed(request: ApiRequest, seed: int | None = None) -> ApiRequest:
    """A model that takes a seed always gets one, so every image can be made again: the
    user's, else `seed` (derived by the caller from what must reproduce: a batch line, a
    grid), else a random one picked here; either way it is sent and recorded, within the
    model's seed range."""
    field = request.model.seed_field
    if field is None:
        return request
    given = request.body.get(field)
    if field in request.body and (isinstance(given, bool) or not isinstance(given, int)):
        # --param seed=abc (or 1.5, true, null) would otherwise be replaced, or sent as is.
        raise UsageError(f"The seed ({field}) must be a whole number, not {given!r}.",
                         hint="Give it with --seed N, or leave it out for a random one.")
    if isinstance(given, int):
        return request
    chosen = fit_seed(request.model, pick_seed() if seed is None else seed)
    return ApiRequest(request.model, request.path, {**request.body, field: chosen},
                      request.headers)


def derived_seed(text: str, model: Model) -> int:
    """A seed for `model` that follows from `text` alone: the same text, the same seed, on
    any machine (within the model's seed range)."""
    import hashlib

    number = int.from_bytes(hashlib.sha256(b"pixazo seed\0" + text.encode()).digest()[:8], "big")
    return fit_seed(model, SEED_RANGE[0] + number % (SEED_RANGE[1] - SEED_RANGE[0] + 1))


def pick_seed() -> int:
    import secrets

    return SEED_RANGE[0] + secrets.randbelow(SEED_RANGE[1] - SEED_RANGE[0] + 1)


def cli_name(flag: str) -> str:
    return "--" + flag.replace("_", "-")


def coerce(model: Model, flag: str, raw: Any) -> Any:
    """Convert a value from the command line, a config file or a batch line to the field's type."""
    spec = field_for(model, flag)
    kind = spec.kind
    value = _parse_text(model, spec, raw) if isinstance(raw, str) and kind is not str else raw
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        _not_a(model, spec, raw)
    if kind is float and not math.isfinite(value):
        _not_a(model, spec, raw)
    if spec.choices and isinstance(value, str) and value.lower() in spec.choices:
        value = value.lower()  # the gateway's choices are lower case: PNG means png
    return value


def _parse_text(model: Model, spec: Field, text: str) -> Any:
    lowered = text.strip().lower()
    if spec.kind is bool:
        if lowered not in _TRUE | _FALSE:
            _not_a(model, spec, text)
        return lowered in _TRUE
    try:
        return spec.kind(text)
    except ValueError:
        _not_a(model, spec, text)


def _not_a(model: Model, spec: Field, raw: Any) -> Any:
    """What the field takes, in the words `pixazo models` uses, with the model's range."""
    words = {int: "a whole number", float: "a finite number", bool: "true or false",
             str: "text"}[spec.kind]
    if spec.range_words:
        words += f" ({spec.range_words} for {model.name})"
    raise UsageError(f"{cli_name(spec.flag)} must be {words}, not {raw!r}.")


def field_for(model: Model, flag: str) -> Field:
    if flag not in model.by_flag:
        others = ", ".join(models_taking(flag)) or "no model"
        raise UsageError(
            f"{model.name} does not take {cli_name(flag)}.",
            hint=f"{cli_name(flag)} is for: {others}. See `pixazo {model.name} --help`.",
        )
    return model.by_flag[flag]


def check_value(model: Model, flag: str, value: Any) -> None:
    spec = field_for(model, flag)
    name = cli_name(flag)
    if spec.choices and value not in spec.choices:
        raise UsageError(
            f"{model.name} does not offer {name} {value}.",
            hint=f"{did_you_mean(str(value), spec.choices)}Choose one of: "
            f"{', '.join(spec.choices)}.",
        )
    if not spec.in_range(value):
        raise UsageError(f"{name} {value} is out of range for {model.name}: "
                         f"{spec.range_words}.")
    if spec.check:
        VALUE_CHECKS[spec.check](name, value)


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """--param KEY=VALUE: the value as JSON when it parses, else the string itself."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param wants KEY=VALUE, not {pair!r}.")
        try:
            params[key.strip()] = loads_strict(raw)
        except NotFinite:
            raise UsageError(f"--param {pair}: the number is too large to send.") from None
        except TooDeep as deep:  # valid JSON, not text meant as a string: never sent as one
            raise UsageError(f"--param {key.strip()}: {deep}.") from None
        except ValueError:
            params[key.strip()] = raw
    return params


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # NaN and Infinity: send them as text


class NotFinite(ValueError):
    """A JSON number that overflows a float (1e999): no JSON body can carry it."""


def finite_float(text: str) -> float:
    """json.loads's parse_float: 1e999 would become infinity, which JSON cannot carry."""
    value = float(text)
    if not math.isfinite(value):
        raise NotFinite(f"{text} is too large")
    return value


def loads_strict(text: str) -> Any:
    """JSON from a person (a batch line, --param): no NaN, no Infinity, no overflowing number,
    no lone surrogate escape (\\ud800 is valid JSON but no text: it cannot be sent as UTF-8)."""
    # What is sent is read back later a few levels deeper (the image's record holds the body
    # inside itself): half the outside reader's depth leaves that room.
    value = loads(text, max_depth=MAX_DEPTH // 2, parse_constant=_not_json,
                  parse_float=finite_float)
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        raise ValueError(f"\\u{code:04x} is a lone surrogate, not text") from None
    return value


def build_request(
    model: Model,
    prompt: str,
    values: dict[str, Any],
    params: dict[str, Any] | None = None,
    stream: bool = False,
) -> ApiRequest:
    """Check every value and build the body in the model's own field names."""
    if not prompt.strip():
        raise UsageError("The prompt is empty.", hint="Give it as text, or `-` to read stdin.")
    if stream and not model.stream_path:
        raise UsageError(f"{model.name} has no stream endpoint.", hint="Drop --stream.")
    # Only where the gateway requires a field does the tool fill the documented value, in
    # the body or in the header the field is sent in.
    defaults = [f for f in model.fields if f.default is not None]
    body = {model.prompt_field: prompt} | {f.name: f.default for f in defaults if not f.header}
    headers = {f.name: header_value(model, f, f.default) for f in defaults if f.header}
    return override(ApiRequest(model, model.path_for(stream), body, headers), values, params)


def recorded_request(model: Model, path: str, body: dict[str, Any]) -> ApiRequest:
    """A request read back from an image: its fields are checked like flags, since a file may
    come from anyone. Fields the model table does not know were --param values: kept as is."""
    prompt = body.get(model.prompt_field)
    if not isinstance(prompt, str) or not prompt.strip():
        raise UsageError("The recorded request has no prompt.")
    flags = {spec.name: spec.flag for spec in model.fields if not spec.header}
    checked = dict(body)
    for name, value in body.items():
        if name in flags:
            checked[name] = coerce(model, flags[name], value)
            check_value(model, flags[name], checked[name])
    return ApiRequest(model, path, checked)


def override(request: ApiRequest, values: dict[str, Any],
             params: dict[str, Any] | None = None) -> ApiRequest:
    """A copy of the request with flag values (checked) and then --param fields applied."""
    model = request.model
    body, headers = dict(request.body), dict(request.headers)
    for flag, value in values.items():
        if value is None:
            continue
        if not model.is_flag(flag):
            raise UsageError(f"There is no flag {cli_name(flag)}.")
        value = coerce(model, flag, value)
        check_value(model, flag, value)
        spec = model.by_flag[flag]
        if spec.header:
            headers[spec.name] = header_value(model, spec, value)
        else:
            body[spec.name] = value
    body.update(params or {})
    _check_required(model, body, headers)
    return ApiRequest(model, request.path, body, headers)


def header_value(model: Model, spec: Field, value: Any) -> str:
    """A value as the HTTP header it is sent in. A header carries printable ASCII alone (the
    HTTP client would fail on "café" or a line break only once the request is recorded as
    sent, "may have been charged"), and loses leading and trailing spaces on the way: refused
    here, before anything is recorded or sent."""
    text = header_text(value)
    if text is not None:
        return text
    raise UsageError(f"{cli_name(spec.flag)} {str(value)!r} cannot be sent: {model.name} sends it "
                     f"as the HTTP header {spec.name}, which carries only printable ASCII "
                     "(no accents, line breaks or spaces at either end).")


def _check_required(model: Model, body: dict[str, Any], headers: dict[str, str]) -> None:
    """A field the model file marks required (and gives no default) must be set: refused
    here, before anything is sent, rather than by the gateway after."""
    for spec in model.fields:
        if spec.required and spec.name not in (headers if spec.header else body):
            flag = cli_name(spec.flag)
            raise UsageError(f"{model.name} needs {flag} (sent as {spec.name}).",
                             hint=f"Give {flag}, or a default for it: pixazo config set "
                             f"{model.name}.{spec.flag} VALUE.")
