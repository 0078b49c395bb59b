"""What an earlier run's manifest entry is still good for: the whole asset, when the original,
the options and the encoders are the same and every derived file is still as written (nothing
is derived again), and otherwise the list of files the tool made, which it may replace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pixazo_cli.assets.asset import Asset
from pixazo_cli.assets.options import AssetOptions
from pixazo_cli.assets.output import sha256_of


def _asset(previous: dict[str, Any] | None, original: Path) -> Asset | None:
    if not previous:
        return None
    try:
        return Asset.from_json(previous, original.parent)
    except (KeyError, TypeError, ValueError):  # a damaged entry is derived afresh
        return None


def own_files(previous: dict[str, Any] | None, original: Path) -> dict[str, str]:
    """Name -> sha256 of the files the earlier entry says the tool made beside `original`."""
    asset = _asset(previous, original)
    if asset is None:
        return {}
    return {made.path.name: made.sha256 for made in asset.derived
            if made.path.parent == original.parent}


def still_valid(previous: dict[str, Any] | None, original: Path,
                options: AssetOptions) -> Asset | None:
    """The earlier asset, when deriving again would write the same bytes; else None."""
    from pixazo_cli.assets.encode import made_with

    asset = _asset(previous, original)
    if asset is None or asset.options != options.as_json() or asset.made_with != made_with():
        return None
    if asset.original.bytes != original.stat().st_size or \
            asset.original.sha256 != sha256_of(original):
        return None
    for made in asset.derived:
        try:
            if made.path.stat().st_size != made.bytes or sha256_of(made.path) != made.sha256:
                return None
        except OSError:
            return None
    return asset
