"""The man page and the shell completion scripts: generated from the app, committed, current;
the man page is clean roff that documents every command and option; completion really works
through the installed `pixazo`; and starting the CLI imports nothing heavy."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup

from pixazo_cli.cli import model_group
from pixazo_cli.cli.app import app
from pixazo_cli.cli.completion import completed_command, keep_only
from pixazo_cli.cli.settings_commands import setting_names
from pixazo_cli.models.table import MODELS
from tools.docgen import manpage, shelldocs

REPO = Path(__file__).resolve().parent.parent
PIXAZO = Path(sys.executable).parent / "pixazo"
REGENERATE = "run `python scripts/gen_docs.py` and commit the result"


# --- helpers ---------------------------------------------------------------------------------

def root_command() -> Any:
    return typer.main.get_command(app)


def commands(command: Any = None, path: tuple[str, ...] = ("pixazo",)) -> list[tuple[str, Any]]:
    """(command path, command) for every visible command, walked independently of manpage."""
    command = command or root_command()
    found = []
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            if not sub.hidden:
                found.append((" ".join((*path, name)), sub))
                found += commands(sub, (*path, name))
    return found


def long_options(command: Any) -> set[str]:
    return {name for param in command.params if param.param_type_name == "option"
            and not getattr(param, "hidden", False)
            for name in (*param.opts, *param.secondary_opts) if name.startswith("--")}


def roff(name: str) -> str:
    """How a plain word appears in the roff source."""
    return manpage.escape(name)


def man_source() -> str:
    return (REPO / shelldocs.MAN_PAGE).read_text(encoding="utf-8")


def run_pixazo(*args: str, env: dict[str, str] | None = None,
               check: bool = True) -> subprocess.CompletedProcess[str]:
    assert PIXAZO.exists(), f"{PIXAZO} is missing: install the package (pip install -e .)"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("_PIXAZO", "_TYPER"))}
    full_env.update(env or {})
    result = subprocess.run([str(PIXAZO), *args], env=full_env, capture_output=True, text=True,
                            timeout=60, cwd=REPO)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def bash_complete(line: str) -> list[str]:
    """What the installed `pixazo` offers for the last word of `line` (empty after a space),
    asked the way the bash script asks: COMP_WORDS, COMP_CWORD and _PIXAZO_COMPLETE."""
    words = line.split(" ")
    result = run_pixazo(env={"_PIXAZO_COMPLETE": "complete_bash", "COMP_WORDS": line,
                             "COMP_CWORD": str(len(words) - 1)})
    return result.stdout.splitlines()


# --- (1) the committed files are current -----------------------------------------------------

def test_committed_files_equal_a_fresh_render() -> None:
    stale = []
    for relative, text in shelldocs.render_all().items():
        path = REPO / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(relative)
    assert not stale, f"Generated files are stale: {', '.join(stale)}; {REGENERATE}."


def test_completion_files_are_what_install_completion_writes(tmp_path: Path) -> None:
    installed = {"bash": ".bash_completions/pixazo.sh", "zsh": ".zfunc/_pixazo",
                 "fish": ".config/fish/completions/pixazo.fish"}
    for shell, relative in shelldocs.COMPLETIONS.items():
        committed = (REPO / relative).read_text(encoding="utf-8")
        home = tmp_path / shell
        home.mkdir()
        run_pixazo("--install-completion", shell,
                   env={"HOME": str(home), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
        written = (home / installed[shell]).read_text(encoding="utf-8")
        # typer writes bash and zsh without the final newline; the committed files have one.
        assert written.rstrip("\n") + "\n" == committed, f"{relative}: {REGENERATE}."
        sourced = run_pixazo(env={"_PIXAZO_COMPLETE": f"source_{shell}"}).stdout
        assert sourced.strip() + "\n" == committed, f"{relative}: {REGENERATE}."
    zsh = (REPO / shelldocs.COMPLETIONS["zsh"]).read_text(encoding="utf-8")
    assert zsh.startswith("#compdef pixazo\n"), "zsh autoloads from $fpath only with this line"


def test_gen_docs_check_reports_stale_files_and_writes_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    assert spec and spec.loader
    gen_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_docs)
    gen_docs.ROOT = tmp_path
    (tmp_path / "man").mkdir()
    (tmp_path / shelldocs.MAN_PAGE).write_text("stale\n", encoding="utf-8")

    assert gen_docs.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "python scripts/gen_docs.py" in err
    for relative in shelldocs.render_all():
        assert relative in err
    assert not (tmp_path / "completions").exists(), "--check must not write"

    assert gen_docs.main([]) == 0
    assert gen_docs.main(["--check"]) == 0
    assert (tmp_path / shelldocs.MAN_PAGE).read_text(encoding="utf-8").startswith(".\\\"")


# --- (2) the man page is clean roff ----------------------------------------------------------

def test_man_page_formats_without_warnings() -> None:
    groff = shutil.which("groff")
    if groff is None:
        pytest.skip("groff is not installed (Debian/Ubuntu: apt-get install -y groff-base)")
    result = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", str(REPO / shelldocs.MAN_PAGE)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stderr == "", f"groff warnings:\n{result.stderr}"


def test_man_page_source_is_portable_roff() -> None:
    source = man_source()
    assert source.isascii(), "non-ASCII characters need roff escapes (groff without preconv)"
    for number, line in enumerate(source.splitlines(), 1):
        assert line.strip(), f"line {number}: blank lines are not roff"
        if not line.startswith("."):
            assert not line.startswith("'"), f"line {number} would be read as a request"
            assert "-" not in line.replace("\\-", ""), \
                f"line {number}: a bare hyphen (write \\-): {line}"
    assert "\\fB" in source and not re.search(r"\\f[^BIRP]", source)


def test_shell_lines_keep_the_command_and_fit() -> None:
    for _, command in manpage.examples():
        lines = manpage.shell_lines(command)
        rejoined = " ".join(line.removesuffix(" \\").strip() for line in lines)
        assert shlex.split(rejoined) == shlex.split(command)
        assert all(len(line) <= manpage.EXAMPLE_WIDTH for line in lines[1:] if " " in line.strip())
    assert manpage.shell_lines('pixazo x "a --b " --c', width=10) == ['pixazo x "a --b " \\',
                                                                    "    --c"]


# --- (3) completion, through the installed command -------------------------------------------

def test_commands_complete() -> None:
    got = bash_complete("pixazo s")
    expected = [name for name in root_command().commands if name.startswith("s")]
    assert got == expected
    assert {"sd35", "sd3", "sdxl", "status", "sandbox"} <= set(got)


def test_a_model_completes_only_its_own_flags() -> None:
    got = set(bash_complete("pixazo sdxl x --"))
    assert {"--seed", "--width", "--height", "--steps", "--output-dir", "--json"} <= got
    assert "--aspect-ratio" not in got and "--format" not in got
    sdxl = root_command().commands["sdxl"]
    assert got == long_options(sdxl) | {"--help"}


def every_top_level_name() -> list[str]:
    return sorted(root_command().commands)


@pytest.mark.parametrize("name", every_top_level_name())
def test_each_command_completes_as_in_the_whole_tree(name: str) -> None:
    """A completion request builds only the command it completes (start-up): what it offers
    must be what the whole command tree offers."""
    command = root_command().commands[name]
    if isinstance(command, TyperGroup):
        assert bash_complete(f"pixazo {name} ") == list(command.commands)
    else:
        assert set(bash_complete(f"pixazo {name} x --")) == long_options(command) | {"--help"}


@pytest.mark.parametrize("name", every_top_level_name())
def test_a_completion_request_builds_only_the_command_it_completes(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "registered_commands", list(app.registered_commands))
    monkeypatch.setattr(app, "registered_groups", list(app.registered_groups))
    monkeypatch.setattr(model_group, "only_models", None)
    keep_only(app, name)
    assert list(typer.main.get_command(app).commands) == [name]


@pytest.mark.parametrize(("env", "expected"), [
    ({"COMP_WORDS": "pixazo sdxl x --", "COMP_CWORD": "3"}, "sdxl"),
    ({"COMP_WORDS": "pixazo sdxl ", "COMP_CWORD": "2"}, "sdxl"),
    ({"COMP_WORDS": "pixazo sd", "COMP_CWORD": "1"}, None),  # the command name itself
    ({"COMP_WORDS": "pixazo --sandbox sdxl --", "COMP_CWORD": "3"}, "--sandbox"),
    ({"_TYPER_COMPLETE_ARGS": "pixazo sdxl x --"}, "sdxl"),
    ({"_TYPER_COMPLETE_ARGS": "pixazo sdxl "}, "sdxl"),
    ({"_TYPER_COMPLETE_ARGS": "pixazo sdxl"}, None),
    ({"_TYPER_COMPLETE_ARGS": "pixazo "}, None),
])
def test_the_completed_command_is_the_word_after_pixazo_once_the_cursor_is_past_it(
        env: dict[str, str], expected: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert completed_command() == expected


def test_zsh_and_fish_requests_complete_a_commands_flags() -> None:
    for shell in ("zsh", "fish"):
        got = run_pixazo(env={"_PIXAZO_COMPLETE": f"complete_{shell}",
                              "_TYPER_COMPLETE_ARGS": "pixazo sdxl x --",
                              "_TYPER_COMPLETE_FISH_ACTION": "get-args"}).stdout
        assert "--seed" in got and "--aspect-ratio" not in got, shell


def test_a_root_option_before_the_command_still_completes_its_flags() -> None:
    got = set(bash_complete("pixazo --sandbox sdxl x --"))
    assert long_options(root_command().commands["sdxl"]) <= got


@pytest.mark.parametrize(("line", "expected"), [
    ("pixazo nucleus x --format ", ["png", "jpg"]),
    ("pixazo sd35 x --format ", ["webp", "jpg", "png", "jpeg"]),
    ("pixazo sd35 x --format j", ["jpg", "jpeg"]),
    ("pixazo sd3 x --format ", ["webp", "jpg", "png", "jpeg"]),
    ("pixazo nucleus x --webhook-mode ", ["terminal", "sync"]),
])
def test_choice_values_complete(line: str, expected: list[str]) -> None:
    assert bash_complete(line) == expected


def test_config_keys_complete() -> None:
    got = bash_complete("pixazo config set sd")
    assert {"sdxl.steps", "sdxl.seed", "sd35.format", "sd3.guidance"} <= set(got)
    assert got == [name for name in setting_names() if name.startswith("sd")]
    assert "output_dir" in bash_complete("pixazo config get ")
    assert bash_complete("pixazo config unset max_") == ["max_download_mb"]


def test_the_committed_bash_script_completes_in_bash() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = (f"source {shlex.quote(str(REPO / shelldocs.COMPLETIONS['bash']))}\n"
              "complete -p pixazo\n"
              "COMP_WORDS=(pixazo nucleus x --webhook-mode ''); COMP_CWORD=4\n"
              "_pixazo_completion pixazo\n"
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_PIXAZO", "_TYPER"))}
    env["PATH"] = f"{PIXAZO.parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([bash, "--norc", "--noprofile", "-c", script], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "complete -o default -F _pixazo_completion pixazo", "terminal", "sync"]


def test_zsh_and_fish_requests_answer_in_their_formats() -> None:
    zsh = run_pixazo(env={"_PIXAZO_COMPLETE": "complete_zsh",
                          "_TYPER_COMPLETE_ARGS": "pixazo sdxl x --se"}).stdout
    assert zsh.startswith("_arguments '*: :((") and '"--seed":"Random seed' in zsh
    assert "--aspect-ratio" not in zsh

    fish_env = {"_PIXAZO_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
                "_TYPER_COMPLETE_ARGS": "pixazo sd"}
    fish = run_pixazo(env=fish_env).stdout.splitlines()
    assert fish == ["sd35\tStable Diffusion 3.5 Large.", "sd3\tStable Diffusion 3.",
                    "sdxl\tStable Diffusion XL 1.0."]
    fish_env.update(_TYPER_COMPLETE_ARGS="pixazo nucleus x --webhook-mode ")
    assert run_pixazo(env=fish_env).stdout.splitlines() == ["terminal", "sync"]
    fish_env.update(_TYPER_COMPLETE_FISH_ACTION="is-args")
    assert run_pixazo(env=fish_env, check=False).returncode == 0  # values, so no file names


# --- (4) nothing heavy on the way to the CLI -------------------------------------------------

def imported_modules(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def heavy(modules: set[str], roots: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == r or m.startswith(r + ".") for r in roots)}


def test_importing_the_cli_loads_no_http_imaging_or_sandbox() -> None:
    modules = imported_modules("import pixazo_cli.cli.app")
    assert "pixazo_cli.cli.app" in modules
    assert not heavy(modules, ("httpx", "PIL", "pixazo_cli.sandbox"))


def test_rendering_the_docs_loads_nothing_heavy() -> None:
    assert not heavy(imported_modules("import tools.docgen.manpage, tools.docgen.shelldocs"),
                     ("httpx", "PIL", "rich", "typer"))
    modules = imported_modules("from tools.docgen.shelldocs import render_all; render_all()")
    assert not heavy(modules, ("httpx", "PIL", "rich", "pixazo_cli.sandbox"))


# --- (5) the man page documents the whole app ------------------------------------------------

def sections(source: str) -> dict[str, str]:
    """Roff text under each .SH/.SS heading, keyed by the heading."""
    parts = re.split(r'^\.S[HS] "?(.*?)"?$', source, flags=re.M)
    return {manpage_heading(h): body for h, body in zip(parts[1::2], parts[2::2], strict=True)}


def manpage_heading(heading: str) -> str:
    return heading.replace("\\-", "-")


def test_man_page_has_a_section_for_every_command_and_every_option() -> None:
    source = man_source()
    by_heading = sections(source)
    shared = by_heading["MODEL COMMANDS"]
    for path, command in commands():
        assert path in by_heading, f"no section for {path}"
        body = by_heading[path]
        assert roff(path) in body, f"{path}: no usage line"
        for option in long_options(command) - {"--help"}:
            where = body + (shared if path.removeprefix("pixazo ") in MODELS else "")
            assert roff(option) in where, f"{path}: {option} is not documented"
    every = set().union(*(long_options(c) for _, c in commands()), long_options(root_command()))
    missing = [o for o in sorted(every) if roff(o) not in source]
    assert not missing, f"options missing from the man page: {missing}"
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES",
                    "EXIT STATUS", "EXAMPLES", "SEE ALSO"):
        assert heading in by_heading


def test_man_page_lists_environment_files_exit_codes_and_examples() -> None:
    from pixazo_cli.errors import EXIT_CODES
    from pixazo_cli.settings.config import TOP_KEYS

    by_heading = sections(man_source())
    for name in ("PIXAZO_API_KEY", "PIXAZO_BASE_URL", "PIXAZO_SANDBOX", "PIXAZO_SANDBOX_LATENCY",
                 "NO_COLOR", "XDG_CONFIG_HOME", "PIXAZO_DEBUG"):
        assert f"\\fB{name}\\fR" in by_heading["ENVIRONMENT"]
    for key in [*TOP_KEYS, "MODEL"]:
        assert roff(key) in by_heading["FILES"]
    for code in EXIT_CODES:
        assert f".TP\n\\fB{code}\\fR\n" in by_heading["EXIT STATUS"]
    for model in MODELS.values():
        assert manpage.escape(model.example) in by_heading["EXAMPLES"].replace(" \\e\n    ", " ")


def test_every_example_in_the_man_page_parses() -> None:
    """The examples name real commands and flags with valid values (parsed, never run)."""
    root = root_command()
    for _, line in manpage.examples():
        words = shlex.split(line.rsplit("|", 1)[-1])
        while "=" in words[0]:
            words.pop(0)  # VAR=value before the command
        assert words[0] == "pixazo", line
        ctx = root.make_context("pixazo", words[1:])
        command = root
        while isinstance(command, TyperGroup):
            args = [*ctx._protected_args, *ctx.args]
            name, command, rest = command.resolve_command(ctx, args)
            ctx = command.make_context(name, rest, parent=ctx)
        assert not ctx.args, f"{line}: left over {ctx.args}"
