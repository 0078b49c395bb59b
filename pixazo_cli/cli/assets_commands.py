"""`pixazo assets`: derive finished assets from saved originals (sizes, formats, responsive
widths, placeholders, the <picture> snippet, assets.json), and merge shards' manifests."""

from pathlib import Path
from typing import Annotated, Any

import typer

from pixazo_cli.cli.asset_options import with_asset_flags
from pixazo_cli.cli.options import Json, Quiet

assets_app = typer.Typer(help="Finished assets for a site, derived locally from saved images.",
                         no_args_is_help=True)


@assets_app.command(
    "derive", help="Derive sizes, formats, responsive widths and placeholders from saved "
    "images, beside them, and record them in each folder's assets.json. Sends nothing; costs "
    "nothing.",
    epilog="Re-running with the same flags leaves up-to-date files alone; with other flags it "
    "derives again from the originals, which are never changed. The generation commands take "
    "the same flags; this is how to change their assets later for free. See docs/assets.md.")
@with_asset_flags(before="jobs")
def derive(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH...", help="Saved images, or folders of them.")],
    jobs: Annotated[int | None, typer.Option(
        "--jobs", min=0, max=256, metavar="N",
        help="Processes deriving at once (default: one per core; 0: in this process).")]
    = None,
    json_out: Json = False,
    quiet: Quiet = False,
    assets: dict[str, Any] | None = None,
) -> None:
    from pixazo_cli.assets.options import parse_options
    from pixazo_cli.commands.assets import run_derive

    options = parse_options(assets or {})
    raise typer.Exit(run_derive(paths, options, jobs, json_out, quiet))


@assets_app.command(
    help="Merge assets.json files (one per shard) into one, paths made relative to it.",
    epilog="An original listed differently by two manifests is refused (exit 2).")
def merge(
    manifests: Annotated[list[Path], typer.Argument(
        metavar="MANIFEST...", help="The assets.json files to merge.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="FILE", dir_okay=False,
        help="The merged manifest (replaced only if pixazo wrote it).")] = Path("assets.json"),
    quiet: Quiet = False,
) -> None:
    from pixazo_cli.commands.assets import run_merge

    run_merge(manifests, output, quiet)


def register(app: typer.Typer) -> None:
    app.add_typer(assets_app, name="assets")
