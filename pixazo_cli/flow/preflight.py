"""Everything about a request that can fail on this machine fails here, before it is paid for:
the name template, the folder, names that clash or are taken, names no file system takes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pixazo_cli.errors import SaveError, UsageError
from pixazo_cli.flow.files import check_folder
from pixazo_cli.flow.naming import (
    NameParts,
    SaveOptions,
    check_template,
    refuse_seed_placeholder,
    taken_hint,
)
from pixazo_cli.flow.sidecar import refuse_taken_sidecar
from pixazo_cli.models.request import ApiRequest


def name_parts(request: ApiRequest) -> NameParts:
    return NameParts(request.model.name, request.prompt, request.seed, datetime.now())


def prepare(request: ApiRequest, save: SaveOptions, parts: NameParts) -> None:
    """Everything that can fail locally fails here, before anything is paid for."""
    check_destination(save)
    refuse_seed_placeholder(save.name_template, request.model.name,
                            request.model.seed_field is not None)
    _refuse_clashing_names(request, save, parts)
    _refuse_existing(request, save, parts)


def check_destination(save: SaveOptions) -> None:
    check_template(save.name_template)
    check_folder(save.out_dir)


MAX_NAME_BYTES = 255  # the limit of common file systems for one name


def _refuse_clashing_names(request: ApiRequest, save: SaveOptions, parts: NameParts) -> None:
    """Two images of one request under one fixed name, or a name no file system takes: found
    before paying, not after."""
    paths = planned_paths(request, save, parts)
    if len(set(paths)) < len(paths):
        raise UsageError(f"Every image of this request would be saved as {paths[0].name}; "
                         "nothing was sent.",
                         hint="Put {index} in --name, e.g. --name 'fox-{index}.{ext}'.")
    for path in paths:
        if len(path.name.encode("utf-8")) > MAX_NAME_BYTES:
            raise UsageError(f"The file name from --name is longer than {MAX_NAME_BYTES} "
                             "bytes; nothing was sent.", hint="Choose a shorter --name.")


def _refuse_existing(request: ApiRequest, save: SaveOptions, parts: NameParts) -> None:
    """Where the names are known before the request, a taken one stops us before paying."""
    for path in planned_paths(request, save, parts):
        if path.exists() and not path.is_file():
            raise SaveError(f"{path} is not a regular file; images are saved only to files. "
                            "Nothing was sent.")
        if path.exists() and not save.overwrite:
            raise SaveError(f"{path} already exists; nothing was sent.",
                            hint=taken_hint(save.other_name))
        if save.sidecar:
            refuse_taken_sidecar(path, save.overwrite, save.other_name)


def planned_paths(request: ApiRequest, save: SaveOptions, parts: NameParts) -> list[Path]:
    """The files a request will write, where a fixed template makes them known beforehand."""
    if save.template is None or "{request_id}" in save.template:
        return []
    count = request.expected_images
    return [save.out_dir / parts.render(save.template_for(count), index, request.extension, None)
            for index in range(1, count + 1)]
