"""What a re-run does with a job, from its manifest entry alone: never pays twice for a job the
gateway answered, even when nothing is left to fetch it from."""

from __future__ import annotations

from pathlib import Path

from pixazo_cli.batch.jobfile import BatchJob
from pixazo_cli.batch.plan import Step, next_step
from pixazo_cli.models.request import build_request
from pixazo_cli.models.table import MODELS


def job(model: str = "lightning", stream: bool = True) -> BatchJob:
    return BatchJob(1, build_request(MODELS[model], "a fox", {}, stream=stream), None, "k#1")


def failed_save(**more: object) -> dict[str, object]:
    return {"status": "failed", "paid": True, "urls": [],
            "error": {"exit_code": 8, "message": "The disk is full."}, **more}


def test_a_paid_stream_image_that_was_not_saved_is_held_not_resent(tmp_path: Path) -> None:
    assert next_step(job(), failed_save(), tmp_path, resend_maybe_charged=False) is Step.HOLD


def test_resend_maybe_charged_sends_it_again(tmp_path: Path) -> None:
    assert next_step(job(), failed_save(), tmp_path, resend_maybe_charged=True) is Step.SEND


def test_a_paid_job_with_urls_is_downloaded_again(tmp_path: Path) -> None:
    entry = failed_save(urls=["https://cdn.example/a.png"])
    assert next_step(job(), entry, tmp_path, resend_maybe_charged=False) is Step.DOWNLOAD


def test_a_queued_job_that_ended_failed_is_submitted_again(tmp_path: Path) -> None:
    entry = {"status": "failed", "paid": True, "request_id": "r-1",
             "error": {"exit_code": 6, "message": "Job r-1 ended FAILED."}}
    assert next_step(job("nucleus", stream=False), entry, tmp_path, False) is Step.SEND


def test_a_job_never_answered_is_sent(tmp_path: Path) -> None:
    entry = {"status": "failed", "error": {"exit_code": 4, "message": "Insufficient balance."}}
    assert next_step(job(), entry, tmp_path, resend_maybe_charged=False) is Step.SEND
