"""Work spread over every core, its results handed back in the order of the work, with a
bounded number in flight: however many items there are, memory holds a few of them.

Worker processes, not threads: decoding and scaling hold the GIL for much of their time (see
docs/BENCHMARKS.md). They are started from a clean server process (forkserver where the
platform has it, else spawn), never forked from a process that may run threads of its own, and
only when there is enough work to pay for starting them."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from pixazo_cli.errors import SaveError

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT = 3  # items per worker submitted ahead of the one awaited
SAFE_PATH = "PYTHONSAFEPATH"  # Python 3.11+: no current folder on a new interpreter's path


def cores() -> int:
    """The cores this process may run on (a CI runner's share, `taskset`), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def process_pool(count: int, preload: Iterable[str] = (), quiet_signals: bool = False) -> Any:
    """Worker processes as every pool of the tool starts them: from a clean server process
    (forkserver, else spawn), never importing code from the folder the command runs in
    (SAFE_PATH is set here; `put_back` restores it once the pool is shut down), with the key
    mask of this process (a worker embeds records and writes files), and, with
    `quiet_signals`, leaving Ctrl-C and SIGTERM to this process, which decides how work ends.
    Raises OSError, ImportError or NotImplementedError where none can start."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pixazo_cli.scrub import registered

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
    else:
        context = multiprocessing.get_context("spawn")
    # A worker's interpreter starts as `python -c`, which puts the current folder first on its
    # import path: a `PIL/` or `pixazo_cli/` folder where the command runs (an artifact, a
    # checkout) would be imported, and run, in the workers. Not with this.
    os.environ[SAFE_PATH] = "1"
    return ProcessPoolExecutor(count, mp_context=context, initializer=_worker_starts,
                               initargs=(registered(), quiet_signals))


def _worker_starts(secrets: tuple[str, ...], quiet_signals: bool) -> None:
    from pixazo_cli.scrub import register_secret

    for secret in secrets:
        register_secret(secret)
    if quiet_signals:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def put_back(safe_path: str | None) -> None:
    """SAFE_PATH as it was before `process_pool`."""
    if safe_path is None:
        os.environ.pop(SAFE_PATH, None)
    else:
        os.environ[SAFE_PATH] = safe_path


class Workers:
    """A pool started on first use and shared by the steps of one command. `preload` names the
    modules the workers need: the server imports them once, and every worker shares them."""

    def __init__(self, count: int | None = None, preload: tuple[str, ...] = ()) -> None:
        self.count = max(1, count or cores())
        self.preload = preload
        self._pool: Any = None
        self._safe_path: str | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            put_back(self._safe_path)

    def in_order(self, work: Callable[[T], R], items: Iterable[T], count: int,
                 alone_below: int, ahead: int = IN_FLIGHT) -> Iterator[R]:
        """work(item) for each of `count` items, yielded in their order, `ahead` items per
        worker sent before the one awaited; done in this process when there are fewer than
        `alone_below` (starting a worker costs some 0.2 s)."""
        if self.count <= 1 or count < alone_below:
            yield from map(work, items)
            return
        from concurrent.futures.process import BrokenProcessPool

        pool = self._start()
        if pool is None:
            yield from map(work, items)
            return
        pending: deque[Any] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= self.count * ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool as error:  # a worker was killed: out of memory, a signal
            raise SaveError(f"A worker process stopped ({error}); what was made before is kept.",
                            hint="Run it again: nothing made is made twice.") from None
        finally:
            for future in pending:
                future.cancel()

    def _start(self) -> Any:
        if self._pool is None:
            self._safe_path = os.environ.get(SAFE_PATH)
            try:
                self._pool = process_pool(self.count, self.preload)
            except (OSError, ImportError, NotImplementedError):  # no /dev/shm, no semaphores
                self.count = 1
        return self._pool
