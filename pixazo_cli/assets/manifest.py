"""assets.json, the assets manifest a site build reads (format: docs/assets.schema.json).

One entry per original, keyed by its path from the manifest's folder: what was paid for (the
original download and its generation) apart from what was derived from it locally. No dates
and sorted keys: the same assets give the same bytes, so CI caches and diffs stay stable.

Written whole and atomically (output.write_new: a part file renamed into place, never through
a symlink, replacing only a manifest this tool wrote), under a lock on the folder, so runs
writing the same folder at once (--shard runs on one machine) each add their entries and lose
none. Re-runs replace their originals' entries and keep the others; `merge` joins the
manifests of shards that ran in other folders (or on other machines).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pixazo_cli.assets.asset import Asset, relative
from pixazo_cli.assets.output import write_new
from pixazo_cli.errors import UsageError
from pixazo_cli.jsontext import loads
from pixazo_cli.sinks.files import Folder
from pixazo_cli.sinks.terminal import json_text

MANIFEST_NAME = "assets.json"
MAX_BYTES = 64 * 2**20  # some 50,000 assets; more is not a manifest this tool wrote
FORMAT = 1  # the value of "pixazo_assets": bumped only when a reader would misread new files
SCHEMA = "https://pixazo.ai/schemas/assets-1.json"  # $id of docs/assets.schema.json


def entries_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return data["assets"]


def read(path: Path) -> tuple[dict[str, Any], str | None]:
    """(the manifest, the sha256 of its bytes); an empty one (and None) when there is none.
    Raises UsageError when the file is not a pixazo assets manifest."""
    try:
        raw = _read_bytes(path)
    except FileNotFoundError:
        return {"pixazo_assets": FORMAT, "assets": {}}, None
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        data = loads(raw)
        ours = isinstance(data, dict) and data.get("pixazo_assets") == FORMAT and \
            isinstance(data.get("assets"), dict)
    except ValueError:
        ours = False
    if not ours:
        raise UsageError(f"{path} is not a pixazo assets manifest, so it is left alone.",
                         hint="Move it away, or choose another output folder.")
    for key, entry in entries_of(data).items():
        if not _sound(key, entry):
            raise UsageError(f"{path} is damaged: its entry {key!r} is not one pixazo writes "
                             "(or names a file outside its folder), so it is left alone.",
                             hint="Move it away; `pixazo assets derive` writes it anew.")
    return data, hashlib.sha256(raw).hexdigest()


def _sound(key: str, entry: Any) -> bool:
    """An entry as Asset.as_json writes it, every path inside the manifest's folder: what
    the readers (derive, the sheet, merge) rely on, checked once where it is read."""
    if not isinstance(entry, dict) or not _inside(key):
        return False
    original, derived = entry.get("original"), entry.get("derived")
    if not isinstance(original, dict) or not isinstance(derived, dict):
        return False
    files = derived.get("files")
    return _inside(original.get("path")) and isinstance(files, list) and \
        all(isinstance(made, dict) and _inside(made.get("path")) for made in files)


def _inside(path: Any) -> bool:
    """A relative path that stays below its folder (a site build opens what is listed)."""
    return isinstance(path, str) and bool(path) and not path.startswith(("/", "\\")) and \
        ".." not in Path(path).parts and not Path(path).is_absolute()


def _read_bytes(path: Path) -> bytes:
    """Through the writer's reader: no symlink followed, a regular file only (a FIFO named
    assets.json must not hang the check before paying), at most MAX_BYTES."""
    if not path.parent.is_dir():
        raise FileNotFoundError(path)
    with Folder.open(path.parent, create=False) as folder:
        if folder.lstat(path.name) is None:
            raise FileNotFoundError(path)
        raw = folder.read(path.name, MAX_BYTES)
    if raw is None:
        raise UsageError(f"{path} is not a pixazo assets manifest (not a regular file, or "
                         f"over {MAX_BYTES // 2**20} MB), so it is left alone.",
                         hint="Move it away, or choose another output folder.")
    return raw


def text(data: dict[str, Any]) -> str:
    ordered = {"$schema": SCHEMA, "pixazo_assets": FORMAT,
               "assets": dict(sorted(entries_of(data).items()))}
    return json_text(ordered, indent=2) + "\n"  # the JSON sink: the key masked (alt text)


def update(folder: Path, assets: Iterable[Asset]) -> Path:
    """Put these assets' entries into folder/assets.json (created if need be), keeping the
    entries of other originals."""
    path = folder / MANIFEST_NAME
    with folder_lock(folder):
        data, own = read(path)
        for asset in assets:
            entries_of(data)[relative(asset.original.path, folder)] = asset.as_json(folder)
        write_new(folder, MANIFEST_NAME, text(data).encode("utf-8"), replace_own=own)
    return path


def derived_names(folder: Path) -> set[str]:
    """The names of the files in the folder derived from the originals its manifest lists:
    those it lists, and those named as derived from one of them (made with earlier options:
    pixazo deletes nothing). Deriving a folder again or putting it on a contact sheet leaves
    them out. Raises UsageError for an assets.json pixazo did not write."""
    from pixazo_cli.assets.naming import source_stem

    entries = entries_of(read(folder / MANIFEST_NAME)[0])
    listed = {Path(made["path"]).name for entry in entries.values()
              for made in entry.get("derived", {}).get("files", [])}
    stems = {Path(key).stem for key in entries if "/" not in key}
    if not stems:
        return listed
    return listed | {name for name in os.listdir(folder) if source_stem(name) in stems}


class Recorder:
    """A run's manifest work: the earlier entry of each original (each folder's manifest read
    once), and the new entries, written every FLUSH_EVERY assets and by flush()."""

    FLUSH_EVERY = 64

    def __init__(self) -> None:
        self._earlier: dict[Path, dict[str, dict[str, Any]]] = {}
        self._pending: dict[Path, list[Asset]] = {}

    def previous(self, original: Path) -> dict[str, Any] | None:
        folder = original.parent
        if folder not in self._earlier:
            self._earlier[folder] = entries_of(read(folder / MANIFEST_NAME)[0])
        return self._earlier[folder].get(relative(original, folder))

    def add(self, asset: Asset) -> None:
        self._pending.setdefault(asset.original.path.parent, []).append(asset)
        if sum(len(assets) for assets in self._pending.values()) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> list[Path]:
        written = [update(folder, assets) for folder, assets in self._pending.items()]
        self._pending.clear()
        return written


def merge(inputs: list[Path], output: Path) -> int:
    """Join manifests into `output` (which may be one of them, or absent), paths rebased to
    its folder. The same original listed differently in two of them is refused (exit 2):
    shards never share an original, so it means two runs disagree. Returns the entry count."""
    folder = output.parent
    merged: dict[str, tuple[dict[str, Any], Path]] = {}
    for source in inputs:
        if not source.is_file():
            raise UsageError(f"No such manifest: {source}.")
        data, _ = read(source)
        for key, entry in entries_of(data).items():
            key, entry = _rebased(key, entry, source.parent, folder)
            if key in merged and merged[key][0] != entry:
                raise UsageError(f"{merged[key][1]} and {source} list {key} differently; "
                                 "nothing was merged.",
                                 hint="Re-run the asset step of one of them, or merge the "
                                 "others without it.")
            merged[key] = (entry, source)
    with folder_lock(folder):
        _, own = read(output)
        data = {"assets": {key: entry for key, (entry, _) in merged.items()}}
        write_new(folder, output.name, text(data).encode("utf-8"), replace_own=own)
    return len(merged)


def _rebased(key: str, entry: dict[str, Any], source: Path,
             target: Path) -> tuple[str, dict[str, Any]]:
    def move(path: str) -> str:
        moved = relative(source / path, target)
        if not _inside(moved):
            raise UsageError(f"{source / path} is outside {target}, the merged manifest's "
                             "folder; nothing was merged.", hint="Merge into a folder that "
                             "holds the shards' folders, such as their parent.")
        return moved

    if source.resolve() == target.resolve():
        return key, entry
    try:
        entry = json.loads(json.dumps(entry))  # a copy to change
        entry["original"]["path"] = move(entry["original"]["path"])
        for made in entry["derived"]["files"]:
            made["path"] = move(made["path"])
    except (KeyError, TypeError) as exc:
        raise UsageError(f"The entry {key!r} in {source / MANIFEST_NAME} is damaged "
                         f"({exc}).") from None
    return move(key), entry


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """The folder for this run alone (the writer's claim, waited for) while a manifest is
    read, merged and written."""
    with Folder.open(folder, create=False) as held:
        held.claim(wait=True)
        yield
