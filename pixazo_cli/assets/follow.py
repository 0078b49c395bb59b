"""Deriving as a listener of the paid request's life cycle (flow/events.py): each image goes to
the DeriveEngine as it is saved (`saved`), apart from the rate-limited sending, which never
waits for it, and what it made is recorded in its folder's assets.json (manifest.Recorder).

Post-processing is local and free: a failure to derive is said for its image and counts as
exit 8 (a file not saved), and never touches the paid request, whose listeners have heard
`saved` already; the original is never written to. `Deriving` follows one command (a model
command, replay); batch/deriving.py stands it in front of a batch's view.

What a derivation made, for the image's JSON (`fields`): "derived" (each file: path, width,
height, format, bytes, sha256), "placeholder", "html" (with --html), or "derive_error"."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixazo_cli.assets.engine import DeriveEngine, Job, Outcome
from pixazo_cli.assets.manifest import MANIFEST_NAME, Recorder, read
from pixazo_cli.assets.options import AssetOptions
from pixazo_cli.errors import PixazoError, SaveError, UsageError, most_severe
from pixazo_cli.flow.events import FlowEvents

if TYPE_CHECKING:
    from pixazo_cli.flow.download import Saved
    from pixazo_cli.flow.ledger import Outcome as Paid

OptionsAt = Callable[[int | None], AssetOptions | None]  # a job's line (None: the command's)


def check_folder(folder: Path) -> None:
    """Before paying: an assets.json in the way that pixazo did not write is refused now
    (exit 2), not after the images are paid for."""
    read(folder / MANIFEST_NAME)


def where(path: Path) -> str:
    """One spelling of a file's place, for matching a derivation to its original."""
    return os.path.abspath(path)


def fields(outcome: Outcome, options: AssetOptions) -> dict[str, Any]:
    """What was derived from one original, as its JSON shows it."""
    error = outcome.error
    if error is not None:
        return {"derive_error": {"exit_code": exit_code(error), "message": error.message,
                                 "hint": error.hint}}
    asset = outcome.asset
    assert asset is not None
    found: dict[str, Any] = {"derived": [{**made.as_json(made.path.parent),
                                          "path": where(made.path)} for made in asset.derived]}
    if asset.placeholder:
        found["placeholder"] = dict(asset.placeholder)
    if options.html:
        from pixazo_cli.assets.html import picture_html

        found["html"] = picture_html(asset, options.sizes)
    return found


def exit_code(error: PixazoError) -> int:
    """After paying, a derivation that could not be made is a file not saved (exit 8), even
    when the reason is the image's (exit 2 is "nothing was sent")."""
    return SaveError.exit_code if error.exit_code == UsageError.exit_code else error.exit_code


class Deriving(FlowEvents):
    """Derive each image saved with the options of its job (`options_at`), record it, and keep
    what was made for the image's output (`made`, until the caller takes it)."""

    def __init__(self, options_at: OptionsAt, say: Callable[[str], None],
                 workers: int | None = None, more: Callable[[], Job | None] | None = None
                 ) -> None:
        self.options_at = options_at
        self._say = say
        self.codes: list[int] = []
        self.counts = {"derived": 0, "reused": 0, "failed": 0}
        self.made: dict[str, dict[str, Any]] = {}  # where(original) -> fields
        self.manifests: set[Path] = set()  # the assets.json files written
        self.stopped = False
        self._recorder = Recorder()
        self._lock = threading.Lock()
        self._waiting: dict[str, list[tuple[int | None, AssetOptions]]] = {}
        self._noted: set[str] = set()
        self._workers, self._more = workers, more
        self._engine: DeriveEngine | None = None

    def start(self) -> None:
        """Start the engine (its thread, its pool): close() must follow."""
        self._engine = DeriveEngine(AssetOptions(), self._done, self._workers,
                                    previous=self._recorder.previous, more=self._more)

    def saved(self, outcome: Paid, saved: Saved) -> None:
        self.submit(saved.path, outcome.origin.batch_line)

    def submit(self, original: Path, line: int | None) -> bool:
        """Derive `original` with its job's options; False when there is nothing to do."""
        options = self.options_at(line)
        if options is None or self.stopped or self._engine is None:
            return False
        self.expect(original, line, options)
        self._engine.submit(original, options)
        return True

    def expect(self, original: Path, line: int | None, options: AssetOptions) -> None:
        with self._lock:
            self._waiting.setdefault(where(original), []).append((line, options))

    def halt(self) -> None:
        """Ctrl-C or SIGTERM: start no more derivations; those running finish whole."""
        self.stopped = True
        if self._engine is not None:
            self._engine.halt()

    def close(self) -> int:
        """Wait for every derivation (Ctrl-C or SIGTERM here: only for those running), record
        them in assets.json; the exit code they make (0, or 8 when some failed)."""
        engine, self._engine = self._engine, None
        try:
            if engine is not None and self.stopped:
                engine.cancel()
            elif engine is not None:
                engine.close()
        except BaseException:
            self.stopped = True
            assert engine is not None
            engine.cancel()
            raise
        finally:
            self._flush()
        return most_severe(self.codes)

    def poke(self) -> None:
        if self._engine is not None:
            self._engine.poke()

    def derived(self, line: int | None, original: Path, found: dict[str, Any]) -> None:
        """One original's derivation is over: kept for the caller (overridden by a view)."""
        self.made[where(original)] = found

    def _done(self, outcome: Outcome) -> None:
        with self._lock:
            line, options = self._waiting[where(outcome.original)].pop(0)
        error = outcome.error
        if error is not None:
            self._failed(outcome.original, error)
        else:
            assert outcome.asset is not None
            self.counts["reused" if outcome.reused else "derived"] += 1
            for note in outcome.asset.notes:
                if note not in self._noted:
                    self._noted.add(note)
                    self._say(f"Note: {note}")
            try:
                self.manifests.add(outcome.asset.original.path.parent / MANIFEST_NAME)
                self._recorder.add(outcome.asset)
            except PixazoError as problem:  # its files are made; only the manifest is behind
                self._failed(outcome.original, problem)
        self.derived(line, outcome.original, fields(outcome, options))

    def _failed(self, original: Path, error: PixazoError) -> None:
        self.counts["failed"] += 1
        self.codes.append(exit_code(error))
        self._say(f"{original}: not derived: {error.message}"
                 + (f"\n  Hint: {error.hint}" if error.hint else ""))

    def _flush(self) -> None:
        try:
            self._recorder.flush()
        except PixazoError as error:
            self.codes.append(exit_code(error))
            self._say(f"The assets manifest was not written: {error.message}")

    def summary_line(self) -> str:
        c = self.counts
        written = ", ".join(sorted(map(str, self.manifests))) or "none"
        return (f"Assets: {c['derived']} derived, {c['reused']} already up to date, "
                f"{c['failed']} failed; manifest: {written}.")
