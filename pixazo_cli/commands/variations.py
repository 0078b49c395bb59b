"""-n/--count: one prompt, N images, sent as N requests under the batch engine (its limiter,
its parallel jobs, one progress bar). Seeds go S, S+1, … from --seed S, or are drawn at random,
and each image's record keeps its own. A model without seeds that makes several images per
request (nucleus) gets them in as few requests as its image count allows."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

from pixazo_cli.batch.jobfile import BatchJob, canonical_hash
from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.batch.run import BatchOptions, BatchRun
from pixazo_cli.commands.session import Session
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.files import check_folder
from pixazo_cli.flow.generate import Outcome
from pixazo_cli.flow.naming import SaveOptions
from pixazo_cli.models.request import SEED_RANGE, ApiRequest, override
from pixazo_cli.ui.batchview import BatchView

CONCURRENCY = 4


def variation_requests(request: ApiRequest, count: int,
                       rng: random.Random | None = None) -> list[ApiRequest]:
    model = request.model
    if "seed" in model.by_flag:
        first = request.seed
        rng = rng or random.SystemRandom()
        seeds = [first + i for i in range(count)] if first is not None else \
            rng.sample(range(SEED_RANGE[0], SEED_RANGE[1] + 1), count)
        return [override(request, {"seed": seed}) for seed in seeds]
    images = model.by_flag.get("num_images")
    if images is not None and request.value("num_images") is None:
        most = int(images.high) if images.high is not None else count  # no maximum: one request
        return [override(request, {"num_images": min(most, count - done)})
                for done in range(0, count, most)]
    return [request] * count


class _KeepingView(BatchView):
    """The batch's progress bar, remembering the saved images for --preview."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paths: list[Path] = []

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        super().saved(outcome, saved)
        self.paths.append(saved.path)


def run_variations(session: Session, requests: list[ApiRequest], save: SaveOptions,
                   json_out: bool, preview: bool) -> int:
    """Send every request; returns 0, or the most severe failure's exit code."""
    check_folder(save.out_dir)
    jobs = [BatchJob(number, request, None, f"{canonical_hash(request)[:32]}#{number}")
            for number, request in enumerate(requests, start=1)]
    view = _KeepingView(session.ui, len(jobs), json_out, save.out_dir)
    # The manifest makes a batch resumable; N variations are one command, so it is scratch.
    with tempfile.TemporaryDirectory(prefix="pixazo-n-") as scratch:
        options = BatchOptions(save, CONCURRENCY, job_timeout=session.settings.timeout,
                               manifest=Path(scratch) / MANIFEST_NAME)
        code = BatchRun(session, jobs, options, view, session.recorder()).run()
    if preview:
        from pixazo_cli.ui.preview import show

        show(view.paths)
    return code
