"""The config file and the API key: where they live, how they are read and written, and the
precedence of settings (flag > environment > config file > built-in)."""

from __future__ import annotations

import contextlib
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixazo_cli.errors import AuthError, UsageError
from pixazo_cli.http.clock import MAX_SECONDS
from pixazo_cli.scrub import register_secret

DEFAULT_BASE_URL = "https://gateway.pixazo.ai"
DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_DOWNLOAD_MB = 200
ENV_KEY = "PIXAZO_API_KEY"
ENV_BASE_URL = "PIXAZO_BASE_URL"

ASSETS = "assets"  # the [assets] table: defaults of the asset flags (assets/options.py)
# Top-level keys and what they hold; `MODEL.FLAG` keys (e.g. sdxl.steps) are per-model defaults.
TOP_KEYS: dict[str, str] = {
    "api_key": "the API key (prefer `pixazo auth login`, which never echoes it)",
    "base_url": f"gateway base URL (default {DEFAULT_BASE_URL})",
    "output_dir": "folder for saved images (default: the current folder)",
    "name": "file name template for saved images",
    "timeout": f"seconds a command may take in all (default {DEFAULT_TIMEOUT:g})",
    "max_download_mb": f"largest image to download, in MB (default {DEFAULT_MAX_DOWNLOAD_MB})",
    "preview": "true: show each saved image in the terminal, as --preview does",
    "history": "true or false: remember every generation in the local history (default true)",
}


def config_path() -> Path:
    from pixazo_cli.settings.folders import config_dir

    return config_dir() / "config.toml"


def load(path: Path | None = None) -> dict[str, Any]:
    """Read the config file; a missing file is an empty config, a broken one an error."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise UsageError(f"The config file {path} is a folder.", hint=_fix_hint(path)) from None
    except (PermissionError, UnicodeDecodeError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"Cannot read the config file {path}: {reason}.",
                         hint=_fix_hint(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends in "(at line N, column M)": name the file and the line.
        raise UsageError(f"The config file {path} does not parse: {exc}.",
                         hint=_fix_hint(path)) from None


def mask_known_keys() -> None:
    """Mask the keys of the environment and the config file in every output from now on, in
    every command: those that never send (inspect, sheet, show) print and write text from
    outside too, and it may hold the key. Quiet: a broken config is for the commands that use
    it to report."""
    register_secret(os.environ.get(ENV_KEY))
    with contextlib.suppress(UsageError):
        register_secret(str(load().get("api_key") or ""))


def _fix_hint(path: Path) -> str:
    return f"Fix or remove it (`rm {path}`), then set values again with `pixazo config set`."


def save(data: dict[str, Any], path: Path | None = None) -> Path:
    """Write atomically, readable by the owner only: the file may hold the API key. Through
    the one file writer: a private temp file (0600 from the start) created exclusively, then
    renamed over the config, never through a symlink someone planted."""
    import tomli_w

    from pixazo_cli.sinks.files import Folder

    path = path or config_path()
    with Folder.open(path.parent, mode=0o700) as folder:
        _tighten(path.parent)
        placed = folder.write(path.name, tomli_w.dumps(data).encode("utf-8"), overwrite=True,
                              mode=0o600)
    return placed.path


def _tighten(folder: Path) -> None:
    """An existing config folder others can read or enter is made the owner's alone."""
    try:
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    except OSError:
        pass  # not ours to change (a shared mount): the file itself is still 0600


def readable_by_others(path: Path | None = None) -> bool:
    """True when the config file (which may hold the key) is readable by group or others."""
    try:
        return bool((path or config_path()).stat().st_mode & 0o044)
    except OSError:
        return False


def clean_key(raw: str, source: str) -> str:
    """The key as sent: surrounding whitespace (a pasted newline) trimmed; control or
    non-ASCII characters refused before anything is sent, naming where it came from but
    never echoing it."""
    key = raw.strip()
    if any(ord(ch) < 0x21 or ord(ch) > 0x7E for ch in key):
        raise UsageError(f"The API key from {source} has a space, a control character or a "
                         "non-ASCII character in it; nothing was sent.",
                         hint="Paste the key again from your Pixazo dashboard "
                         "(`pixazo auth login`).")
    return key


def mask(key: str) -> str:
    """Show at most the last four characters, and only of a key long enough to spare them."""
    return f"****{key[-4:]}" if len(key) >= 16 else "****"


@dataclass
class Settings:
    """Everything a command needs to know, with the precedence already applied."""

    api_key: str | None = None
    key_source: str = ""
    base_url: str = DEFAULT_BASE_URL
    output_dir: Path = field(default_factory=Path)
    name_template: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_MB * 1_000_000
    preview: bool = False
    model_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: bool = True
    asset_defaults: dict[str, Any] = field(default_factory=dict)  # [assets]: what to derive

    def require_key(self) -> str:
        if self.api_key:
            return clean_key(self.api_key, self.key_source)
        if not self.api_key:
            raise AuthError(
                "No API key.",
                hint=f"Run `pixazo auth login` (it asks without echoing and stores it in "
                f"{config_path()}), or set {ENV_KEY}.",
            )
        return self.api_key


def resolve(
    data: dict[str, Any],
    env: dict[str, str] | os._Environ[str],
    base_url: str | None = None,
    output_dir: Path | None = None,
    timeout: float | None = None,
) -> Settings:
    """Apply flag > environment > config file > built-in."""
    settings = Settings()
    if env.get(ENV_KEY, "").strip():
        settings.api_key, settings.key_source = env[ENV_KEY], f"environment ({ENV_KEY})"
    elif str(data.get("api_key") or "").strip():
        settings.api_key = str(data["api_key"])
        settings.key_source = f"config file ({config_path()})"
    register_secret(settings.api_key)  # masked in every output from here on, even if refused
    settings.base_url = (base_url or env.get(ENV_BASE_URL) or _text(data, "base_url")
                         or DEFAULT_BASE_URL).rstrip("/")
    if output_dir is not None:
        settings.output_dir = output_dir
    elif _text(data, "output_dir"):
        settings.output_dir = Path(_text(data, "output_dir")).expanduser()
    settings.name_template = _text(data, "name") or None
    settings.timeout = timeout if timeout is not None else \
        positive_number(data, "timeout", DEFAULT_TIMEOUT, MAX_SECONDS)
    mb = positive_number(data, "max_download_mb", DEFAULT_MAX_DOWNLOAD_MB)
    settings.max_download_bytes = int(mb * 1_000_000)
    settings.model_defaults = {k: v for k, v in data.items()
                               if isinstance(v, dict) and k != ASSETS}
    settings.asset_defaults = _table(data, ASSETS)
    settings.preview = _switch(data, "preview")
    # PIXAZO_HISTORY=0 (false, no, off) turns it off whatever the config says.
    settings.history = _switch(data, "history", True) and env.get(
        "PIXAZO_HISTORY", "").strip().lower() not in ("0", "false", "no", "off")
    return settings


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise UsageError(f"Config value {key} must be text, not {value!r}.",
                         hint=f"Fix it with `pixazo config set {key} …`.")
    return value


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise UsageError(f"Config value {key} must be a table of settings, not {value!r}.",
                         hint=f"Set them one by one: pixazo config set {key}.to webp")
    return value


def _switch(data: dict[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise UsageError(f"Config value {key} must be true or false, not {value!r}.",
                         hint=f"Fix it with `pixazo config set {key} true`.")
    return value


def positive_number(data: dict[str, Any], key: str, default: float,
                    high: float = math.inf) -> float:
    value = data.get(key, default)
    if (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
            or not math.isfinite(value) or value > high):
        raise UsageError(f"Config value {key} must be a positive number, not {value!r}.",
                         hint=f"Fix it with `pixazo config set {key} …`.")
    return float(value)
