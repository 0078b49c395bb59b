"""The contact sheet's thumbnails: made once for each source's bytes, on every core, in the
sheet's order, each written and released before the next is awaited.

thumbs/ holds only files the tool made. Its record of them (sinks/made.py) knows each one, and which
source it was made from: the source's path, stat and sha256, and what its card shows. A re-run
stats every source: the same inode, size and time mean the same file, and its thumbnail is used
as it is. A source whose stat changed is hashed by a worker; the same bytes still keep their
thumbnail, and only new bytes are decoded and scaled.

`make` runs in worker processes: it takes a path and gives back bytes and plain fields."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixazo_cli.sinks.files import TEMP_PREFIX, Folder, NotOurs
from pixazo_cli.sinks.made import MadeHere

THUMBS = "thumbs"
THUMB_CAP = 320
SAVE_EVERY = 1000  # new thumbnails between saves of that record, so a killed run loses few
ALONE_BELOW = 48  # thumbnails made in this process, without starting workers


@dataclass
class Card:
    """One image's place on the sheet; the thumbnail step fills in what follows `group`."""

    path: Path
    group: str
    caption: str = ""
    real: str = ""  # the path with every symlink resolved: one image, one card
    thumb: str = ""  # its file in thumbs/; "" when the image cannot be drawn
    thumb_sha256: str = ""
    shown: tuple[int, int] | None = None  # the thumbnail's size
    size: tuple[int, int] | None = None  # the image's own
    fields: dict[str, str] = field(default_factory=dict)  # from its generation record
    problem: str = ""  # why there is no thumbnail, in plain words
    source_stat: list[int] | None = None  # size, time, inode: as the thumbnail step found it

    def __post_init__(self) -> None:
        self.real = self.real or os.path.realpath(self.path)

    def value(self, key: str) -> str:
        return self.fields.get(key, "")


@dataclass(frozen=True)
class Job:
    path: str
    known_sha256: str  # the bytes its cached thumbnail was made from; "" when none


@dataclass(frozen=True)
class Made:
    sha256: str
    reused: bool  # the bytes are those the cached thumbnail was made from
    jpeg: bytes | None = None
    size: tuple[int, int] | None = None
    shown: tuple[int, int] | None = None
    fields: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def make(job: Job) -> Made:
    """In a worker: hash the source; when the bytes are new, read its record and scale it."""
    from pixazo_cli.compare.compose import thumbnail_jpeg
    from pixazo_cli.record import read

    try:
        sha256 = _file_sha256(job.path)
    except OSError as exc:
        return Made("", False, problem=f"cannot read it: {exc.strerror or exc}")
    if sha256 == job.known_sha256:
        return Made(sha256, True)
    fields = record_fields(read(Path(job.path)) or {})
    jpeg, size, shown, problem = thumbnail_jpeg(Path(job.path), THUMB_CAP)
    return Made(sha256, False, jpeg, size, shown, fields, problem)


def record_fields(record: dict[str, Any]) -> dict[str, str]:
    """What a card shows from a generation record, found through the model table."""
    from pixazo_cli.models.table import MODELS

    body = record.get("body") if isinstance(record.get("body"), dict) else None
    model = MODELS.get(str(record.get("model")))
    seed = model.body_value(body, "seed") if model and body else None
    fields = {"prompt": str(body.get(model.prompt_field, "")) if model and body else "",
              "model": str(record.get("model") or ""), "seed": "" if seed is None else str(seed),
              "request_id": str(record.get("request_id") or ""), "replay": "1" if body else ""}
    return {key: value for key, value in fields.items() if value}


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(256 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class Thumbs:
    """thumbs/ beside the page, and its made_here."""

    def __init__(self, folder: Folder, made_here: MadeHere) -> None:
        self.folder, self.made_here = folder, made_here
        self._by_source = {str(note["source"]): name for name, note in made_here.entries()
                           if isinstance(note.get("source"), str)}
        self._used: set[str] = set()
        self._unsaved = 0
        self.made = self.reused = 0

    @classmethod
    def open(cls, root: Folder, overwrite: bool, hint: str) -> Thumbs:
        """thumbs/ is the tool's when its record says so, or when it is new or empty; another
        is written into only with --overwrite, and even then its files are left alone."""
        found = root.lstat(THUMBS)
        if found is not None and not stat.S_ISDIR(found.st_mode):
            raise NotOurs(root.path / THUMBS, "It is a symlink or a file, not a folder pixazo "
                          "made; remove it, or write the sheet elsewhere with -d.")
        folder = root.sub(THUMBS)
        made_here = MadeHere.load(folder)
        others = [name for name in folder.names() if not name.startswith(TEMP_PREFIX)]
        strange = made_here.foreign or not made_here.exists and bool(others)
        if strange and not overwrite:
            folder.close()
            raise NotOurs(folder.path, hint)
        return cls(folder, made_here)

    def job(self, card: Card) -> Job | None:
        """None when the card's thumbnail is there already (filled in from the record)."""
        name = self._by_source.get(card.real, "")
        note = self.made_here.note(name) if name else {}
        card.source_stat = _stat(card.path)
        if not name or not self.made_here.owns(name):
            return Job(str(card.path), "")
        if card.source_stat is None or note.get("stat") != card.source_stat:
            return Job(str(card.path), str(note.get("sha256", "")))
        self._fill(card, name, note)
        self.reused += 1
        return None

    def keep(self, card: Card, made: Made) -> None:
        """Write what a worker made (or refresh the note of what it found unchanged)."""
        key = card.real
        if made.reused:
            name = self._by_source[key]
            note = {**self.made_here.note(name), "stat": card.source_stat}
            self.made_here.renote(name, note)
            self._fill(card, name, note)
            self.reused += 1
            return
        card.size, card.fields, card.problem = made.size, made.fields, made.problem
        if made.jpeg is None:
            return
        name = _thumb_name(card.path, key, made.sha256)
        stem = name.removesuffix(".jpg")
        note = {"source": key, "stat": card.source_stat, "sha256": made.sha256,
                "size": list(made.size or ()), "shown": list(made.shown or ()),
                "fields": made.fields}
        placed = self.made_here.write(name, made.jpeg, note=note,
                                   alternatives=(f"{stem}-{n}.jpg" for n in range(2, 100)))
        self._by_source[key] = placed.name
        self._fill(card, placed.name, note)
        self.made += 1
        self._unsaved += 1
        if self._unsaved >= SAVE_EVERY:
            self.save()

    def _fill(self, card: Card, name: str, note: dict[str, Any]) -> None:
        stamp = self.made_here.stamp(name)
        card.thumb, card.thumb_sha256 = name, stamp.sha256 if stamp else ""
        card.shown, card.size = _pair(note.get("shown")), _pair(note.get("size"))
        fields = note.get("fields")
        card.fields = {str(k): str(v) for k, v in fields.items()} if isinstance(fields,
                                                                                dict) else {}
        self._used.add(name)

    def save(self) -> None:
        self.made_here.save(overwrite=True)  # thumbs/ was found to be the tool's, or --overwrite
        self._unsaved = 0

    def finish(self) -> None:
        """The sheet is whole: thumbnails of images no longer on it go."""
        for name in self.made_here.names():
            if name not in self._used:
                self.made_here.remove(name)
        self.save()


def _stat(path: Path) -> list[int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None  # gone: the worker says so on its card
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def _pair(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


def _thumb_name(path: Path, key: str, sha256: str) -> str:
    """Readable, and one of its own for each source and its bytes."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem)[:40].strip("-") or "image"
    unique = hashlib.sha256(os.fsencode(key) + b"\0" + sha256.encode()).hexdigest()[:12]
    return f"{slug}-{unique}.jpg"
