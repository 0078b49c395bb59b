"""Help that reads whole: no command summary cut mid-sentence, metavars that say what goes there."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("group", [[], ["config"], ["auth"], ["sandbox"]])
def test_no_command_summary_is_cut_short(group: list[str]) -> None:
    result = run(*group, "--help")
    commands = result.stdout.split("Commands:")[1]
    for line in commands.splitlines():
        assert not line.rstrip().endswith(("e.g.", "...")), line


def test_batch_model_option_names_a_model() -> None:
    assert "-m, --model MODEL" in run("batch", "--help").stdout
