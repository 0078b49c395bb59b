"""The README is part of the product: its flag table and exit codes follow the code."""

from pathlib import Path

from pixazo_cli.errors import EXIT_CODES
from tools.docgen.flagtable import flag_table_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_flag_table_matches_the_model_table():
    assert flag_table_markdown() in README


def test_readme_lists_every_exit_code():
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in README


def test_ci_runs_exactly_the_readme_test_command():
    command = (ROOT / ".ci/run").read_text().strip().splitlines()[-1]
    assert f"```sh\n{command}\n```" in README


def test_readme_first_command_uses_the_sandbox():
    first = README.split("```sh\n", 1)[1].split("\n", 1)[0]
    assert first.endswith('pixazo --sandbox sdxl "a lighthouse at dusk"')
