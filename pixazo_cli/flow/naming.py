"""File names for saved images: the --name template, its placeholders, and the prompt's slug."""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pixazo_cli.errors import UsageError
from pixazo_cli.scrub import scrub

# Two runs never collide on the default: when the name is taken, a counter is appended.
DEFAULT_TEMPLATE = "{model}-{date}-{time}-{slug}-{index}.{ext}"
PLACEHOLDERS = {
    "model": "the model's subcommand name",
    "index": "1, 2, … for each image of one request",
    "seed": "the seed sent (models that take one)",
    "request_id": "the gateway's request id (queued jobs), or 'none'",
    "date": "local date, YYYYMMDD",
    "time": "local time, HHMMSS",
    "slug": "the prompt, shortened and safe for file names",
    "ext": "png, jpg or webp, from the bytes received",
}
SLUG_LENGTH = 40
_UNSAFE = re.compile(r"[^a-z0-9]+")


def slugify(prompt: str, length: int = SLUG_LENGTH) -> str:
    ascii_text = unicodedata.normalize("NFKD", prompt).encode("ascii", "ignore").decode()
    slug = _UNSAFE.sub("-", ascii_text.lower()).strip("-")
    return slug[:length].rstrip("-") or "image"


def check_template(template: str) -> None:
    """Refuse unknown placeholders and folders in --name before anything is sent."""
    try:
        parsed = [(name, spec, conversion) for _, name, spec, conversion
                  in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise UsageError(f"--name {template!r} is not a valid template: {exc}.") from None
    if any(spec or conversion for _, spec, conversion in parsed):
        raise UsageError(f"--name {template!r}: placeholders take no format, such as :05d.",
                         hint="Write them plain, e.g. {seed}.")
    fields = [name for name, _, _ in parsed]
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise UsageError(f"--name has unknown placeholder(s): {', '.join(unknown)}.",
                         hint=f"Known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}.")
    if "/" in template or "\\" in template or template.strip() in ("", ".", ".."):
        raise UsageError(f"--name {template!r} must be a plain file name.",
                         hint="Choose the folder with -d/--output-dir, or the whole path "
                         "with -o/--output.")


def refuse_seed_placeholder(template: str, model: str, takes_seed: bool) -> None:
    """{seed} names nothing for a model without a seed; two runs would collide on 'random'."""
    from pixazo_cli.models.table import models_with_seed

    if takes_seed or "{seed}" not in template:
        return
    raise UsageError(f"{model} takes no seed, so {{seed}} in the file name has no value.",
                     hint=f"Models that take one: {', '.join(models_with_seed())}. Use {{index}}, "
                     "{time} or {request_id} instead.")


@dataclass(frozen=True)
class NameParts:
    """What is known about a run's file names before any image exists."""

    model: str
    prompt: str
    seed: int | None
    started: datetime
    offset: int = 0  # {index} of a request's first image, less one (-n: the images before it)

    def render(self, template: str, index: int, ext: str, request_id: str | None) -> str:
        name = template.format(
            model=self.model,
            index=index + self.offset,
            seed="random" if self.seed is None else self.seed,
            request_id=_safe(request_id or "none"),
            date=self.started.strftime("%Y%m%d"),
            time=self.started.strftime("%H%M%S"),
            slug=slugify(scrub(self.prompt)),  # a key pasted into a prompt stays out
            ext=ext,
        )
        return _safe(name)


def _safe(text: str) -> str:
    """No value may smuggle a folder or a hidden-file dot into the name."""
    cleaned = re.sub(r"[/\\\x00-\x1f]", "_", text).lstrip(".")
    return cleaned or "image"


def with_counter(name: str, counter: int) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}-{counter}.{ext}" if dot else f"{name}-{counter}"


def taken_hint(other_name: str = "another --name") -> str:
    """What to do about a file already there; other_name in the flag that named the file."""
    return f"Pass --overwrite to replace it, or choose {other_name}."


@dataclass(frozen=True)
class SaveOptions:
    out_dir: Path
    template: str | None = None  # None: the default, which picks a free name on collision
    overwrite: bool = False
    sidecar: bool = False
    one_file: bool = False  # the template is one file's name (-o PATH), not a pattern
    reuse: bool = False  # collecting again: a file already saved with the same bytes is kept
    to_stdout: bool = False  # -o -: one image, to stdout; out_dir is a private folder

    @property
    def name_template(self) -> str:
        return self.template or DEFAULT_TEMPLATE

    @property
    def other_name(self) -> str:
        """How to save under another name, in the flag that named the file."""
        return "another -o path" if self.one_file else "another --name"

    def template_for(self, count: int) -> str:
        """-o hero.png with several images saves hero-1.png, hero-2.png, …"""
        template = self.name_template
        if not self.one_file or count < 2 or "{index}" in template:
            return template
        stem, dot, ext = template.rpartition(".")
        return f"{stem}-{{index}}.{ext}" if dot and stem else f"{template}-{{index}}"
