"""nucleus num_images: the vendor documents no maximum, so neither the tool nor the sandbox
invents one."""

from __future__ import annotations

from pathlib import Path

from pixazo_cli.models.table import MODELS
from tests.e2e.harness import Server, run_pixazo


def test_the_table_sets_no_maximum_for_num_images() -> None:
    assert MODELS["nucleus"].by_flag["num_images"].high is None


def test_more_than_four_images_are_asked_for_and_saved(server: Server, home: Path,
                                                       tmp_path: Path) -> None:
    result = run_pixazo(["nucleus", "a crowd", "--num-images", "6", "-d", "out"], home,
                        tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6
