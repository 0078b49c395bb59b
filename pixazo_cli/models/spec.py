"""What a model is, as data: the shared flag vocabulary (`FLAGS`), and the `Model` and `Field`
dataclasses every model file is loaded into (models/files.py reads the files).

One `Model` per subcommand: its endpoint, whether it queues, how each flag maps to the model's
own field name, the documented ranges, the values sent when the user gives none, and where its
replies keep the request id and the image URLs. The flags double as the roles the tool reads
back (the seed for `{seed}`, the format for the file's extension, the image count), so no field
name the gateway chose appears in the behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Flag:
    """One flag: of the shared vocabulary (the same for every model that takes it), or a
    model's own, declared by its model file."""

    name: str  # python name; the CLI spelling is --name-with-dashes
    help: str
    metavar: str = ""
    off_switch: str = ""  # booleans: the --no-… spelling
    # What a model file may declare for it: the value types the tool's behaviour relies on
    # (the first is the default), and the check every model applies to it.
    kinds: tuple[type, ...] = (str,)
    check: str = ""
    # The tool reads the value back from the request body (ApiRequest.seed, expected_images,
    # extension: the record and -n, the spending guards, the file's extension), so a model
    # file may send it only in the body; a header would keep it from the tool.
    body_only: bool = False


@dataclass(frozen=True)
class Field:
    """How one model receives one flag."""

    flag: str
    name: str  # the gateway's field (or header) name
    kind: type = str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    default: Any = None  # sent when the user gave nothing (only where the gateway requires it)
    check: str = ""  # extra value check by name: "ratio", "url", "webhook"
    header: bool = False  # sent as an HTTP header, not in the JSON body
    required: bool = False  # the request is refused (before sending) without it

    @property
    def range_words(self) -> str:
        """The range in words, either bound alone included: "1 to 50", "at least 1",
        "at most 50"; "" without one. The one wording of --help, refusals and listings."""
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"at least {self.low:g}"
        return "" if self.high is None else f"at most {self.high:g}"

    def in_range(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None
                                                            or value <= self.high)


FORMATS = ("png", "jpg", "jpeg", "webp")  # the images the tool can check and save
QUEUED_URLS_AT = "output.media_url"  # where a finished job's status reply lists its images


@dataclass(frozen=True)
class Model:
    name: str
    title: str
    path: str
    queued: bool
    fields: tuple[Field, ...]
    # Where the image URL(s) sit: in the POST's reply for a sync model, in the status reply
    # for a queued one. A dotted path; the value is one URL or a list of them.
    urls_at: str = QUEUED_URLS_AT
    # The POST reply's request id: required for a queued model (it is how the job is fetched),
    # kept when present for a sync one.
    id_at: str = "id"
    # A sync reply's own verdict, where it gives one (sd35): anything but success is a failure.
    status_at: str = "status"
    prompt_field: str = "prompt"
    default_format: str = "png"  # the extension to expect when --format is not given
    stream_path: str = ""  # the Stream endpoint, where the model has one
    example: str = ""
    price_per_image: float | None = None  # US dollars, where the vendor's page states one
    flags: tuple[Flag, ...] = ()  # the flags of its own its model file declares
    source: str = field(default="", compare=False, repr=False)  # the model file it came from
    by_flag: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_flag", {f.flag: f for f in self.fields})

    def path_for(self, stream: bool) -> str:
        return self.stream_path if stream else self.path

    def flag_info(self, flag: str) -> Flag:
        """The flag's name, help and metavar: the model's own declaration, else the shared one."""
        own = next((info for info in self.flags if info.name == flag), None)
        return own or FLAGS[flag]

    def is_flag(self, flag: str) -> bool:
        """A flag of the shared vocabulary (taken or not), or one of this model's own."""
        return flag in FLAGS or flag in self.by_flag

    def body_value(self, body: dict[str, Any], flag: str) -> Any:
        """The value a body carries for a vocabulary flag (None where the model has no such
        field, or the body does not set it)."""
        spec = self.by_flag.get(flag)
        return None if spec is None or spec.header else body.get(spec.name)

    def flag_values(self, body: dict[str, Any]) -> dict[str, Any]:
        """A body's settings under the tool's own flag names, for records and listings."""
        values = {flag: self.body_value(body, flag) for flag in self.by_flag}
        return {flag: value for flag, value in values.items() if value is not None}

    @property
    def seed_field(self) -> str | None:
        """The body field carrying the seed, for models that take one."""
        spec = self.by_flag.get("seed")
        return spec.name if spec else None


_NUMBER = (int, float)

FLAGS: dict[str, Flag] = {
    f.name: f
    for f in (
        Flag("negative_prompt", "What the image should avoid.", "TEXT"),
        Flag("aspect_ratio", "Aspect ratio as W:H, e.g. 16:9.", "W:H", check="ratio"),
        Flag("width", "Width in pixels.", "PX", kinds=(int,)),
        Flag("height", "Height in pixels.", "PX", kinds=(int,)),
        Flag("steps", "Denoising steps.", "N", kinds=(int,)),
        Flag("guidance", "How closely to follow the prompt (guidance / cfg).", "X",
             kinds=_NUMBER),
        Flag("seed", "Random seed, for reproducible images.", "N", kinds=(int,), body_only=True),
        Flag("format", "Output image format.", "FMT", body_only=True),
        Flag("quality", "Compression quality, 0-100 (no effect on PNG).", "Q", kinds=(int,)),
        Flag("prompt_strength", "How far the result may stray, 0-1.", "X", kinds=(float,)),
        Flag("num_images", "Images to make in one request.", "N", kinds=(int,),
             body_only=True),
        Flag("safety_checker", "Run the safety filter (default: on).", "",
             off_switch="--no-safety-checker", kinds=(bool,)),
        Flag("image_url", "URL of the image to change.", "URL", check="url"),
        Flag("mask_url", "URL of the mask: white where the image changes.", "URL", check="url"),
        Flag("webhook_url", "https URL the gateway calls when the job ends.", "URL",
             check="webhook"),
        Flag("webhook_mode", "terminal: one call at the end; sync: one per poll too.", "MODE"),
    )
}


# A model's name is its command's: these rules, and the names pixazo keeps for itself.
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_NAME = 40
# pixazo's own commands, and the words `pixazo models` takes: no model may be called so.
COMMAND_NAMES = frozenset({
    "status", "auth", "config", "sandbox", "batch", "inspect", "replay", "models", "history",
    "fetch", "show", "grid", "sheet", "assets", "help", "add", "check", "version",
})
# The options every model command has, and words batch lines and grids keep: a flag of a
# model's own may not take these names (nor start with no_, the off switch of a boolean).
COMMON_NAMES = frozenset({
    "param", "output", "out_dir", "output_dir", "name", "overwrite", "json", "json_out",
    "timeout", "dry_run", "open", "open_images", "sidecar", "preview", "stream", "wait",
    "no_wait", "sandbox", "base_url", "verbose", "quiet", "count", "help", "version",
    "models_dir", "model", "prompt", "ctx",
    # the asset flags (assets/options.py KEYS), on every model command and batch line
    "size", "fit", "gravity", "pad_color", "to", "widths", "upscale", "placeholder", "strip",
    "html", "sizes",
})

_SEGMENT = re.compile(r"^[A-Za-z0-9_.~-]+$")
# Routes the gateway (or the sandbox standing in for it) keeps for itself.
RESERVED_PATHS = ("/v2/requests/status", "/_sandbox")


def header_text(value: object) -> str | None:
    """A value as the HTTP header text it is sent as, or None where a header cannot carry it:
    printable ASCII alone, and no spaces at either end (HTTP drops them on the way)."""
    text = str(value)
    return text if all(" " <= c <= "~" for c in text) and text == text.strip(" ") else None


def gateway_path_problem(path: object) -> str | None:
    """Why `path` cannot be a model's endpoint, or None. An endpoint is a plain path on the
    configured gateway, so the key it carries can go nowhere else: no scheme or host (`https:`,
    `//host`), no `..`, no backslash, no percent-encoding, query or fragment to hide one in."""
    if not isinstance(path, str) or not path:
        return "must be a path on the gateway, such as /flux/v1/generate"
    if "://" in path or path.startswith("//") or not path.startswith("/"):
        return (f"must be a path on the gateway that starts with one /, not {path!r}: the API "
                "key goes only to the configured gateway (--base-url)")
    if len(path) > 200:
        return "is longer than 200 characters"
    for segment in path[1:].split("/"):
        if not _SEGMENT.match(segment) or segment in (".", ".."):
            return (f"{path!r} has the part {segment!r}: each part between slashes takes only "
                    "letters, digits and . _ ~ - (no .., no %, ?, #, \\, spaces or empty parts)")
    if any(path == route or path.startswith(route + "/") for route in RESERVED_PATHS):
        return f"{path!r} is the gateway's own route, not a model's"
    return None
