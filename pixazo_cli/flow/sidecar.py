"""Where an image's sidecar (`--sidecar`: its record as JSON beside it) goes, and whether that
name is free: checked before paying wherever the image's own name is known beforehand."""

from __future__ import annotations

from pathlib import Path

from pixazo_cli.errors import SaveError
from pixazo_cli.flow.naming import taken_hint


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
