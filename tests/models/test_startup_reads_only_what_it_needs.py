"""Start-up stays fast with many model files: `--version` and `--help` read none of them (help
lists their names and title lines), a completion request reads only the file of the model it
completes. Timings are in bench/ (docs/BENCHMARKS.md); this checks what is read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.models.support import SYNC, install

# Runs pixazo's console entry point with the model-file reader counting what it reads.
COUNTING = """
import atexit, sys
from pixazo_cli.models import registry
read = registry.read_model_file
seen = []
def counting(path, *args, **kwargs):
    seen.append(path.name)
    return read(path, *args, **kwargs)
registry.read_model_file = counting
atexit.register(lambda: sys.stderr.write("READ:" + ",".join(seen) + "\\n"))
sys.argv = ["pixazo", *sys.argv[1:]]
from pixazo_cli.entry import main
main()
"""


@pytest.fixture
def fifty(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    for n in range(49):
        install(SYNC.replace("pixel", f"pixel{n}").replace("Pixel Art XL", f"Pixel Art {n}"),
                f"pixel{n}", folder)
    install("this is not a model file", "broken", folder)
    return folder


def reads(folder: Path, *args: str, **env: str) -> tuple[list[str], subprocess.CompletedProcess]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    environ.update(PIXAZO_MODELS_DIR=str(folder), **env)
    done = subprocess.run([sys.executable, "-c", COUNTING, *args], env=environ,
                          capture_output=True, text=True, timeout=60)
    line = next(x for x in done.stderr.splitlines() if x.startswith("READ:"))
    return [name for name in line[5:].split(",") if name], done


def completing(line: str) -> dict[str, str]:
    return {"_PIXAZO_COMPLETE": "complete_bash", "COMP_WORDS": line,
            "COMP_CWORD": str(len(line.split(" ")) - 1)}


def test_version_reads_no_model_file(fifty: Path) -> None:
    read, done = reads(fifty, "--version")
    assert read == [] and done.stdout.startswith("pixazo ")
    assert "broken" not in done.stderr


def test_help_reads_no_model_file_yet_lists_them_with_their_titles(fifty: Path) -> None:
    read, done = reads(fifty, "--help")
    assert read == []
    assert "pixel7     Pixel Art 7 (sync)." in done.stdout
    assert "broken" in done.stdout  # listed by its name; its error comes when it is used


def test_completing_a_builtins_flags_reads_its_file_alone(fifty: Path) -> None:
    read, done = reads(fifty, **completing("pixazo sdxl x --"))
    assert read == ["sdxl.toml"]
    assert "--seed" in done.stdout.split()


def test_completing_a_user_models_flags_reads_its_file_alone(fifty: Path) -> None:
    read, done = reads(fifty, **completing("pixazo pixel7 x --"))
    assert read == ["pixel7.toml"]
    assert "--style" in done.stdout.split()


def test_completing_a_command_name_reads_no_model_file(fifty: Path) -> None:
    read, done = reads(fifty, **completing("pixazo pixel1"))
    assert read == []
    assert {"pixel1", "pixel10", "pixel19"} <= set(done.stdout.split())


def test_completing_another_commands_options_reads_no_model_file(fifty: Path) -> None:
    read, done = reads(fifty, **completing("pixazo batch x --"))
    assert read == [] and "--max-cost" in done.stdout.split()
