"""`pixazo auth status --check` asks the gateway whether it takes the key, without paying: the
installed command against `pixazo sandbox serve --key`, which refuses every other key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import KEY, Server, run_pixazo, start_server


@pytest.fixture(scope="module")
def keyed() -> Iterator[Server]:
    running = start_server("--key", KEY)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh_keyed(keyed: Server) -> None:
    keyed.reset()


def test_a_good_key_is_accepted_exit_0_and_nothing_is_posted(keyed: Server, home: Path,
                                                               tmp_path: Path) -> None:
    done = run_pixazo(["auth", "status", "--check"], home, tmp_path, keyed)
    assert done.returncode == 0, done.stderr
    assert "from environment (PIXAZO_API_KEY)" in done.stdout
    assert "accepts this key" in done.stderr
    assert KEY not in done.stdout + done.stderr
    stats = keyed.stats()
    assert stats["posts_received"] == 0
    assert stats["status_polls"] == 2  # with the key, then without: it must be refused


def test_a_wrong_key_is_refused_exit_3_and_nothing_is_posted(keyed: Server, home: Path,
                                                              tmp_path: Path) -> None:
    done = run_pixazo(["auth", "status", "--check"], home, tmp_path, keyed,
                      env={"PIXAZO_API_KEY": "wrong-key-0123456789"})
    assert done.returncode == 3
    assert "refused the API key" in done.stderr
    assert "PIXAZO_API_KEY" in done.stderr  # says where the refused key came from
    assert "wrong-key-0123456789" not in done.stderr
    assert keyed.stats()["posts_received"] == 0


def test_without_check_nothing_is_asked(keyed: Server, home: Path, tmp_path: Path) -> None:
    done = run_pixazo(["auth", "status"], home, tmp_path, keyed,
                      env={"PIXAZO_API_KEY": "wrong-key-0123456789"})
    assert done.returncode == 0
    assert keyed.stats()["status_polls"] == 0


def test_an_unreachable_gateway_is_exit_7_saying_what_happened(home: Path,
                                                               tmp_path: Path) -> None:
    done = run_pixazo(["auth", "status", "--check", "--base-url", "http://127.0.0.1:1"],
                      home, tmp_path)
    assert done.returncode == 7
    assert "Cannot tell whether the key works" in done.stderr
    assert "127.0.0.1:1" in done.stderr


def test_a_base_url_with_a_stray_path_is_not_taken_for_a_working_key(keyed: Server, home: Path,
                                                                     tmp_path: Path) -> None:
    # Every path under /v1 is a 404 there, key or no key: that proves nothing about the key.
    done = run_pixazo(["auth", "status", "--check", "--base-url", keyed.url + "/v1"],
                      home, tmp_path)
    assert done.returncode == 7
    assert "accepts" not in done.stderr
    assert "--base-url" in done.stderr
    assert keyed.stats()["posts_received"] == 0
