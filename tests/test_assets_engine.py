"""The derivation engine: originals submitted from any thread are derived in worker processes
and reported in submission order; one asset's failure is its own; an earlier entry that still
holds is reused without deriving; the bytes are those of deriving in this process."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pixazo_cli.assets.engine import DeriveEngine, Outcome
from pixazo_cli.assets.manifest import Recorder
from pixazo_cli.assets.options import parse_options
from pixazo_cli.errors import SaveError
from tests.assets_support import quadrants, saved_original

OPTIONS = parse_options({"size": "48x32", "to": "webp,avif", "widths": "24",
                         "placeholder": "blurhash"})


def originals(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [saved_original(folder / f"img{n:02d}.png", quadrants((60 + n, 40)))
            for n in range(count)]


def run_engine(paths: list[Path], workers: int, recorder: Recorder | None = None,
               from_threads: bool = False) -> list[Outcome]:
    reported: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        reported.append(outcome)
        if recorder is not None and outcome.asset is not None:
            recorder.add(outcome.asset)

    with DeriveEngine(OPTIONS, done, workers=workers,
                      previous=recorder.previous if recorder else None) as engine:
        if from_threads:  # as a batch's workers would, each saving its own image
            threads = [threading.Thread(target=engine.submit, args=(p,)) for p in paths]
            for thread in threads:
                thread.start()
                thread.join()  # submitted in this order, from another thread each
        else:
            for path in paths:
                engine.submit(path)
    if recorder is not None:
        recorder.flush()
    return reported


def test_worker_processes_report_in_submission_order_with_in_process_bytes(
        isolated: Path) -> None:
    paths = originals(isolated / "a", 6)
    parallel = run_engine(paths, workers=2, from_threads=True)
    assert [o.original for o in parallel] == paths
    inline = run_engine(originals(isolated / "b", 6), workers=0)
    assert [[d.sha256 for d in o.asset.derived] for o in parallel] == \
        [[d.sha256 for d in o.asset.derived] for o in inline]
    assert [o.asset.placeholder for o in parallel] == [o.asset.placeholder for o in inline]


def test_one_bad_original_fails_alone(isolated: Path) -> None:
    paths = originals(isolated / "a", 2)
    bad = isolated / "a" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    reported = run_engine([paths[0], bad, paths[1]], workers=1)
    assert [o.error is None for o in reported] == [True, False, True]
    assert reported[1].error is not None and reported[1].error.exit_code == 2
    assert "not an image pixazo can derive from" in reported[1].error.message


def test_a_name_taken_by_another_file_fails_that_asset_with_exit_8(isolated: Path) -> None:
    paths = originals(isolated / "a", 2)
    (isolated / "a" / "img00-48x32.webp").write_bytes(b"a person's file")
    reported = run_engine(paths, workers=1)
    assert reported[0].error is not None and reported[0].error.exit_code == SaveError.exit_code
    assert reported[0].error.hint and reported[1].error is None


def test_a_re_run_with_the_same_options_derives_nothing(isolated: Path) -> None:
    paths = originals(isolated / "a", 3)
    first = run_engine(paths, workers=0, recorder=Recorder())
    stamps = {p: p.stat().st_mtime_ns for p in (isolated / "a").iterdir()}
    again = run_engine(paths, workers=0, recorder=Recorder())
    assert [o.reused for o in first] == [False] * 3 and [o.reused for o in again] == [True] * 3
    assert [o.asset for o in again] == [o.asset for o in first]
    assert {p: p.stat().st_mtime_ns for p in (isolated / "a").iterdir()
            if p.name != "assets.json"} == {p: t for p, t in stamps.items()
                                            if p.name != "assets.json"}


def test_a_derived_file_changed_since_is_derived_again(isolated: Path) -> None:
    paths = originals(isolated / "a", 1)
    run_engine(paths, workers=0, recorder=Recorder())
    (isolated / "a" / "img00-48x32-24w.avif").unlink()
    again = run_engine(paths, workers=0, recorder=Recorder())
    assert not again[0].reused and (isolated / "a" / "img00-48x32-24w.avif").is_file()


def test_a_failure_while_reporting_stops_the_run_and_reaches_the_caller(isolated: Path) -> None:
    paths = originals(isolated / "a", 4)
    seen: list[Path] = []

    def done(outcome: Outcome) -> None:
        seen.append(outcome.original)
        raise SaveError("the manifest could not be written")

    with pytest.raises(SaveError), DeriveEngine(OPTIONS, done, workers=0) as engine:
        for path in paths:
            engine.submit(path)
    assert seen == paths[:1]


def test_each_original_may_bring_its_own_options(isolated: Path) -> None:
    paths = originals(isolated / "a", 2)
    reported: list[Outcome] = []
    with DeriveEngine(OPTIONS, reported.append, workers=0) as engine:
        engine.submit(paths[0])
        engine.submit(paths[1], parse_options({"to": "jpg"}))  # a batch line's own
    assert [d.path.name for d in reported[1].asset.derived] == ["img01-61x40.jpg"]
    assert len(reported[0].asset.derived) == 4
