"""One command's world: settings (with their precedence applied), the UI and whoever else
listens to the flow, the clock and deadline, the HTTP clients, and the in-process sandbox when
--sandbox asks for it. It is what the flow receives as its FlowContext."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixazo_cli.commands.options import SANDBOX_LATENCY, SANDBOX_LATENCY_ENV, GlobalOptions
from pixazo_cli.flow.events import Fanout
from pixazo_cli.flow.ledger import Origin
from pixazo_cli.http.clock import Clock, Deadline, SystemClock
from pixazo_cli.settings import config
from pixazo_cli.ui.output import Ui

if TYPE_CHECKING:
    from pixazo_cli.flow.download import Downloader
    from pixazo_cli.history.store import History
    from pixazo_cli.http.client import Gateway

SANDBOX_ENV = "PIXAZO_SANDBOX"
SANDBOX_KEY = "sandbox-key"


def sandbox_wanted(options: GlobalOptions) -> bool:
    return options.sandbox or os.environ.get(SANDBOX_ENV, "").lower() in ("1", "true", "yes")


class Session:
    def __init__(self, options: GlobalOptions, json_mode: bool = False,
                 out_dir: Path | None = None, timeout: float | None = None,
                 clock: Clock | None = None) -> None:
        self.ui = Ui(quiet=options.quiet, verbose=options.verbose, json_mode=json_mode)
        self.events = Fanout(self.ui)  # commands add their own listeners (printing paths…)
        self.settings = config.resolve(config.load(), os.environ, options.base_url, out_dir,
                                       timeout)
        if self.settings.key_source.startswith("config") and config.readable_by_others():
            self.ui.say(f"Warning: {config.config_path()} holds the API key and others can read "
                        f"it; fix with: chmod 600 {config.config_path()}")
        self.clock = clock or SystemClock()
        self.deadline = Deadline(self.clock, self.settings.timeout)
        self._closers: list[Any] = []
        # Started on first use, so a usage error is reported before any sandbox start-up.
        self.uses_sandbox = sandbox_wanted(options)
        self._sandbox_started = False
        self._history: History | None | bool = False  # False: not opened yet

    def base_url(self) -> str:
        self._start_sandbox()
        return self.settings.base_url

    def _start_sandbox(self) -> None:
        if not self.uses_sandbox or self._sandbox_started:
            return
        self._sandbox_started = True
        from pixazo_cli.sandbox import SandboxOptions, start

        latency = float(os.environ.get(SANDBOX_LATENCY_ENV, SANDBOX_LATENCY))
        sandbox = start(SandboxOptions(port=0, latency=latency, quiet=True))
        self.close_later(sandbox)
        self.settings.base_url = sandbox.base_url
        self.settings.api_key, self.settings.key_source = SANDBOX_KEY, "sandbox (no key needed)"
        self.ui.say("Sandbox: offline stand-in for the gateway; images are placeholders and "
                    f"nothing is charged. Each job takes {latency:g} s here "
                    f"({SANDBOX_LATENCY_ENV}=0 for none).")

    def gateway(self) -> Gateway:
        from pixazo_cli.http.client import Gateway, check_transport

        self._start_sandbox()
        check_transport(self.settings.base_url)  # a mistyped URL is said before a missing key
        gateway = Gateway(self.settings.base_url, self.settings.require_key(), self.deadline,
                          self.clock, log=self.ui.trace if self.ui.verbose else None,
                          max_image_bytes=self.settings.max_download_bytes)
        self.close_later(gateway)
        return gateway

    def downloader(self) -> Downloader:
        from pixazo_cli.flow.download import Downloader

        downloader = Downloader(self.deadline, self.clock, self.settings.max_download_bytes,
                                log=self.ui.trace if self.ui.verbose else None)
        self.close_later(downloader)
        return downloader

    def history(self) -> History | None:
        """The history database, opened on first use; None when switched off or unusable."""
        if self._history is False:
            self._history = None
            if self.settings.history:
                from pixazo_cli.history import open_history

                self._history = open_history(self.settings.api_key, self.ui.say)
                if self._history is not None:
                    self.close_later(self._history)
        return self._history or None

    def adopt_history(self, history: History) -> None:
        """A history a reading command opened (fetch, status): recorded through it too, and
        closed with the session."""
        self.close_later(history)
        if self._history is False and self.settings.history:
            self._history = history

    def recorder(self) -> Any:
        """A listener that writes the flow's progress to the history (or does nothing)."""
        from pixazo_cli.history import NoRecord

        history = self.history()
        if history is None:
            return NoRecord()
        from pixazo_cli.history.recorder import HistoryRecorder

        recorder = HistoryRecorder(history, warn=self.ui.say)
        self.close_later(recorder)  # closed before the history: what was not written is retried
        return recorder

    def origin(self, batch_file: str | None = None) -> Origin:
        """What every paid request of this command records about where it came from."""
        return Origin(batch_file=batch_file, sandbox=self.uses_sandbox)

    def close_later(self, resource: Any) -> None:
        """Close `resource` with the session (last opened, first closed)."""
        self._closers.append(resource)

    def close(self) -> None:
        while self._closers:
            self._closers.pop().close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
