"""Reading a batch file: JSON Lines or plain prompts, every line checked with the same rules as
the single commands before anything is sent (--shard's slice is in shards.py)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from pixazo_cli.assets.options import FILE_KEYS, AssetOptions, Layers, key_of
from pixazo_cli.batch.shards import shard as shard  # where --shard's slice used to live
from pixazo_cli.errors import PixazoError, UsageError, close_matches
from pixazo_cli.flow.naming import NameParts, check_template
from pixazo_cli.flow.preflight import name_parts
from pixazo_cli.models.request import (
    ApiRequest,
    NotFinite,
    build_request,
    derived_seed,
    loads_strict,
    parse_params,
    with_seed,
)
from pixazo_cli.models.table import FLAGS, MODELS

LINE_KEYS = {"model", "prompt", "name", "stream", "param"}
MAX_LISTED_ERRORS = 20
MAX_LINE_BYTES = 1 << 20  # a job is a line of JSON; a megabyte of one is not a job


@dataclass(frozen=True)
class BatchJob:
    line: int  # 1-based line number in the file
    request: ApiRequest
    name: str | None  # the line's own file name template
    key: str  # stable identity across runs: the request as written, and which repeat it is
    seed_derived: bool = False  # the seed was not written: it comes from the key
    offset: int = 0  # -n: {index} of the job's first image, less one
    started: datetime | None = None  # -n: one time for every file name of the command
    assets: AssetOptions | None = None  # what to derive from its images (not in its key)

    @property
    def body_sha256(self) -> str:
        return canonical_hash(self.request)

    def name_parts(self) -> NameParts:
        parts = name_parts(self.request)
        return replace(parts, offset=self.offset, started=self.started or parts.started)

    def written_body(self) -> dict[str, Any]:
        """The body as the line wrote it: a seed the tool derived is not part of the job's
        content (its key and its shard come from what the user wrote)."""
        field = self.request.model.seed_field
        if not self.seed_derived or field is None:
            return self.request.body
        return {name: value for name, value in self.request.body.items() if name != field}


@dataclass(frozen=True)
class InvalidLine:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class InvalidLines(UsageError):
    """Lines that fail their checks; nothing is sent while any is left in (no --skip-invalid)."""

    def __init__(self, lines: list[InvalidLine]) -> None:
        listed = [str(line) for line in lines[:MAX_LISTED_ERRORS]]
        more = len(lines) - len(listed)
        super().__init__(
            f"{len(lines)} invalid line(s); nothing was sent:\n  " + "\n  ".join(listed)
            + (f"\n  … and {more} more" if more else ""),
            hint="Fix them, or pass --skip-invalid to run the valid lines only.")
        self.lines = lines


def canonical_hash(request: ApiRequest) -> str:
    exact = json.dumps({"endpoint": request.path, "body": request.body,
                        "headers": request.headers}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(exact.encode()).hexdigest()


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(f"--shard wants I/N with 1 <= I <= N, such as 2/5, not {text!r}.")
    return int(match[1]), int(match[2])


def read_jobs(source: str | Iterable[str], default_model: str | None,
              model_defaults: dict[str, dict[str, Any]], skip_invalid: bool = False,
              assets: Layers | None = None) -> tuple[list[BatchJob], list[InvalidLine]]:
    """Every line (of a text, or lines as they are read) becomes a checked job; errors name
    their line. Returns (jobs, skipped lines)."""
    jobs: list[BatchJob] = []
    errors: list[InvalidLine] = []
    lines = split_lines(source) if isinstance(source, str) else source
    for item in iter_jobs(lines, default_model, model_defaults, assets):
        (errors if isinstance(item, InvalidLine) else jobs).append(item)  # type: ignore[arg-type]
    refuse_invalid(errors, skip_invalid, bool(jobs))
    return jobs, errors


def iter_jobs(lines: Iterable[str], default_model: str | None,
              model_defaults: dict[str, dict[str, Any]],
              assets: Layers | None = None) -> Iterator[BatchJob | InvalidLine]:
    """Each line's job or what is wrong with it, one at a time, so a long file need not be
    held: only a short hash per distinct request is kept, to number identical lines. A line's
    asset keys go over `assets` (the config's defaults and the command's flags)."""
    seen: dict[str, int] = {}
    layers = assets or Layers()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            request, name, own = _parse_line(raw, default_model, model_defaults)
            derive = _assets(layers, own)
        except PixazoError as error:
            yield InvalidLine(number, error.message)
            continue
        digest = canonical_hash(request)[:32]
        seen[digest] = seen.get(digest, 0) + 1
        key = f"{digest}#{seen[digest]}"
        # A line without a seed gets one derived from its key: a re-run sends the same body
        # (and finds it in the manifest), and identical lines still make different images.
        seeded = with_seed(request, derived_seed(key, request.model))
        yield BatchJob(number, seeded, name, key, seed_derived=seeded is not request,
                       assets=derive)


def _assets(layers: Layers, own: dict[str, Any]) -> AssetOptions | None:
    try:
        return layers.options(own)
    except UsageError as error:  # the hint says where a value came from (the config)
        raise UsageError(f"{error.message} {error.hint}" if error.hint else error.message) \
            from None


def refuse_invalid(errors: list[InvalidLine], skip_invalid: bool, any_jobs: bool) -> None:
    """Nothing is sent while an invalid line is left in (unless skipped), or with no jobs."""
    if errors and not skip_invalid:
        raise InvalidLines(errors)
    if not any_jobs and not errors:
        raise UsageError("The batch file has no jobs.",
                         hint="One JSON object or one prompt per line.")


def split_lines(text: str) -> list[str]:
    """Lines end at \\n or \\r\\n only: str.splitlines also splits at U+2028, form feed, \\x1c…
    which belong inside a prompt."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def file_lines(path: Path) -> Iterator[str]:
    """A batch file's lines as they are read, split by the one rule (`split_lines`: at \\n and
    \\r\\n only), as the same bytes on stdin are. Raises UsageError when the file cannot be
    opened (at once) or read (when reading reaches the line)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - the generator closes it
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from None
    return _lines_of(path, handle)


def _lines_of(path: Path, handle: BinaryIO) -> Iterator[str]:
    with handle:
        try:
            number = 0
            while raw := handle.readline(MAX_LINE_BYTES + 1):  # binary: splits at b"\n" only
                number += 1
                if len(raw) > MAX_LINE_BYTES:  # never a whole 3 GB line in memory
                    raise _unreadable(path, f"line {number} is longer than "
                                      f"{MAX_LINE_BYTES >> 20} MB")
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise _unreadable(path, f"line {number} is not UTF-8 text (byte "
                                      f"{exc.start + 1} of the line)") from None
                yield from split_lines(text) or [""]
        except OSError as exc:
            raise _unreadable(path, exc.strerror or str(exc)) from None


def _unreadable(path: Path, reason: str) -> UsageError:
    return UsageError(f"Cannot read the batch file {path}: {reason}.")


def _parse_line(raw: str, default_model: str | None, model_defaults: dict[str, dict[str, Any]]
                ) -> tuple[ApiRequest, str | None, dict[str, Any]]:
    """The line's request, its name template and its own asset keys."""
    if raw.lstrip().startswith("{"):
        try:
            fields = loads_strict(raw)
        except NotFinite as exc:
            raise UsageError(f"a number is too large to send ({exc})") from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"not valid JSON ({exc.msg}, column {exc.colno})") from None
        except (ValueError, RecursionError) as exc:  # NaN, Infinity; nesting past the parser
            raise UsageError(f"not valid JSON ({str(exc) or 'nested too deeply'})") from None
        if not isinstance(fields, dict):
            raise UsageError("a JSON line must be an object")
    else:
        fields = {"prompt": raw.strip()}
    model_name = fields.get("model", default_model)
    if model_name is not None and not isinstance(model_name, str):
        raise UsageError("\"model\" must be text, the name of one model")
    if model_name not in MODELS:
        raise UsageError(f"unknown model {model_name!r}{_meant(model_name, MODELS)}; give "
                         f"\"model\" or --model ({', '.join(MODELS)})" if model_name else
                         "no model: give \"model\" on the line or --model")
    model = MODELS[model_name]
    prompt = fields.get("prompt")
    if not isinstance(prompt, str):
        raise UsageError("\"prompt\" must be text")
    values = dict(model_defaults.get(model.name, {}))
    own: dict[str, Any] = {}
    for key, value in fields.items():
        flag = key.replace("-", "_")
        if key in LINE_KEYS:
            continue
        if key_of(key) in FILE_KEYS:
            own[key] = value
        elif not model.is_flag(flag):
            raise UsageError(f"unknown field {key!r}"
                             f"{_meant(key, [*FLAGS, *model.by_flag, *LINE_KEYS, *FILE_KEYS])}")
        else:
            values[flag] = value
    name = fields.get("name")
    if name is not None:
        if not isinstance(name, str):
            raise UsageError("\"name\" must be text")
        check_template(name)
    stream = fields.get("stream", False)
    if not isinstance(stream, bool):
        raise UsageError(f"\"stream\" must be true or false, not {stream!r}")
    request = build_request(model, prompt, values, _line_params(fields.get("param")),
                            stream=stream)
    return request, name, own


def _meant(word: str, choices: Iterable[str]) -> str:
    meant = close_matches(word, choices)
    return f" (did you mean {meant[0]!r}?)" if meant else ""


def _line_params(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return parse_params(value)
    raise UsageError("\"param\" must be an object or a list of \"KEY=VALUE\" strings")
