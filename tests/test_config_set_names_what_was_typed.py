"""`config set` refuses a bad number by quoting what was typed, not an internal stand-in."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize(("key", "typed"), [("max_download_mb", "lots"), ("timeout", "0"),
                                            ("timeout", "nan")])
def test_a_bad_number_is_quoted_as_typed(key: str, typed: str) -> None:
    result = run("config", "set", key, typed)
    assert result.exit_code == 2
    assert f"{key} must be a positive number, not '{typed}'." in result.stderr
    assert "-1.0" not in result.stderr
