"""How a sandbox is configured (kept apart so every module can import it without cycles)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SandboxOptions:
    host: str = "127.0.0.1"
    port: int = 8787  # 0 = pick a free port
    key: str | None = None  # None: any non-empty key is accepted; else only this key
    # Seconds a job takes. Sync models wait this long before answering; nucleus jobs spread
    # QUEUED -> PROCESSING -> COMPLETED over it.
    latency: float = 2.0
    balance: int | None = None  # images it will make before answering 402; None = unlimited
    rate_limit: int = 60  # model POSTs per minute per key; 0 = no limit
    faults: list[str] = field(default_factory=list)  # fault specs, see faults.py
    quiet: bool = False  # no request log lines on stderr
    # Every reply says it came from the sandbox (X-Pixazo-Sandbox), so clients record what it
    # made as free. Off only where it plays the paying gateway itself (the tool's own tests).
    announce: bool = True
