"""A hostile gateway and CDN (tests/hostile_server.py): each row checks the exit code, how many
paid POSTs the server saw, that no file (whole, partial or hidden) is left, and that the key
appears in no output."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pixazo_cli.http.clock import SystemClock
from tests.conftest import KEY, PNG, Result, _image, run, run_bounded, same_image
from tests.faults_support import every_entry
from tests.hostile_server import (
    Behaviour,
    Hostile,
    endless_json,
    gzip_bomb,
    reply,
    trickle,
    trickle_head,
)

SDXL = "/getImage/v1/getSDXLImage"
NUCLEUS = "/nucleus-image/v1/nucleus-image-request"
STATUS = "/v2/requests/status/req-1"


def image_at(server: Hostile, behaviour: Behaviour, name: str = "/cdn/a.png") -> None:
    server.routes[("POST", SDXL)] = reply(200, json.dumps(
        {"imageUrl": server.base_url + name}).encode())
    server.routes[("GET", name)] = behaviour


def clean(result: Result, folder: Path) -> None:
    assert "Traceback" not in result.stderr
    assert KEY not in result.stdout + result.stderr
    assert every_entry(folder) == [], every_entry(folder)


# --- never pay twice: default deny --------------------------------------------------------------

@pytest.mark.parametrize("status", [203, 204, 301, 302, 408, 409, 500, 501, 502, 504, 507, 520])
def test_any_unproven_reply_to_a_paid_post_may_have_been_charged(
        hostile: Hostile, isolated: Path, status: int) -> None:
    hostile.routes[("POST", SDXL)] = reply(status, b'{"error": "odd"}',
                                           headers={"Location": "https://elsewhere.example/"})
    result = run("sdxl", "a fox")
    assert result.exit_code == 7, result.stderr
    assert "may have" in result.stderr and "charged" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


@pytest.mark.parametrize("status", [400, 405, 413, 415, 422])
def test_refusals_that_prove_nothing_started_are_not_charged(
        hostile: Hostile, isolated: Path, status: int) -> None:
    hostile.routes[("POST", SDXL)] = reply(status, b'{"error": "no"}')
    result = run("sdxl", "a fox")
    assert result.exit_code == 2, result.stderr
    assert "charged" not in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"imageUrl": NaN}', b"\xff\xfe{}"],
                         ids=["deeply-nested", "nan", "not-utf8"])
def test_an_unparseable_reply_to_a_paid_post_may_have_been_charged(
        hostile: Hostile, isolated: Path, body: bytes) -> None:
    hostile.routes[("POST", SDXL)] = reply(200, body)
    result = run("sdxl", "a fox")
    assert result.exit_code == 7, result.stderr
    assert "charged" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


# --- bounded in memory ----------------------------------------------------------------------------

def test_an_endless_json_reply_is_cut_off_at_the_cap(hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", SDXL)] = endless_json
    result = run("sdxl", "a fox")
    assert result.exit_code == 7, result.stderr
    assert "1 MB" in result.stderr and "charged" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


def test_a_gzip_bomb_as_a_json_reply_is_cut_off(hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", SDXL)] = gzip_bomb(50)
    result = run("sdxl", "a fox")
    assert result.exit_code == 7, result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


def test_a_gzip_bomb_as_an_image_stops_at_the_download_cap(
        hostile: Hostile, isolated: Path) -> None:
    assert run("config", "set", "max_download_mb", "5").exit_code == 0
    image_at(hostile, gzip_bomb(64, "image/png"))
    result = run("sdxl", "a fox")
    assert result.exit_code == 8, result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


# --- never a broken file --------------------------------------------------------------------------

def test_a_gzip_encoded_image_is_accepted(hostile: Hostile, isolated: Path) -> None:
    """Content-Length counts the bytes on the wire, not the decoded ones."""
    body = gzip.compress(PNG)
    image_at(hostile, reply(200, body, "image/png", {"Content-Encoding": "gzip"}))
    result = run("sdxl", "a fox")
    assert result.exit_code == 0, result.stderr
    assert len(every_entry(isolated)) == 1


def _close_delimited(body: bytes) -> Behaviour:
    def behaviour(handler) -> None:  # type: ignore[no-untyped-def]
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True
    return behaviour


@pytest.mark.parametrize("body", [PNG[:-12], PNG[:40] + b"\0" * 40],
                         ids=["truncated", "damaged-tail"])
def test_a_truncated_image_without_content_length_is_exit_8_and_no_file(
        hostile: Hostile, isolated: Path, body: bytes) -> None:
    image_at(hostile, _close_delimited(body))
    result = run("sdxl", "a fox")
    assert result.exit_code == 8, result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


def test_a_content_length_that_lies_is_exit_8_and_no_file(
        hostile: Hostile, isolated: Path) -> None:
    image_at(hostile, reply(200, PNG, "image/png", {"X-Pad": "1"}))

    def liar(handler) -> None:  # type: ignore[no-untyped-def]
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(len(PNG) + 500))
        handler.end_headers()
        handler.wfile.write(PNG)
        handler.close_connection = True

    hostile.routes[("GET", "/cdn/a.png")] = liar
    result = run("sdxl", "a fox")
    assert result.exit_code == 8, result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


# --- bounded in time: real clock, short limits ----------------------------------------------------

@pytest.fixture
def real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pixazo_cli.commands.session.SystemClock", SystemClock)


def test_a_trickled_reply_to_the_post_ends_at_the_timeout(
        hostile: Hostile, isolated: Path, real_clock: None) -> None:
    hostile.routes[("POST", SDXL)] = trickle(b'{"imageUrl": "http://127.0.0.1:9/a.png"}' * 3,
                                             every=0.05)
    result = run("sdxl", "a fox", "--timeout", "1")
    assert result.exit_code == 7, result.stderr
    assert "charged" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


def test_a_trickled_download_ends_at_the_timeout(
        hostile: Hostile, isolated: Path, real_clock: None) -> None:
    image_at(hostile, trickle(PNG * 3, "image/png", every=0.02))
    result = run("sdxl", "a fox", "--timeout", "1.5")
    assert result.exit_code == 8, result.stderr
    assert "imed out" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


# --- replies that say something went wrong --------------------------------------------------------

def test_a_404_on_the_poll_after_a_paid_submit_is_not_nothing_was_sent(
        hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1", "status": "QUEUED"}')
    hostile.routes[("GET", STATUS)] = reply(404, b'{"error": "Not Found"}')
    result = run("nucleus", "a fox")
    assert result.exit_code == 7, result.stderr
    assert "does not know" in result.stderr and "req-1" in result.stderr
    assert "charged" in result.stderr and "nothing was sent" not in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


@pytest.mark.parametrize("status", ["failed", "\x1b[2Jcanceled", 7])
def test_sd35_status_other_than_success_is_exit_6_without_download(
        hostile: Hostile, isolated: Path, status: object) -> None:
    path = "/sd3-5/v1/r-sd-3-5-large"
    hostile.routes[("POST", path)] = reply(200, json.dumps(
        {"id": "p-1", "status": status, "output": hostile.base_url + "/cdn/a.png"}).encode())
    hostile.routes[("GET", "/cdn/a.png")] = reply(200, PNG, "image/png")
    result = run("sd35", "a fox")
    assert result.exit_code == 6, result.stderr
    assert "\x1b" not in result.stderr
    assert ("GET", "/cdn/a.png") not in hostile.requests
    clean(result, isolated)


def test_retry_after_zero_on_a_poll_still_waits_the_minimum_interval(
        hostile: Hostile, isolated: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1", "status": "QUEUED"}')
    answers = iter([reply(429, b"{}", headers={"Retry-After": "0"})] * 3 + [reply(200, json.dumps(
        {"request_id": "req-1", "status": "COMPLETED",
         "output": {"media_url": [hostile.base_url + "/cdn/a.png"]}}).encode())])
    hostile.routes[("GET", STATUS)] = lambda handler: next(answers)(handler)
    hostile.routes[("GET", "/cdn/a.png")] = reply(200, PNG, "image/png")
    result = run("nucleus", "a fox")
    assert result.exit_code == 0, result.stderr
    assert len(clock.sleeps) == 3 and min(clock.sleeps) >= 0.25
    assert hostile.posts == 1


@pytest.mark.parametrize("status", [["COMPLETED"], {"a": 1}, 3])
def test_a_status_that_is_not_text_is_a_plain_error_with_the_resume_command(
        hostile: Hostile, isolated: Path, status: object) -> None:
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1", "status": "QUEUED"}')
    hostile.routes[("GET", STATUS)] = reply(200, json.dumps(
        {"request_id": "req-1", "status": status}).encode())
    result = run("nucleus", "a fox")
    assert result.exit_code == 7, result.stderr
    assert "not text" in result.stderr and "pixazo status req-1 --wait" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


# --- Stream endpoints: whatever shape the paid reply takes, the image is saved -------------------

LIGHTNING_STREAM = "/sdxl_lightning/getImage/v1/getSDXLImageStream"


def _saved_png(folder: Path) -> Path:
    [path] = every_entry(folder)
    assert path.suffix == ".png" and not path.name.startswith("."), path
    with Image.open(path) as image:
        image.load()
    return path


def test_a_stream_reply_that_is_the_image_itself_is_saved(
        hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", LIGHTNING_STREAM)] = reply(200, PNG, "image/png")
    result = run("lightning", "a fox", "--stream", "--json")
    assert result.exit_code == 0, result.stderr
    assert hostile.posts == 1 and len(hostile.requests) == 1  # nothing else was fetched
    path = _saved_png(isolated)
    assert same_image(path, PNG)
    assert json.loads(result.stdout)["files"][0]["path"] == str(path)
    assert KEY not in result.stdout + result.stderr + path.read_bytes().decode("latin1")


@pytest.mark.parametrize("events", [
    b'event: progress\ndata: {"progress": 0.5}\n\ndata: {"imageUrl": "{cdn}"}\n\n',
    b': keep-alive\r\ndata: {"progress": 1}\r\n\r\ndata: {"imageUrl":\r\ndata:  "{cdn}"}\r\n\r\n'
    b"data: [DONE]\r\n\r\n",
], ids=["lf", "crlf-multiline-done"])
def test_a_stream_reply_of_server_sent_events_uses_the_url_of_the_last_json_object(
        hostile: Hostile, isolated: Path, events: bytes) -> None:
    cdn = (hostile.base_url + "/cdn/a.png").encode()
    hostile.routes[("POST", LIGHTNING_STREAM)] = reply(
        200, events.replace(b"{cdn}", cdn), "text/event-stream; charset=utf-8")
    hostile.routes[("GET", "/cdn/a.png")] = reply(200, PNG, "image/png")
    result = run("lightning", "a fox", "--stream")
    assert result.exit_code == 0, result.stderr
    assert hostile.posts == 1
    assert same_image(_saved_png(isolated), PNG)
    assert KEY not in result.stdout + result.stderr


@pytest.mark.parametrize("body, content_type, code", [
    (PNG[:-12], "image/png", 8),
    (b"<html>oops</html>", "image/png", 8),
    (b"data: [DONE]\n\n", "text/event-stream", 7),
    (b'data: {"progress": 1}\n\n', "text/event-stream", 6),
], ids=["truncated-image", "not-an-image", "no-json-event", "no-url-event"])
def test_a_stream_reply_that_cannot_be_saved_fails_after_one_post_leaving_nothing(
        hostile: Hostile, isolated: Path, body: bytes, content_type: str, code: int) -> None:
    hostile.routes[("POST", LIGHTNING_STREAM)] = reply(200, body, content_type)
    result = run("lightning", "a fox", "--stream")
    assert result.exit_code == code, result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


# --- replies the tool cannot act on after paying: exit 6, naming the request -------------------

def _listing(hostile: Hostile, count: int) -> list[str]:
    """An image host serving `count` images, and their URLs."""
    urls = []
    for n in range(count):  # each a picture of its own: none is found saved already
        picture = _image("PNG", (n % 256, n // 256, 7))
        hostile.routes[("GET", f"/cdn/{n}.png")] = reply(200, picture, "image/png")
        urls.append(f"{hostile.base_url}/cdn/{n}.png")
    return urls


def _fetched(hostile: Hostile) -> list[str]:
    return [path for method, path in hostile.requests if path.startswith("/cdn/")]


def test_beyond_sixteen_listed_images_the_first_sixteen_are_saved_and_it_exits_6(
        hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1", "status": "QUEUED"}')
    urls = _listing(hostile, 300)
    hostile.routes[("GET", STATUS)] = reply(200, json.dumps(
        {"request_id": "req-1", "status": "COMPLETED", "output": {"media_url": urls}}).encode())
    result = run("nucleus", "a fox", "--num-images", "2", "-d", "out")
    assert result.exit_code == 6, result.stderr
    assert "listed 300 images for request req-1, which asked for 2" in result.stderr
    assert "the first 16 were saved" in result.stderr
    assert hostile.posts == 1
    assert len(_fetched(hostile)) == 16 and len(result.stdout.splitlines()) == 16
    assert len(set(result.stdout.splitlines())) == 16  # names that replace nothing
    assert "Traceback" not in result.stderr and KEY not in result.stdout + result.stderr


def test_status_wait_of_a_recorded_job_keeps_the_same_bound(
        hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1", "status": "QUEUED"}')
    assert run("nucleus", "a fox", "--no-wait").exit_code == 0  # recorded: one image asked
    urls = _listing(hostile, 300)
    hostile.routes[("GET", STATUS)] = reply(200, json.dumps(
        {"request_id": "req-1", "status": "COMPLETED", "output": {"media_url": urls}}).encode())
    result = run("status", "req-1", "--wait", "-d", "out")
    assert result.exit_code == 6, result.stderr
    assert "listed 300 images" in result.stderr and "asked for 1" in result.stderr
    assert len(_fetched(hostile)) == 16


def test_status_wait_of_an_unknown_job_keeps_the_same_bound(
        hostile: Hostile, isolated: Path) -> None:
    urls = _listing(hostile, 300)
    hostile.routes[("GET", STATUS.replace("req-1", "req-9"))] = reply(200, json.dumps(
        {"request_id": "req-9", "status": "COMPLETED", "output": {"media_url": urls}}).encode())
    result = run("status", "req-9", "--wait", "-d", "out")
    assert result.exit_code == 6, result.stderr
    assert "listed 300 images for request req-9" in result.stderr
    assert len(_fetched(hostile)) == 16


def test_more_images_than_asked_in_a_sync_reply_are_all_saved_with_a_warning(
        hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", "/sd3/v1/getData")] = reply(200, json.dumps(
        {"id": "s-1", "output": _listing(hostile, 5)}).encode())
    (isolated / "fox-2.png").write_bytes(b"mine")  # an extra image's name is taken
    result = run("sd3", "a fox", "--json", "-o", "fox.png", "--format", "png")
    assert result.exit_code == 0, result.stderr
    assert "listed 5 images for request s-1, which asked for 1" in result.stderr
    files = [Path(f["path"]).name for f in json.loads(result.stdout)["files"]]
    assert files[0] == "fox.png" and len(set(files)) == 5 and "fox-2.png" not in files
    assert (isolated / "fox-2.png").read_bytes() == b"mine"
    assert hostile.posts == 1
    assert "Traceback" not in result.stderr and KEY not in result.stdout + result.stderr


@pytest.mark.parametrize("url", ["http://[::1", "ftp://example.com/a.png", "not a url",
                                 "http:///a.png", "http://exa mple.com/a.png", "//cdn/a.png"])
def test_a_malformed_image_url_after_paying_is_exit_6_naming_the_request(
        hostile: Hostile, isolated: Path, url: str) -> None:
    hostile.routes[("POST", "/sd3-5/v1/r-sd-3-5-large")] = reply(200, json.dumps(
        {"id": "p-1", "status": "succeeded", "output": url}).encode())
    result = run("sd35", "a fox")
    assert result.exit_code == 6, result.stderr
    assert "p-1" in result.stderr and "http(s) URL" in result.stderr
    assert hostile.posts == 1 and len(hostile.requests) == 1
    clean(result, isolated)


# --- --timeout holds when the reply's head, not only its body, is trickled ----------------------
# Each of these would take 200 s without the bound: run_bounded fails the test instead of hanging.

def test_a_trickled_status_poll_ends_at_the_timeout_with_the_resume_command(
        hostile: Hostile, isolated: Path, real_clock: None) -> None:
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1", "status": "QUEUED"}')
    hostile.routes[("GET", STATUS)] = trickle(b'{"status": "QUEUED"}' * 200, every=0.05)
    result = run_bounded("nucleus", "a fox", "--timeout", "1")
    assert result.exit_code == 7, result.stderr
    assert "pixazo status req-1 --wait" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


@pytest.mark.parametrize("stage", ["post", "poll", "download"])
def test_a_trickled_status_line_and_headers_end_at_the_timeout(
        hostile: Hostile, isolated: Path, real_clock: None, stage: str) -> None:
    slow = trickle_head(every=0.05)
    if stage == "post":
        hostile.routes[("POST", SDXL)] = slow
        args, code = ("sdxl", "a fox"), 7
    elif stage == "poll":
        hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1"}')
        hostile.routes[("GET", STATUS)] = slow
        args, code = ("nucleus", "a fox"), 7
    else:
        image_at(hostile, slow)
        args, code = ("sdxl", "a fox"), 8
    result = run_bounded(*args, "--timeout", "1")
    assert result.exit_code == code, result.stderr
    assert hostile.posts == 1
    if stage == "post":
        assert "charged" in result.stderr
    if stage == "poll":
        assert "pixazo status req-1 --wait" in result.stderr
    clean(result, isolated)


def test_a_gzip_bomb_as_a_stream_image_body_stops_at_the_cap(
        hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", LIGHTNING_STREAM)] = gzip_bomb(64, "image/png")
    result = run("lightning", "a fox", "--stream")
    assert result.exit_code == 7, result.stderr
    assert "30 MB" in result.stderr and "charged" in result.stderr
    assert hostile.posts == 1
    clean(result, isolated)


def test_a_redirect_loop_on_the_image_host_after_paying_is_exit_8_with_the_way_back(
        hostile: Hostile, isolated: Path) -> None:
    def loop(handler: Any) -> None:
        handler.send_response(302)
        handler.send_header("Location", handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    image_at(hostile, loop)
    result = run("sdxl", "a fox", "--json")
    assert result.exit_code == 8, result.stderr
    assert "redirected too many times" in result.stderr
    assert f"curl -fo FILE {hostile.base_url}/cdn/a.png" in result.stderr
    assert json.loads(result.stdout)["urls"] == [f"{hostile.base_url}/cdn/a.png"]
    assert hostile.posts == 1
    clean(result, isolated)


# --- commands printed for a person to paste quote what the gateway said --------------------------

def test_a_hostile_request_id_is_quoted_in_the_command_to_collect_it(hostile: Hostile) -> None:
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "x;touch pwned", '
                                                   b'"status": "QUEUED"}')
    result = run("nucleus", "a fox", "--no-wait")
    assert result.exit_code == 0, result.stderr
    assert "pixazo status 'x;touch pwned' --wait" in result.stderr


def test_a_hostile_image_url_is_quoted_in_the_curl_way_back(hostile: Hostile) -> None:
    url = hostile.base_url + "/cdn/a.png?x='$(id)'"
    hostile.routes[("POST", SDXL)] = reply(200, json.dumps({"imageUrl": url}).encode())
    result = run("sdxl", "a fox")
    assert result.exit_code == 8, result.stderr
    quoted = url.replace("'", "'\"'\"'")
    assert f"curl -fo FILE '{quoted}'" in " ".join(result.stderr.split())
