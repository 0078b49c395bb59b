"""What the tool made in one folder, so that a re-run replaces or deletes those files and
nothing else.

A hidden JSON file in the folder (`.pixazo-made.json`) maps each name the tool wrote there to
its stamp (sinks/files.Stamp) and a note its writer keeps beside it. The contact sheet's note
says which source bytes a thumbnail was made from, so this record is also the thumbnail cache.
A file whose stamp no longer matches was changed by someone else, and is no longer the tool's
to touch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pixazo_cli.jsontext import loads
from pixazo_cli.scrub import scrub_data
from pixazo_cli.sinks.files import Folder, NewFile, NotOurs, check_name
from pixazo_cli.sinks.stamp import Placed, Stamp

MADE_NAME = ".pixazo-made.json"
KIND = "pixazo made these files"
MAX_BYTES = 128 * 1024 * 1024  # some 200,000 thumbnails' notes


class MadeHere:
    def __init__(self, folder: Folder, files: dict[str, dict[str, Any]], own: Stamp | None,
                 foreign: bool) -> None:
        self.folder = folder
        self._files = files
        self._own = own  # the record's file as read, which saving may replace
        self.foreign = foreign  # a file by the record's name that is not one of ours

    @classmethod
    def load(cls, folder: Folder) -> MadeHere:
        found = folder.lstat(MADE_NAME)
        if found is None:
            return cls(folder, {}, None, False)
        data = folder.read(MADE_NAME, MAX_BYTES)
        files = _parse(data) if data is not None else None
        if data is None or files is None:
            return cls(folder, {}, None, True)
        import hashlib

        own = Stamp(len(data), hashlib.sha256(data).hexdigest(), found.st_ino,
                    found.st_mtime_ns)
        return cls(folder, files, own, False)

    @property
    def exists(self) -> bool:
        """The folder holds a record of ours: the tool made (at least some of) its files."""
        return self._own is not None

    def names(self) -> list[str]:
        return list(self._files)

    def stamp(self, name: str) -> Stamp | None:
        entry = self._files.get(name)
        return Stamp.from_json(entry.get("stamp")) if entry else None

    def note(self, name: str) -> dict[str, Any]:
        note = (self._files.get(name) or {}).get("note")
        return note if isinstance(note, dict) else {}

    def owns(self, name: str) -> bool:
        """The file at `name` is still the one the tool left there (its stamp is refreshed
        when only a copy moved it)."""
        stamp = self.stamp(name)
        now = self.folder.current(name, stamp) if stamp else None
        if now is not None and now != stamp:
            self._files[name]["stamp"] = now.as_json()
        return now is not None

    def taken(self, name: str) -> bool:
        """Something the tool did not make holds the name."""
        return self.folder.lstat(name) is not None and not self.owns(name)

    def refuse_taken(self, names: list[str], hint: str) -> None:
        """Before any work: every name about to be written is free or the tool's."""
        for name in names:
            if self.taken(name):
                raise NotOurs(self.folder.path / name, hint)

    def write(self, name: str, data: bytes, overwrite: bool = False,
              note: dict[str, Any] | None = None, alternatives: Iterable[str] = ()) -> Placed:
        """The file replaces only what the tool made at that name, or anything with overwrite;
        where something else holds the name, it takes the first free of `alternatives`."""
        placed = self.folder.write(name, data, overwrite=overwrite, mine=self.stamp(name),
                                   alternatives=alternatives)
        return self.record(placed, note)

    def place(self, new: NewFile, name: str, overwrite: bool = False,
              note: dict[str, Any] | None = None) -> Placed:
        return self.record(new.place(name, overwrite=overwrite, mine=self.stamp(name)), note)

    def record(self, placed: Placed, note: dict[str, Any] | None = None) -> Placed:
        self._files[placed.name] = {"stamp": placed.stamp.as_json(), "note": note or {}}
        return placed

    def renote(self, name: str, note: dict[str, Any]) -> None:
        if name in self._files:
            self._files[name]["note"] = note

    def remove(self, name: str) -> None:
        """Delete the tool's file at `name` (anything else there stays) and forget it."""
        stamp = self.stamp(name)
        if stamp is not None:
            self.folder.remove(name, stamp)
        self._files.pop(name, None)

    def entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for name in list(self._files):
            yield name, self.note(name)

    def save(self, overwrite: bool = False) -> None:
        # ASCII: a path whose bytes are not UTF-8 (lone surrogates in Python) is kept exactly.
        # Masked: a note may hold a prompt read from an image, and the key with it.
        data = json.dumps({"kind": KIND, "version": 1, "files": scrub_data(self._files)},
                          separators=(",", ":")).encode("ascii")
        placed = self.folder.write(MADE_NAME, data, overwrite=overwrite, mine=self._own)
        self._own, self.foreign = placed.stamp, False


def _parse(data: bytes) -> dict[str, dict[str, Any]] | None:
    try:
        value = loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("kind") != KIND:
        return None
    files = value.get("files")
    if not isinstance(files, dict):
        return None
    return {name: entry for name, entry in files.items()
            if _one_name(name) and isinstance(entry, dict)
            and Stamp.from_json(entry.get("stamp")) is not None}


def _one_name(name: str) -> bool:
    """A planted record naming `../x` must not make the tool reach outside its folder."""
    try:
        return check_name(name) == name and name != MADE_NAME
    except ValueError:
        return False
