"""Fault injection through real HTTP: the CLI, run in-process, against the sandbox gateway with
one fault switched on per row (see pixazo_cli/sandbox/faults.py), and a fake clock so the client
never sleeps for real.

Every row checks the exit code, how many paid POSTs the gateway saw, that nothing partial is
left in the output folder, that stdout stays empty on failure, that stderr holds no traceback,
and that the key is neither printed nor sent to the CDN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pixazo_cli.sandbox import Sandbox, SandboxOptions, start

from .conftest import KEY, FakeClock, reset_sandbox, run
from .faults_support import (
    Env,
    FaultCase,
    batch_file,
    check_output_folder,
    check_resume_id,
    cli_first,
    config_is_a_folder,
    config_text,
    ctrl_c_after_first_poll,
    dead_port,
    disk_full,
    every_entry,
    key_pieces,
    out_dir,
    out_dir_under_a_file,
    server_errors_recorded,
    unexpected_server_errors,
    unwritable_out_dir,
)

SDXL = ("sdxl", "a fox in the snow")
NUCLEUS = ("nucleus", "a lighthouse at dusk")
CHARGED = ("may have", "charged")  # the wording of a POST that may have been billed
REQUEST_ID = r"nucleus-image_[0-9a-f-]+"  # the sandbox's queued request ids
OTHER_KEY = "sandbox-only-key-QwZxKmPtRvYs"


def http_status(code: int) -> str:
    """The HTTP status must be named in the message (the issue's rule for bad replies)."""
    return rf"\b{code}\b"


# FaultCase(id, CLI args, sandbox faults, exit code, posts=POSTs received, ...): see
# faults_support.FaultCase for every column.
CASES = [
    # --- paid POSTs: resent only where the gateway cannot have started the work ---------------
    FaultCase("submit-500-not-resent", SDXL, ("submit:500",), 7, posts=1, accepted=0,
              maybe_charged=1, stderr=("500", *CHARGED), sleeps=()),
    FaultCase("submit-500-nucleus-not-resent", NUCLEUS, ("submit:500",), 7, posts=1,
              accepted=0, maybe_charged=1, stderr=("500", *CHARGED), stats={"status_polls": 0}),
    FaultCase("submit-502-not-resent", SDXL, ("submit:502*1",), 7, posts=1, accepted=0,
              maybe_charged=1, stderr=("502", *CHARGED)),
    FaultCase("submit-503-once-resent", SDXL, ("submit:503*1",), 0, posts=2, accepted=1,
              maybe_charged=0, files=1),
    FaultCase("submit-504-not-resent", SDXL, ("submit:504*1",), 7, posts=1, accepted=0,
              maybe_charged=1, stderr=("504", *CHARGED)),
    FaultCase("submit-503-once-resent-nucleus", NUCLEUS, ("submit:503*1",), 0, posts=2,
              accepted=1, files=1),
    FaultCase("submit-503-four-times-gives-up", SDXL, ("submit:503*4",), 7, posts=4,
              accepted=0, maybe_charged=0, stderr=("503",), not_in_stderr=("charged",)),
    FaultCase("submit-429-once-honours-retry-after", SDXL, ("submit:429*1",), 0, posts=2,
              accepted=1, files=1, sleeps=(1.0,)),
    FaultCase("submit-429-always-exit-5", SDXL, ("submit:429",), 5, posts=4, accepted=0,
              stderr=("429",), not_in_stderr=("charged",), sleeps=(1.0, 1.0, 1.0)),
    FaultCase("submit-drop-not-resent", SDXL, ("submit:drop",), 7, posts=1, accepted=0,
              maybe_charged=1, stderr=CHARGED),
    FaultCase("submit-drop-nucleus-not-resent", NUCLEUS, ("submit:drop",), 7, posts=1,
              accepted=0, maybe_charged=1, stderr=CHARGED),
    FaultCase("submit-slow-read-timeout-not-resent", (*SDXL, "--timeout", "0.2"),
              ("submit:slow=0.3",), 7, posts=1, accepted=1, maybe_charged=1, stderr=CHARGED),
    FaultCase("submit-connection-refused-retried-then-7",
              (*SDXL, "--base-url", "{dead}"), (), 7, posts=0,
              stderr=("cannot reach", "127.0.0.1"), not_in_stderr=("charged",),
              slept=3, prepare=(dead_port,)),
    # --- replies the CLI cannot use: a message naming the HTTP status and what was wrong ------
    FaultCase("submit-html-sdxl", SDXL, ("submit:html",), 7, posts=1,
              stderr=("not JSON", "text/html", *CHARGED), stderr_re=(http_status(200),)),
    FaultCase("submit-bad-json-sdxl", SDXL, ("submit:bad-json",), 7, posts=1,
              stderr=("not JSON", *CHARGED), stderr_re=(http_status(200),)),
    FaultCase("submit-missing-field-sdxl", SDXL, ("submit:missing-field",), 6, posts=1,
              stderr=("no image URL",), stderr_re=(http_status(200),)),
    FaultCase("submit-empty-url-sdxl", SDXL, ("submit:empty-url",), 6, posts=1,
              stderr=("no image URL",), stderr_re=(http_status(200),)),
    FaultCase("submit-missing-field-sd3", ("sd3", "a race"), ("submit:missing-field",), 6,
              posts=1, stderr=("no image URL",), stderr_re=(http_status(200),)),
    FaultCase("submit-html-nucleus", NUCLEUS, ("submit:html",), 7, posts=1,
              stderr=("not JSON", *CHARGED), stderr_re=(http_status(200),),
              stats={"status_polls": 0}),
    FaultCase("submit-bad-json-nucleus", NUCLEUS, ("submit:bad-json",), 7, posts=1,
              stderr=("not JSON", *CHARGED), stderr_re=(http_status(200),),
              stats={"status_polls": 0}),
    FaultCase("submit-missing-field-nucleus", NUCLEUS, ("submit:missing-field",), 7, posts=1,
              stderr=("request_id", "charged"), stderr_re=(http_status(202),),
              stats={"status_polls": 0}),
    FaultCase("submit-empty-url-nucleus", NUCLEUS, ("submit:empty-url",), 7, posts=1,
              stderr=("request_id", "charged"), stderr_re=(http_status(202),),
              stats={"status_polls": 0}),
    # --- status polls: a transient failure never ends the wait -------------------------------
    FaultCase("status-500-once-wait-continues", NUCLEUS, ("status:500*1",), 0, posts=1,
              accepted=1, files=1, stats={"status_polls": 2}),
    FaultCase("status-503-twice-wait-continues", NUCLEUS, ("status:503*2",), 0, posts=1,
              accepted=1, files=1, stats={"status_polls": 3}),
    FaultCase("status-429-once-honours-retry-after", NUCLEUS, ("status:429*1",), 0, posts=1,
              files=1, stats={"status_polls": 2}, sleeps=(1.0,)),
    FaultCase("status-drop-once-wait-continues", NUCLEUS, ("status:drop*1",), 0, posts=1,
              files=1, stats={"status_polls": 2}),
    FaultCase("status-slow-once-read-timeout-retried", (*NUCLEUS, "--timeout", "1"),
              ("status:slow=1.2*1",), 0, posts=1, files=1, stats={"status_polls": 2}),
    FaultCase("status-html-once-wait-continues", NUCLEUS, ("status:html*1",), 0, posts=1,
              files=1, stats={"status_polls": 2}),
    # Always failing: one unreadable poll is transient, so only the deadline (--timeout) ends it.
    FaultCase("status-html-always-exit-7-resume", (*NUCLEUS, "--timeout", "20"),
              ("status:html",), 7, posts=1, stderr=("not JSON",),
              stderr_re=(http_status(200),), resume=True, at_least={"status_polls": 2}),
    FaultCase("status-bad-json-always-exit-7-resume", (*NUCLEUS, "--timeout", "20"),
              ("status:bad-json",), 7, posts=1, stderr=("not JSON",),
              stderr_re=(http_status(200),), resume=True, at_least={"status_polls": 2}),
    FaultCase("status-unknown-status-exit-7", NUCLEUS, ("status:unknown-status",), 7, posts=1,
              stderr=("unknown status", "WEIRD"), stderr_re=(http_status(200),), resume=True),
    FaultCase("status-missing-field-exit-7", NUCLEUS, ("status:missing-field",), 7, posts=1,
              stderr=("status",), stderr_re=(http_status(200),), resume=True),
    FaultCase("status-empty-url-exit-6", NUCLEUS, ("status:empty-url",), 6, posts=1,
              stderr=("no image URL",), stderr_re=(http_status(200),),
              stats={"downloads": 0}),
    # --- the job itself -----------------------------------------------------------------------
    FaultCase("job-failed-exit-6", NUCLEUS, ("job:failed",), 6, posts=1, accepted=1,
              stderr=("FAILED", "Generation failed: sandbox fault"), stderr_re=(REQUEST_ID,),
              stats={"downloads": 0}),
    FaultCase("job-error-exit-6-not-charged", NUCLEUS, ("job:error",), 6, posts=1, accepted=1,
              stderr=("ERROR", "Internal error: sandbox fault", "not charged"),
              stderr_re=(REQUEST_ID,), stats={"downloads": 0}),
    FaultCase("job-never-timeout-exit-7-resume", (*NUCLEUS, "--timeout", "5"), ("job:never",),
              7, posts=1, accepted=1, stderr=("timed out",), resume=True,
              stats={"downloads": 0}, slept_at_most=5),
    FaultCase("ctrl-c-while-waiting-exit-130-resume", NUCLEUS, ("job:never",), 130, posts=1,
              accepted=1, resume=True, stats={"status_polls": 1, "downloads": 0},
              prepare=(ctrl_c_after_first_poll,)),
    # --- downloads: whole images or nothing ---------------------------------------------------
    FaultCase("download-truncated-once-retried", NUCLEUS, ("download:truncated*1",), 0,
              posts=1, files=1, stats={"downloads": 2}),
    FaultCase("download-truncated-once-retried-sdxl", SDXL, ("download:truncated*1",), 0,
              posts=1, files=1, stats={"downloads": 2}),
    FaultCase("download-truncated-always-exit-8", NUCLEUS, ("download:truncated",), 8,
              posts=1, stats={"downloads": 3}),
    FaultCase("download-500-once-retried", SDXL, ("download:500*1",), 0, posts=1, files=1,
              stats={"downloads": 2}),
    FaultCase("download-500-always-exit-8", SDXL, ("download:500",), 8, posts=1,
              stderr=("500",), stats={"downloads": 3}),
    FaultCase("download-html-with-200-exit-8", NUCLEUS, ("download:html",), 8, posts=1,
              stderr=("not an image",)),
    FaultCase("download-wrong-type-exit-8", SDXL, ("download:wrong-type",), 8, posts=1,
              stderr=("not an image",)),
    FaultCase("download-html-into-out-dir-exit-8", (*SDXL, "-d", "{out}"),
              ("download:html",), 8, posts=1, stderr=("not an image",),
              prepare=(out_dir,)),
    FaultCase("download-404-exit-8", NUCLEUS, ("download:404",), 8, posts=1, stderr=("404",),
              stats={"downloads": 1}),
    FaultCase("download-huge-over-cap-exit-8", NUCLEUS, ("download:huge=5",), 8, posts=1,
              stderr=("1 MB", "max_download_mb"),
              prepare=(cli_first("config", "set", "max_download_mb", "1"),)),
    # --- the account --------------------------------------------------------------------------
    FaultCase("key-refused-401-exit-3", SDXL, (), 3, posts=1, accepted=0, stderr=("401",),
              options={"key": OTHER_KEY}),
    FaultCase("key-refused-401-nucleus-exit-3", NUCLEUS, (), 3, posts=1, accepted=0,
              stderr=("401",), options={"key": OTHER_KEY}, stats={"status_polls": 0}),
    FaultCase("balance-402-exit-4", SDXL, (), 4, posts=1, accepted=0,
              stderr=("402", "Insufficient Balance"), options={"balance": 0}),
    # --- local trouble: refused before paying, or reported clearly ---------------------------
    FaultCase("out-dir-not-writable-exit-8-nothing-sent", (*SDXL, "-d", "{out}"), (), 8,
              posts=0, stderr=("output folder", "{out}"), prepare=(unwritable_out_dir,)),
    FaultCase("out-dir-under-a-file-exit-8-nothing-sent", (*SDXL, "-d", "{out}"), (), 8,
              posts=0, stderr=("{out}",), prepare=(out_dir_under_a_file,)),
    FaultCase("config-does-not-parse-exit-2", SDXL, (), 2, posts=0,
              stderr=("config", "does not parse"),
              prepare=(config_text("timeout = = 5\n[unclosed\n"),)),
    FaultCase("config-is-a-folder-exit-2", SDXL, (), 2, posts=0, stderr=("folder",),
              prepare=(config_is_a_folder,)),
    FaultCase("config-bad-value-exit-2", SDXL, (), 2, posts=0, stderr=("max_download_mb",),
              prepare=(config_text('max_download_mb = "lots"\n'),)),
    FaultCase("duplicate-fixed-name-in-one-request-refused-before-paying",
              (*NUCLEUS, "--num-images", "2", "--name", "fixed.{{ext}}"), (), 2, posts=0,
              stderr=("fixed.png", "nothing was sent")),
    FaultCase("too-long-fixed-name-refused-before-paying",
              (*SDXL, "--name", "x" * 300 + ".{{ext}}"), (), 2, posts=0,
              stderr=("longer than 255",)),
    # --- plain errors for bad input: typed, exit 2, before anything is sent ------------------
    FaultCase("timeout-too-large-exit-2-nothing-sent", (*SDXL, "--timeout", "1e10"), (), 2,
              posts=0, stderr=("--timeout", "30 days")),
    FaultCase("param-seed-overflowing-float-exit-2-nothing-sent",
              (*SDXL, "--param", "seed=1e999"), (), 2, posts=0,
              stderr=("seed=1e999", "too large"), not_in_stderr=("Infinity", "inf")),
    FaultCase("stdin-prompt-not-utf8-exit-2-nothing-sent", ("sdxl", "-"), (), 2, posts=0,
              stdin=b"a \xff fox", stderr=("not UTF-8",)),
    FaultCase("stdin-batch-not-utf8-exit-2-nothing-sent", ("batch", "-", "--model", "sdxl"),
              (), 2, posts=0, stdin=b"a fox\nan \xe9l\xe9phant\n", stderr=("not UTF-8",)),
    FaultCase("batch-stream-as-text-exit-2-nothing-sent", ("batch", "{batch}"), (), 2, posts=0,
              stderr=("line 1", '"stream" must be true or false'),
              prepare=(batch_file('{"model": "lightning", "prompt": "a", "stream": "false"}\n'),)),
    FaultCase("batch-model-as-list-exit-2-nothing-sent", ("batch", "{batch}"), (), 2, posts=0,
              stderr=("line 2", '"model" must be text'),
              prepare=(batch_file('{"model": "sdxl", "prompt": "a"}\n'
                                  '{"model": ["sdxl"], "prompt": "b"}\n'),)),
    FaultCase("batch-number-overflowing-float-exit-2-nothing-sent", ("batch", "{batch}"), (), 2,
              posts=0, stderr=("line 1", "too large"),
              prepare=(batch_file('{"model": "sdxl", "prompt": "a", "seed": 1e999}\n'),)),
    FaultCase("batch-nan-exit-2-nothing-sent", ("batch", "{batch}"), (), 2, posts=0,
              stderr=("line 1", "NaN"),
              prepare=(batch_file('{"model": "sdxl", "prompt": "a", "param": {"x": NaN}}\n'),)),
    FaultCase("batch-nested-too-deeply-exit-2-nothing-sent", ("batch", "{batch}"), (), 2,
              posts=0, stderr=("line 1", "not valid JSON"),
              prepare=(batch_file('{"model": "sdxl", "prompt": "a", "param": {"x": '
                                  + "[" * 100_000 + "}\n"),)),
    FaultCase("disk-full-hint-fetches-without-paying", SDXL, (), 8, posts=1, accepted=1,
              stderr=("disk is full", "curl -fo"), prepare=(disk_full(writes_allowed=1),)),
    FaultCase("disk-full-after-first-chunk-exit-8", SDXL, (), 8, posts=1, accepted=1,
              stderr=("disk is full",), prepare=(disk_full(writes_allowed=1),)),
    FaultCase("disk-full-after-first-chunk-nucleus-exit-8", NUCLEUS, (), 8, posts=1,
              accepted=1, stderr=("disk is full",), prepare=(disk_full(writes_allowed=1),)),
    FaultCase("disk-full-small-image-fails-on-close-exit-8",
              (*NUCLEUS, "--aspect-ratio", "1:64"), (), 8, posts=1, accepted=1,
              stderr=("disk is full",), prepare=(disk_full(writes_allowed=0),)),
]


@pytest.fixture(scope="module", autouse=True)
def server_errors() -> Iterator[list[BaseException]]:
    with server_errors_recorded() as recorded:
        yield recorded


@pytest.fixture
def gateway(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Sandbox]:
    """The row's gateway: the module's sandbox (conftest), reset with the row's faults armed; or,
    for a row with its own SandboxOptions, a sandbox of its own."""
    case: FaultCase = request.param
    if not case.options:
        reset_sandbox(sandbox, case.faults)
        yield sandbox
        return
    options = {"port": 0, "latency": 0, "quiet": True, "rate_limit": 0, **case.options}
    sandbox = start(SandboxOptions(**options, faults=list(case.faults)))
    yield sandbox
    sandbox.close()


def test_the_table_is_big_enough_and_ids_are_unique() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case, gateway", [pytest.param(c, c, id=c.id) for c in CASES],
                         indirect=["gateway"])
def test_fault(case: FaultCase, gateway: Sandbox, monkeypatch: pytest.MonkeyPatch,
               tmp_path: Path, isolated: Path, clock: FakeClock,
               server_errors: list[BaseException]) -> None:
    monkeypatch.setenv("PIXAZO_API_KEY", case.client_key)
    monkeypatch.setenv("PIXAZO_BASE_URL", gateway.base_url)
    env = Env(monkeypatch, tmp_path, isolated, gateway)
    try:
        for prepare in case.prepare:
            prepare(env)
        clock.sleeps.clear()
        server_errors.clear()
        result = run(*(arg.format(**env.subs) for arg in case.args), input=case.stdin)
        stats = gateway.stats()
        out, err = result.stdout, result.stderr
        context = f"exit {result.exit_code}\n--- stdout\n{out}--- stderr\n{err}"

        assert result.exit_code == case.exit_code, context
        assert "Traceback" not in err, context
        for secret in {case.client_key, gateway_key(case)} - {None}:
            assert secret not in out and secret not in err, context
        assert stats["cdn_requests_with_key"] == 0
        assert unexpected_server_errors(server_errors) == []
        if case.exit_code != 0:
            assert out == "", context
            assert err.startswith("Error: ") or "\nError: " in err, context

        assert stats["posts_received"] == case.posts, stats
        if case.accepted is not None:
            assert stats["posts_accepted"] == case.accepted, stats
        if case.maybe_charged is not None:
            assert stats["posts_maybe_charged"] == case.maybe_charged, stats
        for name, value in case.stats.items():
            assert stats[name] == value, (name, stats)
        for name, value in case.at_least.items():
            assert stats[name] >= value, (name, stats)

        if case.sleeps is not None:
            assert tuple(clock.sleeps) == case.sleeps
        if case.slept is not None:
            assert len(clock.sleeps) == case.slept, clock.sleeps
        if case.slept_at_most is not None:
            assert sum(clock.sleeps) <= case.slept_at_most, clock.sleeps

        check_output_folder(isolated, result, case)
        for folder in env.watched:
            assert every_entry(folder) == [], f"{folder} should hold nothing"
        if case.resume:
            request_id = check_resume_id(gateway, err, case.client_key)
            if "polled" in env.seen:
                assert env.seen["polled"] == [request_id]
        # Last, the wording, so a message to improve never hides a broken guarantee.
        for fragment in (text.format(**env.subs) for text in case.stderr):
            assert fragment.lower() in err.lower(), f"missing {fragment!r}\n{context}"
        for pattern in case.stderr_re:
            assert re.search(pattern, err), f"no /{pattern}/\n{context}"
        for fragment in case.not_in_stderr:
            assert fragment.lower() not in err.lower(), f"unwanted {fragment!r}\n{context}"
    finally:
        for cleanup in env.cleanups:
            cleanup()


def gateway_key(case: FaultCase) -> str | None:
    return case.options.get("key")


# --- any prompt reaches the gateway byte for byte ----------------------------------------------

QUOTES_AND_NEWLINES = (
    "it's \"quoted\" `ticked` \u201ccurly\u201d \u2018single\u2019 \u00abguillemets\u00bb "
    "\u201elow\u201c \u2039angle\u203a \u300ccorner\u300d \uff02full\uff02 \u2032\u2033 \\ \\\" "
    "line\nbreak\r\nwindows\rold-mac\u2028ls\u2029ps\x85nel\x0bvt\x0cff\ttab\x00nul"
)
LONG_PROMPT = ("a long \"prompt\" with \u00fcnicode \U0001f98a and\nnewlines; " * 800)[:32768]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prompt=st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1,
                      max_size=300))
@example(prompt=LONG_PROMPT)
@example(prompt=QUOTES_AND_NEWLINES)
@example(prompt="--looks-like-an-option")
def test_any_prompt_reaches_the_gateway_byte_identical(
        prompt: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    assume(prompt.strip() and prompt != "-")
    assert len(LONG_PROMPT) == 32768
    monkeypatch.setenv("PIXAZO_API_KEY", KEY)
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    reset_sandbox(sandbox, ["job:never"])  # the job never completes, so no image is drawn
    result = run("nucleus", "--no-wait", "--", prompt)
    assert result.exit_code == 0, result.stderr
    stats = sandbox.stats()
    assert stats["posts_accepted"] == 1
    sent = stats["bodies"][-1]["prompt"]
    assert sent == prompt
    assert sent.encode("utf-8") == prompt.encode("utf-8")


# --- --verbose logs the exchanges, never the key ----------------------------------------------

LONG_KEY = "pxz_QwZxKmPtRvYsLnJhGgTqWrMzXvKpLsNrQtYwZh"


@pytest.mark.parametrize("faults, posts", [
    ((), 1),
    (("submit:503*1", "status:500*1", "status:429*1", "download:truncated*1"), 2),
], ids=["clean-run", "with-retries"])
def test_verbose_logs_the_whole_run_but_no_part_of_the_key(
        faults: tuple[str, ...], posts: int, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
        isolated: Path) -> None:
    monkeypatch.setenv("PIXAZO_API_KEY", LONG_KEY)
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    reset_sandbox(sandbox, faults)
    result = run("--verbose", "nucleus", "a lighthouse at dusk")
    assert result.exit_code == 0, result.stderr
    stats = sandbox.stats()
    assert stats["posts_received"] == posts
    assert stats["headers"][-1]["ocp-apim-subscription-key"] == LONG_KEY  # it was used
    assert stats["cdn_requests_with_key"] == 0
    logged = result.stderr
    assert f"[http] POST {sandbox.base_url}/nucleus-image/" in logged
    assert f"[http] GET {sandbox.base_url}/v2/requests/status/" in logged
    assert f"[http] GET {sandbox.cdn_base_url}/cdn/" in logged
    output = result.stdout + result.stderr
    leaked = sorted(piece for piece in key_pieces(LONG_KEY) if piece in output)
    assert leaked == [], leaked
    assert len(every_entry(isolated)) == 1
