"""User model files where they meet the rest of the tool: the spending guards, the seeds the
tool picks, ranges, -n, --help, HTTP headers, fetch, and the models folder itself. A review
found each of these broken (each test's docstring says how); each test names the promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.conftest import run
from tests.history.conftest import rows
from tests.models.support import QUEUED, install


def _sync(name: str, fields: str, extra: str = "") -> str:
    return (f'name = "{name}"\ntitle = "{name} model"\nendpoint = "/{name}/v1/generate"\n'
            f'mode = "sync"\n{extra}\n[reply]\nurls = "images"\n\n{fields}')


def line_of(text: str, start: str) -> int:
    """The first line of a model file's text starting with `start`, as errors number it."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def posts(gateway: Sandbox) -> int:
    return gateway.stats()["posts_accepted"]


# --- a shared flag the tool reads back is sent in the body -----------------------------------

SEED_HEADER = _sync("hseed", '[[field]]\nflag = "seed"\nheader = "X-Seed"\n')


def test_a_model_file_that_sends_the_seed_as_a_header_is_refused(key: str) -> None:
    """The tool reads the seed back from the body (the record, -n's S..S+N-1): sent as a
    header, the user's --seed 5 went in the header while a random seed went into the body
    under the key "X-Seed" and into the record. The file is refused instead, naming its
    file, line and key (exit 2), and nothing of it reaches a body."""
    path = install(SEED_HEADER, "hseed")
    result = run("hseed", "a fox", "--seed", "5", "--dry-run", "--json")
    assert result.exit_code == 2
    where = f"{path}:{line_of(SEED_HEADER, 'header')}: field 1.header"
    assert f"{where}: --seed is sent in the body" in result.stderr
    assert "X-Seed" not in result.stdout


COUNT_HEADER = _sync("hcount", '[[field]]\nflag = "num_images"\nheader = "X-Count"\n',
                     "price_per_image = 1.0\n")
COUNT_BODY = _sync("bcount", '[[field]]\nflag = "num_images"\nbody = "count"\n',
                   "price_per_image = 1.0\n")


def test_an_image_count_sent_as_a_header_is_refused_so_max_cost_cannot_miss_it(
        gateway: Sandbox, isolated: Path) -> None:
    """P1/spending guard: with the image count in the body, `--max-cost 2` stops a $1 x 4
    line (exit 4); with the same count sent as a header the guard priced it as one image and
    the request was sent. Such a file is refused (the reader: the image count goes in the
    body), so the line is not sent."""
    install(COUNT_BODY, "bcount")
    path = install(COUNT_HEADER, "hcount")
    (isolated / "body.jsonl").write_text('{"model": "bcount", "prompt": "a", "num_images": 4}\n')
    (isolated / "head.jsonl").write_text('{"model": "hcount", "prompt": "a", "num_images": 4}\n')
    assert run("batch", "body.jsonl", "-d", "o1", "--max-cost", "2").exit_code == 4
    before = posts(gateway)
    result = run("batch", "head.jsonl", "-d", "o2", "--max-cost", "2")
    assert posts(gateway) == before, "a $4 request was sent under --max-cost 2"
    assert result.exit_code == 2, result.stderr
    where = f"{path}:{line_of(COUNT_HEADER, 'header')}: field 1.header"
    assert f"{where}: --num-images is sent in the body" in result.stderr


# --- the seeds the tool picks stay in the model's range ---------------------------------------

SEED_RANGE = _sync("sr", '[[field]]\nflag = "seed"\nbody = "seed"\nmin = 0\nmax = 1000\n')


def test_the_seed_the_tool_picks_stays_in_the_model_files_seed_range(gateway: Sandbox) -> None:
    """A model file that says its seed is 0-1000: the tool's own random pick (no --seed) is
    up to 2**31-1, refused by the gateway (the sandbox: 400 Field 'seed' must be between 0
    and 1000). The user asked for nothing out of range."""
    install(SEED_RANGE, "sr")
    result = run("sr", "a fox", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    assert 0 <= result.json()["body"]["seed"] <= 1000


def _seeds(result_stdout: str) -> list[int]:
    return [json.loads(line)["seed"] for line in result_stdout.splitlines()]


def test_count_without_a_seed_runs_its_seeds_within_the_models_range(gateway: Sandbox
                                                                     ) -> None:
    install(SEED_RANGE, "sr")
    result = run("sr", "a fox", "-n", "3", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    seeds = sorted(_seeds(result.stdout))
    assert seeds == list(range(seeds[0], seeds[0] + 3)) and 0 <= seeds[0] <= 998


def test_count_from_a_seed_ends_at_most_at_the_models_max(gateway: Sandbox) -> None:
    install(SEED_RANGE, "sr")
    result = run("sr", "a fox", "-n", "3", "--seed", "998", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    assert sorted(_seeds(result.stdout)) == [998, 999, 1000]


def test_count_from_a_seed_past_the_models_max_is_refused_before_sending(
        gateway: Sandbox) -> None:
    """-n 3 --seed 999 would send 999, 1000, 1001: refused as a whole, saying why, rather
    than the third request failing at the gateway or the run silently moving the seed."""
    install(SEED_RANGE, "sr")
    result = run("sr", "a fox", "-n", "3", "--seed", "999", "-d", "out")
    assert result.exit_code == 2
    assert "-n 3 from --seed 999 would send seeds up to 1001, above sr's highest seed " \
        "(1000)" in result.stderr
    assert "--seed 998 or lower" in result.stderr
    assert posts(gateway) == 0 and rows() == []


def test_count_larger_than_the_models_seed_range_is_refused(gateway: Sandbox) -> None:
    install(SEED_RANGE.replace("max = 1000", "max = 3").replace('"sr"', '"tiny"'), "tiny")
    result = run("tiny", "a fox", "-n", "5", "-d", "out")
    assert result.exit_code == 2
    assert "-n 5 needs 5 different seeds, but tiny takes only 4 (0 to 3)" in result.stderr
    assert posts(gateway) == 0


def test_a_batch_lines_derived_seed_and_a_grids_shared_seed_are_in_the_models_range(
        gateway: Sandbox, isolated: Path) -> None:
    """The sandbox refuses a seed outside the file's range (400), so each run's success is
    the check; the record says which seed was sent."""
    install(SEED_RANGE, "sr")
    (isolated / "jobs.jsonl").write_text('{"model": "sr", "prompt": "a"}\n')
    assert run("batch", "jobs.jsonl", "-d", "b").exit_code == 0
    result = run("grid", "sr", "a fox", "--x", "prompt=a fox|a cat", "-d", "g")
    assert result.exit_code == 0, result.stderr
    sent = [row.body["seed"] for row in reversed(rows())]  # oldest first: the batch line's
    assert len(sent) == 3 and all(0 <= seed <= 1000 for seed in sent)
    assert sent[1] == sent[2]  # the grid's cells share one seed


# --- a range with one bound -------------------------------------------------------------------

MAX_ONLY = _sync("mx", '[[field]]\nflag = "steps"\nbody = "steps"\nmax = 50\n')


def test_a_value_above_a_max_only_range_is_a_plain_refusal(key: str) -> None:
    """Documented exit codes: a field with `max` and no `min` turns --steps 99 into
    "unexpected error: TypeError" (exit 1, a bug) instead of exit 2 naming the range."""
    install(MAX_ONLY, "mx")
    result = run("mx", "a fox", "--steps", "99", "--dry-run")
    assert result.exit_code == 2, result.stderr
    assert "out of range" in result.stderr


def test_a_batch_line_above_a_max_only_range_names_its_line(isolated: Path) -> None:
    install(MAX_ONLY, "mx")
    (isolated / "jobs.jsonl").write_text('{"model": "mx", "prompt": "a", "steps": 99}\n')
    result = run("batch", "jobs.jsonl", "--check")
    assert result.exit_code == 2, result.stderr
    assert "line 1" in result.stderr


MIN_ONLY = _sync("mn", '[[field]]\nflag = "steps"\nbody = "steps"\nmin = 5\n')


@pytest.mark.parametrize(("text", "name", "bound"), [(MAX_ONLY, "mx", "at most 50"),
                                                    (MIN_ONLY, "mn", "at least 5")])
def test_a_one_sided_range_is_shown_by_help_and_models_and_named_by_refusals(
        key: str, text: str, name: str, bound: str) -> None:
    install(text, name)
    assert f"sent as steps; {bound}" in " ".join(run(name, "--help").stdout.split())
    assert f"whole number {bound}" in run("models", name).stdout
    refused = run(name, "a fox", "--steps", "99" if name == "mx" else "1", "--dry-run")
    assert refused.exit_code == 2
    assert f"out of range for {name}: {bound}." in refused.stderr
    not_a_number = run(name, "a fox", "--steps", "many", "--dry-run")
    assert f"must be a whole number ({bound} for {name})" in not_a_number.stderr
    assert run(name, "a fox", "--steps", "20", "--dry-run").exit_code == 0


def test_a_one_sided_range_is_kept_in_models_json() -> None:
    install(MAX_ONLY, "mx")
    steps = next(f for f in run("models", "mx", "--json").json()["flags"]
                 if f["flag"] == "--steps")
    assert (steps["min"], steps["max"]) == (None, 50)


# --- an image count that can ask for an image -------------------------------------------------

COUNT_MAX_ZERO = _sync("nz", '[[field]]\nflag = "num_images"\nbody = "n"\nmax = 0\n')
COUNT_MAX_NEGATIVE = _sync("nn", '[[field]]\nflag = "num_images"\nbody = "n"\nmax = -1\n')


def test_a_model_file_whose_image_count_max_is_zero_is_refused_not_a_crash(
        gateway: Sandbox) -> None:
    """`-n 3` with num_images max = 0 (accepted by `models check`): ValueError (range() arg 3
    must not be zero), exit 1. The reader refuses such a file: an image count's max is at
    least 1."""
    path = install(COUNT_MAX_ZERO, "nz")
    result = run("nz", "a fox", "-n", "3", "-d", "out")
    assert result.exit_code == 2, result.stderr
    assert f"{path}:{line_of(COUNT_MAX_ZERO, 'max')}: field 1.max: 0 images a request" \
        in result.stderr
    assert posts(gateway) == 0


def test_a_model_file_whose_image_count_max_is_negative_is_refused_not_silent(
        gateway: Sandbox, isolated: Path) -> None:
    """`-n 3` with num_images max = -1: "0 jobs", nothing made, exit 0 (and with --json,
    nothing at all on stdout). The file is refused, like max = 0."""
    install(COUNT_MAX_NEGATIVE, "nn")
    result = run("nn", "a fox", "-n", "3", "-d", "out", "--json")
    assert result.exit_code == 2, result.stderr
    assert "field 1.max: -1 images a request is none" in result.stderr
    assert posts(gateway) == 0


def test_models_check_refuses_an_image_count_max_below_one(tmp_path: Path) -> None:
    path = tmp_path / "nz.toml"
    path.write_text(COUNT_MAX_ZERO, encoding="utf-8")
    result = run("models", "check", str(path))
    assert result.exit_code == 2
    assert "an image count's max is at least 1" in result.stderr
    path.write_text(COUNT_MAX_ZERO.replace("max = 0", "max = 1"), encoding="utf-8")
    assert run("models", "check", str(path)).exit_code == 0


# --- a model file's own text on every output --------------------------------------------------

BIDI = _sync("bidi", '[[field]]\nflag = "style"\nbody = "style"\ntype = "string"\n'
             'choices = ["plain", "x\u202ey"]\nhelp = "Style \u202eevil\u202c help."\n'
             ).replace('title = "bidi model"', 'title = "Bidi \u202egnp.exe\u202c model"')


def test_a_model_file_with_bidi_overrides_in_its_texts_is_refused_and_never_printed_raw(
        ) -> None:
    """P4: `pixazo --help` shows the title plain and `pixazo models bidi` shows \\u202e, but
    `pixazo bidi --help` printed the file's U+202E (title, help, choices) raw. The reader
    refuses bidirectional and other invisible formatting characters in a model file's text,
    as it refuses control characters: file, line and key, exit 2; the model is left out, so
    its own --help is never built from them."""
    path = install(BIDI, "bidi")
    result = run("bidi", "--help")
    assert result.exit_code == 2
    # The first text read says it (the title and a choice are refused alike:
    # test_bad_model_files.py).
    assert (f"{path}:{line_of(BIDI, 'help')}: field 1.help: has a bidirectional or "
            "invisible formatting character (U+202E RIGHT-TO-LEFT OVERRIDE)") in result.stderr
    for shown in (result, run("models", "bidi"), run("--help"), run("models", "--json")):
        assert "\u202e" not in shown.stdout + shown.stderr


def test_a_model_file_may_use_the_joiners_emoji_are_written_with(key: str) -> None:
    """Zero-width joiners are format characters too, but emoji sequences and several scripts
    need them: a title with one is a title."""
    install(_sync("zwj", "").replace('title = "zwj model"',
                                     'title = "Family \U0001F468\u200d\U0001F469 model"'), "zwj")
    assert run("zwj", "a fox", "--dry-run").exit_code == 0


# --- a header value that cannot be sent -------------------------------------------------------

OWN_HEADER = _sync("hdr", '[[field]]\nflag = "tag"\nheader = "X-Tag"\ntype = "string"\n'
                   'help = "A tag."\n')


def test_a_header_value_http_cannot_carry_is_refused_before_sending(gateway: Sandbox) -> None:
    """P2 and exit codes: `--tag café` for a flag the file sends as a header fails inside the
    HTTP client (UnicodeEncodeError) after the write-ahead row: exit 7 "may have been
    charged", and the history keeps "failed, may be charged", though nothing was sent."""
    install(OWN_HEADER, "hdr")
    result = run("hdr", "a fox", "--tag", "caf\u00e9", "-d", "out")
    assert posts(gateway) == 0
    assert result.exit_code == 2, result.stderr
    assert not [row for row in rows() if row.maybe_charged]


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "tab\there", " padded", "\u202eevil"])
def test_a_header_value_with_a_line_break_or_anything_but_printable_ascii_is_refused(
        key: str, value: str) -> None:
    install(OWN_HEADER, "hdr")
    result = run("hdr", "a fox", "--tag", value, "--dry-run", "--json")
    assert result.exit_code == 2
    reply = result.json()
    assert "headers" not in reply  # no request was made to show
    assert "the HTTP header X-Tag, which carries only printable ASCII" in reply["error"]


DEFAULT_HEADER = _sync("hdef", '[[field]]\nflag = "tag"\nheader = "X-Tag"\ntype = "string"\n'
                       'help = "A tag."\ndefault = "house-style"\nrequired = true\n')


def test_a_header_field_s_default_is_sent_as_a_body_field_s_is(key: str) -> None:
    install(DEFAULT_HEADER, "hdef")
    result = run("hdef", "a fox", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["headers"]["X-Tag"] == "house-style"
    given = run("hdef", "a fox", "--tag", "mine", "--dry-run", "--json")
    assert given.json()["headers"]["X-Tag"] == "mine"


def test_a_header_default_http_cannot_carry_is_refused_by_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "hdef.toml"
    path.write_text(DEFAULT_HEADER.replace("house-style", "z\u00fcrich"), encoding="utf-8")
    result = run("models", "check", str(path))
    assert result.exit_code == 2
    assert f"{path}:" in result.stderr and "cannot be sent as the HTTP header X-Tag" in \
        result.stderr


def test_a_printable_ascii_header_value_is_sent_as_given(key: str) -> None:
    install(OWN_HEADER, "hdr")
    result = run("hdr", "a fox", "--tag", "red fox-1", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["headers"]["X-Tag"] == "red fox-1"


def test_a_batch_line_whose_header_value_cannot_be_sent_is_refused_by_its_line(
        gateway: Sandbox, isolated: Path) -> None:
    install(OWN_HEADER, "hdr")
    (isolated / "jobs.jsonl").write_text('{"model": "hdr", "prompt": "a", "tag": "caf\\u00e9"}\n')
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 2, result.stderr
    assert "line 1: --tag 'café' cannot be sent" in result.stderr
    assert posts(gateway) == 0
    assert rows() == []


# --- fetch after the model file is gone -------------------------------------------------------

def test_fetch_collects_a_queued_job_after_its_model_file_was_removed(gateway: Sandbox) -> None:
    """`status ID --wait` collects it (the status endpoint is universal); `fetch ID` refuses:
    "has no image URLs to fetch: the gateway never answered it (queued)", which is untrue,
    and its hint offers `replay`, which would pay again."""
    path = install(QUEUED, "qwen")
    request_id = run("qwen", "a wolf", "--no-wait").stdout.strip()
    assert request_id
    path.unlink()
    before = posts(gateway)
    result = run("fetch", request_id, "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()).is_file()
    assert posts(gateway) == before


def test_fetch_collects_a_queued_job_after_its_model_file_was_changed_to_sync(
        gateway: Sandbox) -> None:
    """The row is still "queued": its images are on the status endpoint, whatever the file
    says now."""
    path = install(QUEUED, "qwen")
    request_id = run("qwen", "a wolf", "--no-wait").stdout.strip()
    path.write_text(QUEUED.replace('mode = "queued"', 'mode = "sync"')
                    .replace('id = "job.request_id"', 'urls = "images"'), encoding="utf-8")
    assert not run("models", "qwen", "--json").json()["queued"]
    before = posts(gateway)
    result = run("fetch", request_id, "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()).is_file()
    assert posts(gateway) == before
    assert [row.status for row in rows()] == ["saved"]


# --- a models folder holds regular files: bounded time -----------------------------------------

@pytest.mark.parametrize("args", [["models", "--json"], ["--help"]])
def test_a_fifo_in_the_models_folder_does_not_hang_pixazo(tmp_path: Path,
                                                          args: list[str]) -> None:
    """P6: a look-up skips a name that is not a regular file, but reading every model
    (`pixazo models`, a batch line naming an unknown model) opens `x.toml` whatever it is,
    and `--help` reads each listed file's whole text for its title line
    (ModelRegistry.summary): a FIFO blocks both forever (a symlink to /dev/zero makes
    `--help` read without end: MemoryError)."""
    folder = tmp_path / "models"
    folder.mkdir()
    install(MAX_ONLY, "mx", folder)
    os.mkfifo(folder / "fifo.toml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    env["PIXAZO_MODELS_DIR"] = str(folder)
    try:
        done = subprocess.run([sys.executable, "-m", "pixazo_cli", *args], env=env,
                              capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"pixazo {' '.join(args)} did not finish in 20 s") from None
    assert done.returncode == 0, done.stderr
    assert "mx" in done.stdout


def _pixazo_bounded(folder: Path, *args: str, cwd: Path | None = None
                    ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    env["PIXAZO_MODELS_DIR"] = str(folder)
    try:
        return subprocess.run([sys.executable, "-m", "pixazo_cli", *args], env=env, cwd=cwd,
                              capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"pixazo {' '.join(args)} did not finish in 20 s") from None


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    """A models folder with one good file, a FIFO and a symlink to /dev/zero named *.toml."""
    folder = tmp_path / "models"
    folder.mkdir()
    install(MAX_ONLY, "mx", folder)
    os.mkfifo(folder / "fifo.toml")
    (folder / "zero.toml").symlink_to("/dev/zero")
    return folder


def test_help_lists_only_regular_model_files_and_says_nothing_of_the_others(
        odd_folder: Path) -> None:
    """--help reads no model file, so it has no reader's error to give: a name that is not a
    regular file is simply not a model there."""
    done = _pixazo_bounded(odd_folder, "--help")
    assert done.returncode == 0, done.stderr
    assert "mx" in done.stdout
    assert "fifo" not in done.stdout and "zero" not in done.stdout
    assert done.stderr == ""


def test_reading_every_model_leaves_out_what_is_not_a_regular_file_with_its_reason(
        odd_folder: Path) -> None:
    done = _pixazo_bounded(odd_folder, "models", "--json")
    assert done.returncode == 0, done.stderr
    left_out = {Path(entry["file"]).name: entry["problem"]
                for entry in json.loads(done.stdout)["left_out"]}
    assert set(left_out) == {"fifo.toml", "zero.toml"}
    assert all("not a regular file" in problem for problem in left_out.values())
    for name in ("fifo.toml", "zero.toml"):  # one line each on stderr, like any bad file
        assert sum(name in line for line in done.stderr.splitlines()) == 1, done.stderr


def test_a_symlink_to_a_regular_model_file_is_a_model(tmp_path: Path, odd_folder: Path
                                                      ) -> None:
    elsewhere = install(MAX_ONLY.replace('"mx"', '"linked"'), "linked", tmp_path)
    (odd_folder / "linked.toml").symlink_to(elsewhere)
    done = _pixazo_bounded(odd_folder, "models", "--json")
    assert "linked" in [model["name"] for model in json.loads(done.stdout)["models"]]


def test_a_batch_naming_an_unknown_model_is_refused_past_a_fifo(odd_folder: Path,
                                                                tmp_path: Path) -> None:
    """An unknown model's error lists every model, so it reads them all: the FIFO is left
    out with its line, and the error comes."""
    (tmp_path / "jobs.jsonl").write_text('{"model": "nosuch", "prompt": "a"}\n')
    done = _pixazo_bounded(odd_folder, "batch", "jobs.jsonl", "--check", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "nosuch" in done.stderr


def test_models_check_of_a_pipe_whose_example_fails_does_not_read_it_again(
        tmp_path: Path) -> None:
    """`pixazo models check <(…)`: the pipe is read once; finding the failing example's line
    reopened it by path, which blocks forever once its writer is gone."""
    import threading

    pipe = tmp_path / "model.toml"
    os.mkfifo(pipe)
    text = _sync("mx", '[[field]]\nflag = "steps"\nbody = "steps"\nmax = 50\n',
                 "example = 'pixazo mx \"a fox\" --steps 99'")

    def feed() -> None:
        with open(pipe, "w", encoding="utf-8") as writer:
            writer.write(text)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    done = _pixazo_bounded(tmp_path, "models", "check", str(pipe))
    writer.join(timeout=5)
    assert done.returncode == 2, done.stderr
    assert "out of range" in done.stderr or "example" in done.stderr, done.stderr
