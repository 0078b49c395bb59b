"""--sandbox --dry-run shows the request for the real gateway: a sandbox that stops with the
command would make the printed curl command useless."""

from __future__ import annotations

from tests.conftest import GATEWAY, run


def test_sandbox_dry_run_prints_the_gateway_url_and_says_so() -> None:
    result = run("--sandbox", "sdxl", "a fox", "--seed", "1", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["url"] == f"{GATEWAY}/getImage/v1/getSDXLImage"
    assert "answered locally" in result.stderr
    assert "127.0.0.1" not in result.stdout
