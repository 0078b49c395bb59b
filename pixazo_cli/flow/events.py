"""How the generation flow tells the outside world what it is doing, without knowing who
listens: the terminal shows a spinner, a script's stdout gets the saved paths, a record keeps
what was paid for. The flow calls these hooks; each listener overrides the ones it needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pixazo_cli.errors import PixazoError
    from pixazo_cli.flow.download import Downloader, Saved
    from pixazo_cli.flow.ledger import Outcome
    from pixazo_cli.http.client import Gateway
    from pixazo_cli.http.clock import Clock

StatusUpdate = Callable[[str], None]


class FlowEvents:
    """Every hook a no-op: a listener overrides what it cares about."""

    @contextmanager
    def stage(self, label: str, status: str) -> Iterator[StatusUpdate]:
        """A step that takes a while (sending, waiting, downloading); the flow calls the
        yielded function as the step's status changes."""
        yield _ignore

    def sending(self, outcome: Outcome) -> None:
        """The paid request goes out now: its limiter slot is taken, the POST is next. A
        listener that raises here stops it from being sent (a batch's write-ahead intent);
        after this, every listener keeps its own failures to itself."""

    def notice(self, outcome: Outcome, message: str) -> None:
        """Something a person should know that does not stop the request (a warning)."""

    def answered(self, outcome: Outcome) -> None:
        """The gateway accepted the request: its id and, for a sync model, the URLs are known."""

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        """One image is in place under its final name."""

    def finished(self, outcome: Outcome, error: PixazoError | None) -> None:
        """The request is over: every image saved (error None), or it stopped with error."""


def _ignore(_: str) -> None:
    pass


class Fanout(FlowEvents):
    """Several listeners as one, called in the order they were added."""

    def __init__(self, *listeners: FlowEvents) -> None:
        self.listeners = list(listeners)

    def add(self, listener: FlowEvents) -> None:
        self.listeners.append(listener)

    @contextmanager
    def stage(self, label: str, status: str) -> Iterator[StatusUpdate]:
        with ExitStack() as stack:
            updates = [stack.enter_context(one.stage(label, status)) for one in self.listeners]

            def update(text: str) -> None:
                for each in updates:
                    each(text)
            yield update

    def sending(self, outcome: Outcome) -> None:
        for listener in self.listeners:
            listener.sending(outcome)

    def notice(self, outcome: Outcome, message: str) -> None:
        for listener in self.listeners:
            listener.notice(outcome, message)

    def answered(self, outcome: Outcome) -> None:
        for listener in self.listeners:
            listener.answered(outcome)

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        for listener in self.listeners:
            listener.saved(outcome, saved)

    def finished(self, outcome: Outcome, error: PixazoError | None) -> None:
        for listener in self.listeners:
            listener.finished(outcome, error)


class FlowContext(Protocol):
    """What one run of the flow needs from the command that starts it."""

    events: FlowEvents
    clock: Clock

    def gateway(self) -> Gateway: ...

    def downloader(self) -> Downloader: ...
