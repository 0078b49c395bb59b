"""Derivation as a listener (assets/follow.py, batch/deriving.py), without a gateway: images are
derived as they are saved, a job's end is shown once its images are derived and carries what
was made, a re-run's saved jobs are pulled one at a time when a worker is free (never all held),
and a stop starts nothing new yet shows every job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pixazo_cli.assets.engine import DeriveEngine, Outcome
from pixazo_cli.assets.follow import where
from pixazo_cli.assets.options import parse_options
from pixazo_cli.batch.deriving import DerivingView
from pixazo_cli.batch.events import BatchEvents
from pixazo_cli.batch.intake import SavedJobs
from pixazo_cli.batch.jobfile import read_jobs
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.ledger import Origin
from pixazo_cli.flow.ledger import Outcome as Paid
from tests.assets_support import quadrants, saved_original
from tests.test_assets_manifest import valid

WEBP = parse_options({"to": "webp", "widths": "16"})


class Shown(BatchEvents):
    """A batch view that remembers what it was told, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []

    def saved(self, outcome: Paid, saved: Saved) -> None:
        self.calls.append(("saved", saved.path.name, {}))

    def done(self, job: Any, entry: dict[str, Any]) -> None:
        self.calls.append(("done", job.line, entry))

    def skipped(self, line: int, entry: dict[str, Any]) -> None:
        self.calls.append(("skipped", line, entry))


class Job:
    def __init__(self, line: int) -> None:
        self.line = line


def originals(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [saved_original(folder / f"img{n}.png", quadrants((40, 30))) for n in range(count)]


def entry(path: Path) -> dict[str, Any]:
    return {"status": "saved", "files": [{"path": path.name, "bytes": 1, "sha256": "x"}]}


def test_a_jobs_end_waits_for_its_images_and_carries_what_was_derived(isolated: Path) -> None:
    [image] = originals(isolated / "out", 1)
    shown = Shown()
    with DerivingView(shown, lambda _: WEBP, lambda _: None, isolated / "out",
                      workers=0) as view:
        paid = Paid("sdxl", origin=Origin(batch_line=3))
        view.saved(paid, Saved(image, "u", 1, "x"))
        view.done(Job(3), entry(image))
    view.summary()
    assert [call[0] for call in shown.calls] == ["saved", "done"]
    [made] = shown.calls[1][2]["files"][0]["derived"]
    assert made["path"] == where(image.with_name("img0-16w.webp")) and made["width"] == 16
    assert valid(isolated / "out" / "assets.json")["assets"]["img0.png"]


def test_saved_jobs_are_pulled_one_at_a_time_when_a_worker_is_free(isolated: Path) -> None:
    images = originals(isolated / "out", 12)
    shown = Shown()
    asked: list[tuple[int, int]] = []  # (line asked for, jobs shown by then)

    def entry_at(line: int) -> dict[str, Any]:
        asked.append((line, len(shown.calls)))
        return entry(images[line - 1])

    with DerivingView(shown, lambda _: WEBP, entry_at, isolated / "out", workers=0) as view:
        for line in range(1, 13):
            view.skipped(line, {"not": "held"})  # as BatchRun reports them, all at once
    assert [line for line, _ in asked] == list(range(1, 13))
    # Never more than the engine's window (2 in flight for one worker) read ahead of what
    # was shown: the saved jobs are not all held.
    assert all(line - shown_by_then <= 3 for line, shown_by_then in asked)
    assert [call[1] for call in shown.calls] == list(range(1, 13))
    assert all(call[2]["files"][0]["derived"] for call in shown.calls)


def test_a_stop_starts_nothing_new_and_still_shows_every_job(isolated: Path) -> None:
    images = originals(isolated / "out", 6)
    shown = Shown()
    view = DerivingView(shown, lambda _: WEBP, lambda line: entry(images[line - 1]),
                        isolated / "out", workers=0)
    with view:
        view.halted()
        for line in range(1, 7):
            view.skipped(line, entry(images[line - 1]))
    assert sorted(call[1] for call in shown.calls) == list(range(1, 7))
    assert not list((isolated / "out").glob("*.webp"))


def test_the_engine_derives_what_is_submitted_before_it_asks_for_more(isolated: Path) -> None:
    live, *saved = originals(isolated / "a", 4)
    order: list[str] = []
    feed = list(saved)

    def more() -> tuple[Path, Any] | None:
        return (feed.pop(0), WEBP) if feed else None

    with DeriveEngine(WEBP, lambda o: order.append(o.original.name), workers=0,
                      more=more) as engine:
        engine.submit(live)
        engine.poke()
    assert order[0] == live.name and sorted(order[1:]) == sorted(p.name for p in saved)


def test_after_halt_nothing_submitted_starts(isolated: Path) -> None:
    images = originals(isolated / "a", 3)
    reported: list[Outcome] = []
    engine = DeriveEngine(WEBP, reported.append, workers=0)
    engine.halt()
    for image in images:
        engine.submit(image)
    engine.close()
    assert reported == [] and not list((isolated / "a").glob("*.webp"))


def test_saved_jobs_keep_an_index_of_their_options_not_a_copy() -> None:
    jobs, _ = read_jobs("".join(f'{{"model": "sdxl", "prompt": "p{n}", "to": "webp"}}\n'
                                for n in range(50)), None, {})
    saved = SavedJobs()
    for job in jobs:
        saved.add(job)
    assert len(saved.kinds) == 2  # None and the one options every line shares
    assert saved.assets_at(saved.find(7)) == jobs[6].assets == parse_options({"to": "webp"})
