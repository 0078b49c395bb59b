"""docs/adding-a-model.md documents every key of the format, and its reference example is a
valid model file whose requests the sandbox's own schema for that path accepts."""

from __future__ import annotations

from pathlib import Path

from pixazo_cli.models.fields import FIELD_KEYS
from pixazo_cli.models.files import REPLY_KEYS, TOP_KEYS
from pixazo_cli.models.spec import COMMAND_NAMES, COMMON_NAMES, FLAGS
from pixazo_cli.sandbox import Sandbox
from tests.conftest import run

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "adding-a-model.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "docs" / "examples" / "my-sd3.toml"


def test_the_page_documents_every_key_and_every_shared_flag() -> None:
    for key in (*TOP_KEYS, *REPLY_KEYS, *FIELD_KEYS):
        assert f"`{key}`" in DOC or f"`[{key}]`" in DOC or f"`[[{key}]]`" in DOC, key
    for flag in FLAGS:
        assert f"--{flag.replace('_', '-')}" in DOC, flag


def test_the_page_names_the_options_a_flag_of_ones_own_cannot_take() -> None:
    for name in COMMON_NAMES - {"ctx", "json_out", "out_dir", "open_images", "no_wait",
                                "dry_run", "base_url", "models_dir", "output_dir", "wait"}:
        assert f"--{name.replace('_', '-')}" in DOC or f"`{name}`" in DOC, name
    assert "`status`, `batch`, `models`" in DOC and len(COMMAND_NAMES) > 10


def test_the_reference_example_is_marked_and_checks(key: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.startswith("# EXAMPLE MODEL FILE") and "NOT a verified integration" in text
    result = run("models", "check", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert '"output_format": "jpg"' in result.stdout


def test_the_reference_example_runs_on_the_sandboxs_own_sd3_schema(gateway: Sandbox) -> None:
    assert run("models", "add", str(EXAMPLE)).exit_code == 0
    result = run("my-sd3", "a neon-lit city race", "--aspect-ratio", "3:2", "--format", "jpg",
                 "--steps", "28", "--guidance", "4", "--quality", "80", "--prompt-strength",
                 "0.5", "--negative-prompt", "dark", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["files"][0]["path"].endswith(".jpg")
    assert gateway.stats()["posts_accepted"] == 1
