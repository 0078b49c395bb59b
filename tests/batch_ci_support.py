"""Helpers for the batch-for-CI tests (issue 14): a sandbox on loopback, batch files, the
manifest. Real HTTP; the client's clock is the fake one from conftest, so nothing sleeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.conftest import reset_sandbox


@pytest.fixture
def gateway(sandbox: Sandbox, key: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    reset_sandbox(sandbox)
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return sandbox


def line(model: str, prompt: str, **fields: Any) -> str:
    return json.dumps({"model": model, "prompt": prompt, **fields}) + "\n"


def sdxl_lines(count: int, start: int = 1) -> str:
    return "".join(line("sdxl", f"hero {n}", width=512, height=512, seed=n)
                   for n in range(start, start + count))


def write(folder: Path, text: str, name: str = "jobs.jsonl") -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


def manifest(folder: Path) -> list[dict[str, Any]]:
    path = folder / "pixazo-manifest.jsonl"
    return [json.loads(raw) for raw in path.read_text().splitlines()] if path.exists() else []


def latest(folder: Path) -> dict[str, dict[str, Any]]:
    """Each job's newest manifest entry."""
    return {entry["job"]: entry for entry in manifest(folder)}
