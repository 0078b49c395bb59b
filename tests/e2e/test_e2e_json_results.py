"""--json is one object on stdout whatever happens: absolute paths on success; on failure the
error, the exit code and, where something was paid for, the request id and image URLs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.harness import Server, run_pixazo


def test_json_paths_are_absolute(server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "a red fox", "-d", "out", "--json"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    [saved] = json.loads(result.stdout)["files"]
    assert Path(saved["path"]).is_absolute()
    assert Path(saved["path"]) == (tmp_path / "out").resolve() / Path(saved["path"]).name


def test_a_failure_before_paying_is_one_json_object(server: Server, home: Path,
                                                    tmp_path: Path) -> None:
    result = run_pixazo(["nucleus", "a fox", "--name", "{seed}.png", "--json"], home, tmp_path,
                        server)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["status"] == "error" and report["exit_code"] == 2
    assert "takes no seed" in report["error"]
    assert "request_id" not in report


def test_a_failure_after_paying_names_the_request_and_urls(server: Server, home: Path,
                                                           tmp_path: Path) -> None:
    server.reset(faults=["download:404"])
    result = run_pixazo(["nucleus", "a fox", "--json"], home, tmp_path, server)
    assert result.returncode == 8, result.stderr
    report = json.loads(result.stdout)
    assert report["exit_code"] == 8
    assert report["request_id"].startswith("nucleus-image_")
    assert report["urls"] and report["urls"][0].startswith("http")


def test_a_failed_job_names_its_request(server: Server, home: Path, tmp_path: Path) -> None:
    server.reset(faults=["job:failed"])
    result = run_pixazo(["nucleus", "a fox", "--json"], home, tmp_path, server)
    assert result.returncode == 6
    report = json.loads(result.stdout)
    assert report["request_id"].startswith("nucleus-image_") and "urls" not in report
