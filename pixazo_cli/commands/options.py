"""The typed contract between the command line and the commands: built once in cli/ from the
parsed flags, read here by attribute. Model flag values stay a mapping keyed by the shared
vocabulary (models/table.py FLAGS), because which flags exist is data, not code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class OutputOptions:
    """Where results go and how they are shown; every command that saves takes these."""

    out_dir: Path | None = None  # None: config output_dir, else the current folder
    name: str | None = None  # --name template; None: config name, else the default
    output: str | None = None  # -o PATH: one file's path (a template); "-": stdout
    overwrite: bool = False
    sidecar: bool = False
    json_out: bool = False
    timeout: float | None = None

    @property
    def to_stdout(self) -> bool:
        return self.output == "-"


@dataclass(frozen=True)
class RequestOptions:
    """What shapes the request body: flag values (by flag name) and --param pairs."""

    flags: dict[str, Any] = field(default_factory=dict)
    params: tuple[str, ...] = ()
    stream: bool = False

    def given(self) -> dict[str, Any]:
        return {flag: value for flag, value in self.flags.items() if value is not None}


@dataclass(frozen=True)
class RunOptions:
    """One model command or `replay`."""

    request: RequestOptions
    output: OutputOptions
    dry_run: bool = False
    no_wait: bool = False
    open_images: bool = False
    count: int = 1  # -n/--count: variations, each its own request
    preview: bool = False
    assets: dict[str, Any] = field(default_factory=dict)  # as given: see below


@dataclass(frozen=True)
class BatchCommandOptions:
    model: str | None
    output: OutputOptions
    concurrency: int = 4
    rate_limit: int | None = None  # None: the gateway's limit, shared between --shard's shards
    shard: str | None = None
    skip_invalid: bool = False
    resend_maybe_charged: bool = False
    check: bool = False
    max_requests: int | None = None
    max_cost: float | None = None
    sheet: bool = False
    assets: dict[str, Any] = field(default_factory=dict)  # as given: see below


@dataclass(frozen=True)
class GridOptions:
    x: str  # FLAG=V1,V2,… or FLAG=A..B:STEP
    y: str | None
    settings: tuple[str, ...]  # --set FLAG=VALUE, for every cell
    params: tuple[str, ...]
    output: OutputOptions
    concurrency: int = 4
    rate_limit: int = 60
    dry_run: bool = False
    preview: bool = False
    assets: dict[str, Any] = field(default_factory=dict)  # as given: see below


# The asset flags travel as given, by name (cli/asset_options.py asset_values), not parsed:
# the config's [assets] defaults go under them and a batch line's keys over them before the
# one parse and check (assets/options.py Layers), so a combination is judged on what is in
# force.

# --sandbox: how long each job takes in the sandbox a command starts, unless the variable says.
SANDBOX_LATENCY_ENV = "PIXAZO_SANDBOX_LATENCY"
SANDBOX_LATENCY = 1.5


@dataclass
class GlobalOptions:
    sandbox: bool = False
    base_url: str | None = None
    verbose: bool = False
    quiet: bool = False

    def merged(self, other: GlobalOptions) -> GlobalOptions:
        """Options given after the subcommand add to those given before it."""
        return GlobalOptions(self.sandbox or other.sandbox, other.base_url or self.base_url,
                             self.verbose or other.verbose, self.quiet or other.quiet)
