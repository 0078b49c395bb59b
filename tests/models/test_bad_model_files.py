"""A bad model file gets a clear error naming the file, the line and the key, for each kind of
mistake: `pixazo models check` and `add` exit 2 on it; in a models folder it is one line on
stderr and that model is left out, while every other command and model works."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run
from tests.models.support import SYNC, config_models_dir, install

TOP = 'name = "x"\ntitle = "X"\nendpoint = "/x/v1/go"\nmode = "sync"\n'
REPLY = '\n[reply]\nurls = "url"\n'


def field(*lines: str) -> str:
    return "\n[[field]]\n" + "\n".join(lines) + "\n"


# (case, file text, line, key, words of the problem)
CASES = [
    ("toml syntax", 'name = "x"\ntitle = \nendpoint = "/x"\n', "title =", "", "not valid TOML"),
    ("not utf-8", None, 2, "", "not UTF-8"),
    ("unknown top key", TOP + "colour = 3\n" + REPLY, "colour", "colour", "unknown key"),
    ("unknown field key", TOP + REPLY + field('flag = "steps"', 'body = "s"', "minimum = 1"),
     "minimum", "field 1.minimum", "did you mean min?"),
    ("wrong type", TOP + REPLY + field('flag = "steps"', 'body = "s"', 'min = "1"'), "min =",
     "field 1.min", "must be a whole number, not '1'"),
    ("fraction for an integer", TOP + REPLY + field('flag = "steps"', 'body = "s"', "max = 2.5"),
     "max =", "field 1.max", "must be a whole number"),
    ("bad range", TOP + REPLY + field('flag = "steps"', 'body = "s"', "min = 10", "max = 5"),
     "max =", "field 1.max", "below min"),
    ("missing required key", 'name = "x"\ntitle = "X"\nmode = "sync"\n' + REPLY, 1, "endpoint",
     "is missing"),
    ("missing field type", TOP + REPLY + field('flag = "style"', 'body = "s"', 'help = "h"'),
     "[[field]]",
     "field 1.type", "is missing"),
    ("unknown mode", TOP.replace('"sync"', '"async"') + REPLY, "mode =", "mode", "sync"),
    ("absolute URL endpoint", TOP.replace('"/x/v1/go"', '"https://evil.example/x"') + REPLY, 3,
     "endpoint", "only to the configured gateway"),
    ("scheme-relative endpoint", TOP.replace('"/x/v1/go"', '"//evil.example/x"') + REPLY, 3,
     "endpoint", "starts with one /"),
    ("dot-dot endpoint", TOP.replace('"/x/v1/go"', '"/x/../admin"') + REPLY, 3, "endpoint",
     "no .."),
    ("backslash endpoint", TOP.replace('"/x/v1/go"', '"/x\\\\evil"') + REPLY, 3, "endpoint",
     "'x\\\\evil'"),
    ("encoded endpoint", TOP.replace('"/x/v1/go"', '"/x/%2e%2e/go"') + REPLY, 3, "endpoint",
     "%2e%2e"),
    ("the status route", TOP.replace('"/x/v1/go"', '"/v2/requests/status/x"') + REPLY, 3,
     "endpoint", "the gateway's own route"),
    ("shadows a built-in", TOP.replace('"x"', '"sdxl"', 1) + REPLY, 1, "name",
     "is a built-in model"),
    ("shadows a command", TOP.replace('"x"', '"status"', 1) + REPLY, 1, "name",
     "is a pixazo command"),
    ("shadows batch", TOP.replace('"x"', '"batch"', 1) + REPLY, 1, "name", "is a pixazo command"),
    ("not a command name", TOP.replace('"x"', '"Flux Dev"', 1) + REPLY, 1, "name",
     "not a command name"),
    ("clashes with -o", TOP + REPLY + field('flag = "output"', 'body = "o"', 'type = "string"',
                                            'help = "h"'), "flag =", "field 1.flag",
     "--output clashes"),
    ("clashes with -n", TOP + REPLY + field('flag = "count"', 'body = "o"', 'type = "integer"',
                                            'help = "h"'), "flag =", "field 1.flag",
     "--count clashes"),
    ("clashes with --json", TOP + REPLY + field('flag = "json"', 'body = "o"',
                                                'type = "boolean"', 'help = "h"'), "flag =",
     "field 1.flag", "--json clashes"),
    ("its off switch clashes", TOP + REPLY + field('flag = "wait"', 'body = "w"',
                                                   'type = "boolean"', 'help = "h"'), "flag =",
     "field 1.flag", "--wait clashes"),
    ("a --no- flag", TOP + REPLY + field('flag = "no_safety_checker"', 'body = "w"',
                                         'type = "boolean"', 'help = "h"'), "flag =",
     "field 1.flag", "clashes"),
    ("redefines a shared flag", TOP + REPLY + field('flag = "steps"', 'body = "s"',
                                                    'help = "My steps."'), "help =", "field 1.help",
     "--steps is a shared flag"),
    ("a shared flag's type", TOP + REPLY + field('flag = "seed"', 'body = "s"',
                                                 'type = "number"'), "type =", "field 1.type",
     "--seed is integer for every model"),
    ("a shared flag's check", TOP + REPLY + field('flag = "webhook_url"', 'header = "X-Hook"',
                                                  'check = "url"'), "check =", "field 1.check",
     "always checked as webhook"),
    ("a mistyped shared flag", TOP + REPLY + field('flag = "step"', 'body = "s"'), "flag =",
     "field 1.flag", "did you mean steps?"),
    ("a flag mapped twice", TOP + REPLY + field('flag = "steps"', 'body = "s"')
     + field('flag = "steps"', 'body = "t"'), 14, "field 2.flag", "mapped twice"),
    ("a body field set twice", TOP + REPLY + field('flag = "steps"', 'body = "s"')
     + field('flag = "guidance"', 'body = "s"'), 15, "field 2.body",
     "set by two fields"),
    ("the prompt's field", TOP + REPLY + field('flag = "negative_prompt"', 'body = "prompt"'),
     "body =", "field 1.body", "where the prompt goes"),
    ("a header not X-", TOP + REPLY + field('flag = "webhook_mode"', 'header = "Host"'),
     "header =",
     "field 1.header", "X-"),
    ("the seed as a header", TOP + REPLY + field('flag = "seed"', 'header = "X-Seed"'),
     "header =", "field 1.header", "--seed is sent in the body"),
    ("the image count as a header", TOP + REPLY + field('flag = "num_images"',
                                                        'header = "X-Count"'),
     "header =", "field 1.header", "--num-images is sent in the body"),
    ("the format as a header", TOP + REPLY + field('flag = "format"', 'header = "X-Format"',
                                                   'choices = ["png"]'),
     "header =", "field 1.header", "--format is sent in the body"),
    ("body and header", TOP + REPLY + field('flag = "steps"', 'body = "s"', 'header = "X-S"'),
     "body =",
     "field 1.body", "exactly one of"),
    ("default without required", TOP + REPLY + field('flag = "steps"', 'body = "s"',
                                                     "default = 3"), "default =", "field 1.default",
     "only a required field has one"),
    ("default out of range", TOP + REPLY + field('flag = "steps"', 'body = "s"', "max = 4",
                                                 "required = true", "default = 9"), "default =",
     "field 1.default", "outside min and max"),
    ("default not a choice", TOP + REPLY + field('flag = "format"', 'body = "f"',
                                                 'choices = ["png"]', "required = true",
                                                 'default = "jpg"'), "default =", "field 1.default",
     "not one of the choices"),
    ("a format pixazo cannot save", TOP + REPLY + field('flag = "format"', 'body = "f"',
                                                        'choices = ["png", "gif"]'), "choices =",
     "field 1.choices", "not gif"),
    ("a format without choices", TOP + REPLY + field('flag = "format"', 'body = "f"'), "[[field]]",
     "field 1.choices", "needs its choices"),
    ("choices on a number", TOP + REPLY + field('flag = "steps"', 'body = "s"',
                                                "choices = [1, 2]"), "choices =", "field 1.choices",
     "only a string field"),
    ("a queued model's urls", TOP.replace('"sync"', '"queued"') + REPLY, "urls =", "reply.urls",
     "universal status endpoint"),
    ("a sync model without urls", TOP, 1, "reply.urls", "must say where"),
    ("a bad reply path", TOP + '\n[reply]\nurls = "data images"\n', "urls =", "reply.urls",
     "dotted path"),
    ("a control character", TOP.replace('"X"', '"X\\u001b[31m"') + REPLY, 2, "title",
     "control character"),
    ("a bidi override in a title", TOP.replace('"X"', '"X\\u202egnp.exe"') + REPLY, 2, "title",
     "bidirectional or invisible formatting character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("a bidi isolate in a help", TOP + REPLY + field('flag = "style"', 'body = "s"',
                                                     'type = "string"',
                                                     'help = "a \\u2066b\\u2069"'),
     "help =", "field 1.help", "(U+2066 LEFT-TO-RIGHT ISOLATE)"),
    ("a bidi mark in a choice", TOP + REPLY + field('flag = "style"', 'body = "s"',
                                                    'type = "string"', 'help = "h"',
                                                    'choices = ["a\\u200fb"]'),
     "choices =", "field 1.choices", "(U+200F RIGHT-TO-LEFT MARK)"),
    ("a zero-width space in a body name", TOP + REPLY + field('flag = "steps"',
                                                              'body = "s\\u200bteps"'),
     "body =", "field 1.body", "(U+200B ZERO WIDTH SPACE)"),
    ("a line separator in an example", TOP + 'example = "pixazo x a\\u2028b"\n' + REPLY,
     "example", "example", "(U+2028 LINE SEPARATOR)"),
    ("an example of another model", TOP + 'example = "pixazo sdxl a"\n' + REPLY, "example",
     "example",
     "starting with `pixazo x `"),
    ("a negative price", TOP + "price_per_image = -1\n" + REPLY, "price_per_image",
     "price_per_image",
     "from 0 to 1000"),
    ("an example that does not parse", TOP + 'example = "pixazo x a --steps 3"\n' + REPLY,
     "example", "example", "x does not take --steps"),
    ("an empty file", "", 1, "name", "is missing"),
]


def line_of(text: str | None, where: int | str) -> int:
    """The expected line: given, or the first line holding the marker."""
    if isinstance(where, int):
        return where
    assert text is not None
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(where))


def write(tmp_path: Path, text: str | None, name: str = "x.toml") -> Path:
    path = tmp_path / name
    if text is None:
        path.write_bytes(b'name = "x"\ntitle = "caf\xe9"\n')
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "key", "words"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_check_names_the_file_the_line_and_the_key_and_exits_2(
        tmp_path: Path, text: str | None, line: int | str, key: str, words: str) -> None:
    path = write(tmp_path, text)
    result = run("models", "check", str(path))
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    line = line_of(text, line)
    where = f"{path}:{line}: {key}: " if key else f"{path}:{line}: "
    assert where in result.stderr
    assert words in result.stderr


def test_add_refuses_a_bad_file_with_the_same_error_and_installs_nothing(
        tmp_path: Path) -> None:
    path = write(tmp_path, TOP + REPLY + field('flag = "steps"', 'body = "s"', "min = 10",
                                               "max = 5"))
    result = run("models", "add", str(path))
    assert result.exit_code == 2
    assert f"{path}:13: field 1.max" in result.stderr
    assert not config_models_dir().exists()


@pytest.mark.parametrize(("text", "line", "key", "words"),
                         [case[1:] for case in CASES if case[0] not in (
                             "shadows a built-in", "shadows a command", "shadows batch",
                             "not a command name", "an example that does not parse")],
                         ids=[case[0] for case in CASES if case[0] not in (
                             "shadows a built-in", "shadows a command", "shadows batch",
                             "not a command name", "an example that does not parse")])
def test_in_the_models_folder_a_bad_file_is_one_line_and_left_out(
        key: str, text: str | None, line: int | str, words: str) -> None:
    install(SYNC, "pixel")
    path = write(config_models_dir(), text)
    listing = run("models")
    assert listing.exit_code == 0
    assert [m for m in listing.stdout.split("\n\n") if m.startswith(("pixel:", "x:"))] == [
        next(m for m in listing.stdout.split("\n\n") if m.startswith("pixel:"))]
    [warning] = listing.stderr.splitlines()
    assert warning.startswith(f"Model file left out: {path}:{line_of(text, line)}: ")
    assert words in warning
    assert run("pixel", "a fox", "--dry-run").exit_code == 0
    assert run("sdxl", "a fox", "--dry-run").exit_code == 0


@pytest.mark.parametrize("name", ["sdxl", "status", "batch"])
def test_a_file_named_after_a_builtin_or_a_command_never_replaces_it(name: str) -> None:
    install(TOP.replace('"x"', f'"{name}"', 1) + REPLY, name)
    listing = run("models")
    assert f"{name}.toml:1: name: '{name}'" in listing.stderr
    if name == "sdxl":
        assert "POST /getImage/v1/getSDXLImage" in listing.stdout
    assert run(name, "--help").exit_code == 0  # still pixazo's own


def test_a_bad_file_does_not_break_the_commands_that_never_read_it() -> None:
    install("this is not toml", "broken")
    for args in (["sdxl", "a fox", "--dry-run"], ["config", "path"],
                 ["history"], ["--version"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert "broken" not in result.stderr


def test_a_model_in_two_folders_is_a_duplicate_the_first_folder_wins(tmp_path: Path) -> None:
    first = tmp_path / "first"
    install(SYNC, "pixel", first)
    later = install(SYNC.replace("Pixel Art XL", "Another"), "pixel")
    listing = run("--models-dir", str(first), "models", "pixel")
    assert "Pixel Art XL" in listing.stdout
    everything = run("--models-dir", str(first), "models")
    assert f"Model file left out: {later}:3: name: the model 'pixel' is already defined by " \
           f"{first / 'pixel.toml'}" in everything.stderr


def test_a_file_whose_name_key_differs_from_its_file_name_is_left_out() -> None:
    path = install(SYNC, "pixel-art")
    result = run("models")
    assert f"{path}:3: name: is 'pixel' but the file is pixel-art.toml" in result.stderr
    assert run("pixel", "a", "--dry-run").exit_code == 2


def test_the_json_listing_says_which_files_were_left_out() -> None:
    path = install(TOP + REPLY + field('flag = "steps"', 'body = "s"', 'min = "1"'), "x")
    listed = run("models", "--json").json()
    assert listed["left_out"] == [{"file": str(path), "line": 12, "key": "field 1.min",
                                   "problem": "must be a whole number, not '1'"}]


def test_a_file_larger_than_a_model_file_can_be_is_refused_unread(tmp_path: Path) -> None:
    from pixazo_cli.models.source import MAX_BYTES

    path = tmp_path / "x.toml"
    path.write_text(TOP + REPLY + "# padding\n" * (MAX_BYTES // 10 + 1))
    result = run("models", "check", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert f"is larger than {MAX_BYTES // 1024} KB" in result.stderr
