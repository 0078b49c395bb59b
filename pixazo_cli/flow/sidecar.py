"""Where an image's sidecar (`--sidecar`: its record as JSON beside it) goes, and whether that
name is free: checked before paying wherever the image's own name is known beforehand."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixazo_cli.errors import SaveError
from pixazo_cli.flow.naming import taken_hint

if TYPE_CHECKING:
    from pixazo_cli.flow.download import Saved


def sidecar_path(image: Path) -> Path:
    return image.with_suffix(".json")


def sidecar_taken(image: Path, overwrite: bool) -> bool:
    try:
        refuse_taken_sidecar(image, overwrite)
    except SaveError:
        return True
    return False


def refuse_taken_sidecar(image: Path, overwrite: bool,
                         other_name: str = "another --name") -> None:
    """A sidecar is never written through a symlink (not even with --overwrite), nor over a
    file without --overwrite: either stops the command before anything is sent."""
    sidecar = sidecar_path(image)
    if sidecar.is_symlink():
        raise SaveError(f"{sidecar} is a symbolic link; sidecars are never written through "
                        "one. Nothing was sent.", hint=f"Remove it, or choose {other_name}.")
    if sidecar.exists() and (not overwrite or not sidecar.is_file()):
        raise SaveError(f"{sidecar} already exists; nothing was sent.",
                        hint=taken_hint(other_name))


def write_sidecar(path: Path, record: dict[str, Any], saved: Saved,
                  overwrite: bool = False) -> None:
    from pixazo_cli.sinks.files import Folder, NotOurs
    from pixazo_cli.sinks.terminal import json_text

    data = {**record, "file": {"name": path.name, "bytes": saved.bytes, "sha256": saved.sha256,
                               "url": saved.url}}
    sidecar = sidecar_path(path)
    text = json_text(data, indent=2) + "\n"  # key masked; a file people `cat`
    # Through the one writer: never over a file without --overwrite, and, as before paying
    # (refuse_taken_sidecar), a symlink there is refused even with it.
    try:
        with Folder.open(sidecar.parent, create=False) as folder:
            found = folder.lstat(sidecar.name)
            if found is not None and stat.S_ISLNK(found.st_mode):
                raise NotOurs(sidecar)
            folder.write(sidecar.name, text.encode("utf-8"), overwrite=overwrite)
    except NotOurs:
        raise SaveError(f"{sidecar} already exists; the image was saved as {path}.",
                        hint="Pass --overwrite to replace it.") from None
