"""-n/--count: one prompt, N images, sent as N requests under the batch engine (its limiter,
its parallel jobs, one progress bar). Seeds go S, S+1, … from --seed S, or from one random S,
so the set can be made again with --seed S; each image's record keeps its own. A model without
seeds that makes several images per request (nucleus) gets at most four a request.

The requests run in parallel, yet their files are named and printed in seed order: variation k
numbers its images after those of variations 1..k-1, and its paths wait for theirs."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pixazo_cli.assets.options import AssetOptions
from pixazo_cli.batch.events import BatchEvents
from pixazo_cli.batch.jobfile import BatchJob, canonical_hash
from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.batch.run import BatchOptions, BatchRun
from pixazo_cli.commands.assets import deriving_view
from pixazo_cli.commands.session import Session
from pixazo_cli.errors import most_severe
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.files import check_folder
from pixazo_cli.flow.ledger import Outcome
from pixazo_cli.flow.naming import SaveOptions
from pixazo_cli.models.request import ApiRequest, override, with_seed
from pixazo_cli.models.seeds import first_of_run
from pixazo_cli.ui.batchview import BatchView

CONCURRENCY = 4
IMAGES_PER_REQUEST = 4  # nucleus -n N: the README's rule, at most four images a request


def variation_requests(request: ApiRequest, count: int) -> list[ApiRequest]:
    model = request.model
    if model.seed_field is not None:
        # The user's seed, else one random start (the single command's): `--seed S` makes
        # the same set again. Every seed of the run is within the model's range.
        first = first_of_run(model, request.seed, with_seed(request).seed or 0, count)
        return [override(request, {"seed": first + i}) for i in range(count)]
    images = model.by_flag.get("num_images")
    if images is not None and request.value("num_images") is None:
        most = IMAGES_PER_REQUEST if images.high is None else \
            min(IMAGES_PER_REQUEST, int(images.high))
        return [override(request, {"num_images": min(most, count - done)})
                for done in range(0, count, most)]
    return [request] * count


def variation_jobs(requests: list[ApiRequest], save: SaveOptions) -> list[BatchJob]:
    """One job per request, numbered in seed order: its images' {index} follow the earlier
    variations' (with -o FILE: FILE-1 … FILE-N), and all share the command's start time."""
    started = datetime.now()
    total = sum(request.expected_images for request in requests)
    name = save.template_for(total) if save.template is not None else None
    jobs, offset = [], 0
    for number, request in enumerate(requests, start=1):
        key = f"{canonical_hash(request)[:32]}#{number}"
        jobs.append(BatchJob(number, request, name, key, offset=offset, started=started))
        offset += request.expected_images
    return jobs


class _InOrder(BatchView):
    """The batch's progress bar, with the results released in variation order (and kept for
    --preview): a later variation that finishes first waits for the earlier ones."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.word, self.resumable = "variation", False
        self.paths: list[Path] = []
        self._held: dict[int, list[Callable[[], None]]] = {}
        self._ended: set[int] = set()
        self._next = 1
        self._order = threading.Lock()

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        self._hold(outcome.origin.batch_line, lambda: self._show_saved(outcome, saved))

    def _show_saved(self, outcome: Outcome, saved: Saved) -> None:
        super().saved(outcome, saved)
        self.paths.append(saved.path)

    def done(self, job: BatchJob, entry: dict[str, Any]) -> None:
        self._hold(job.line, lambda: BatchView.done(self, job, entry), ended=True)

    def failed(self, job: BatchJob, entry: dict[str, Any]) -> None:
        self._hold(job.line, lambda: BatchView.failed(self, job, entry), ended=True)

    def summary(self) -> None:
        """What is still held (after a variation that was never sent: Ctrl-C, a refused key)
        is shown now, in order, before the summary counts it."""
        with self._order:
            held, self._held = self._held, {}
        for line in sorted(held):
            for each in held[line]:
                each()
        super().summary()

    def _hold(self, line: int | None, show: Callable[[], None], ended: bool = False) -> None:
        with self._order:
            self._held.setdefault(line or 0, []).append(show)
            if ended:
                self._ended.add(line or 0)
            while self._next in self._ended:
                for each in self._held.pop(self._next, []):
                    each()
                self._next += 1


def run_variations(session: Session, requests: list[ApiRequest], save: SaveOptions,
                   json_out: bool, preview: bool, assets: AssetOptions | None = None) -> int:
    """Send every request, deriving `assets` from each image; returns 0, or the most severe
    failure's exit code."""
    check_folder(save.out_dir)
    jobs = variation_jobs(requests, save)
    view = _InOrder(session.ui, len(jobs), json_out, save.out_dir)
    events: BatchEvents = view
    if assets is not None:
        view.show_paths = not assets.html
        events = deriving_view(view, lambda _: assets, lambda _: None, save.out_dir)
    # The manifest makes a batch resumable; N variations are one command, so it is scratch.
    with tempfile.TemporaryDirectory(prefix="pixazo-n-") as scratch:
        options = BatchOptions(SaveOptions(save.out_dir, None, save.overwrite, save.sidecar),
                               CONCURRENCY, job_timeout=session.settings.timeout,
                               manifest=Path(scratch) / MANIFEST_NAME, origin=session.origin(),
                               job_word="variation", scratch=Path(scratch))
        code = BatchRun(session, jobs, options, events, session.recorder()).run()
    code = most_severe([code, *getattr(events, "codes", [])])
    if preview:
        from pixazo_cli.ui.preview import show

        show(view.paths)
    return code
