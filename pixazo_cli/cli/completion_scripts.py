"""The shell completion scripts, and `--show-completion` / `--install-completion`, from the
installed command (no checkout needed). tools/docgen writes the same scripts to completions/.

Each script asks the installed `pixazo` what to offer, in the protocol typer answers
(`_PIXAZO_COMPLETE=complete_<shell>`). The scripts are ours rather than typer's because
typer's zsh script only registers itself when zsh autoloads it from $fpath, so the first Tab
completed nothing; and typer's options ignore a shell named after them."""

import os
from pathlib import Path

import typer

_BASH = """\
_pixazo_completion() {
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \\
                   COMP_CWORD=$COMP_CWORD \\
                   _PIXAZO_COMPLETE=complete_bash $1 ) )
    return 0
}

complete -o default -F _pixazo_completion pixazo
"""

# Autoloaded from $fpath, this file is the body of `_pixazo`: the first Tab runs it, which
# defines the real `_pixazo` in its place and calls it, so that Tab completes too. Sourced
# (`source <(pixazo --show-completion zsh)` after compinit), it registers `_pixazo`.
_ZSH = """\
#compdef pixazo

_pixazo() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _PIXAZO_COMPLETE=complete_zsh pixazo)
}

if [[ $funcstack[1] == _pixazo ]]; then
  _pixazo "$@"
else
  compdef _pixazo pixazo
fi
"""

_FISH_ASK = ("env _PIXAZO_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION={} "
             "_TYPER_COMPLETE_ARGS=(commandline -cp) pixazo")
_FISH = (f'complete --command pixazo --no-files --arguments "({_FISH_ASK.format("get-args")})" '
         f'--condition "{_FISH_ASK.format("is-args")}"\n')

SCRIPTS = {"bash": _BASH, "zsh": _ZSH, "fish": _FISH}

# Where --install-completion puts each script, and the line the shell's start-up file needs
# to find it ({path}: the script's). Both as typer wrote them, so installing again replaces
# what an earlier pixazo installed rather than adding to it.
_HOME_FILES = {
    "bash": (".bash_completions/pixazo.sh", ".bashrc", "source '{path}'"),
    "zsh": (".zfunc/_pixazo", ".zshrc", "fpath+=~/.zfunc; autoload -Uz compinit; compinit"),
    "fish": (".config/fish/completions/pixazo.fish", None, None),
}


def script(shell: str) -> str:
    return SCRIPTS[shell]


def shell_for(args: tuple[str, ...], flag: str) -> str:
    """The shell named right after `flag` on the command line, else the one running pixazo."""
    after = args[args.index(flag) + 1 : args.index(flag) + 2] if flag in args else ()
    if after and after[0] in SCRIPTS:
        return after[0]
    if after and not after[0].startswith("-"):
        raise typer.BadParameter(f"no completion for {after[0]!r}: bash, zsh or fish.",
                                 param_hint=f"'{flag}'")
    shell = _current_shell()
    if shell not in SCRIPTS:
        raise typer.BadParameter(f"cannot tell which shell this is{f' ({shell})' * bool(shell)}"
                                 ": name it, e.g. pixazo " + flag + " zsh.", param_hint=f"'{flag}'")
    return shell


def _current_shell() -> str:
    try:
        import shellingham  # what typer used: the shell pixazo runs under, not the login one

        return shellingham.detect_shell()[0]
    except (ImportError, OSError):  # OSError: shellingham.ShellDetectionFailure
        return Path(os.environ.get("SHELL", "")).name


def install(shell: str, home: Path) -> Path:
    """Write the script where `shell` finds it, and the start-up line it needs, once. The
    script goes through the one writer (whole or nothing, never through a symlink; it is
    ours, so a new version replaces it). The shell's start-up file is the user's: it is only
    ever appended to, never rewritten, so a full disk cannot cut it short; a symlink to it
    (dotfiles) is followed, as the shell follows it."""
    from pixazo_cli.sinks.files import Folder

    target, rc_name, line = _HOME_FILES[shell]
    path = home / target
    with Folder.open(path.parent) as folder:
        folder.write(path.name, SCRIPTS[shell].encode("utf-8"), overwrite=True, mode=0o644)
    if rc_name and line:
        rc, line = home / rc_name, line.format(path=path)
        text = rc.read_bytes().decode("utf-8", "replace") if rc.is_file() else ""
        if line not in text.splitlines():
            with open(rc, "a", encoding="utf-8") as handle:
                handle.write(("\n" if text and not text.endswith("\n") else "") + line + "\n")
    return path
