"""The model table as it was written in code before the models became files (commit 3d7b536),
kept verbatim as the reference the built-in model files are compared with, field by field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Flag:
    """One flag of the shared vocabulary, the same for every model that takes it."""

    name: str  # python name; the CLI spelling is --name-with-dashes
    help: str
    metavar: str = ""
    off_switch: str = ""  # booleans: the --no-… spelling


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
    by_flag: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_flag", {f.flag: f for f in self.fields})

    def path_for(self, stream: bool) -> str:
        return self.stream_path if stream else self.path

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


FLAGS: dict[str, Flag] = {
    f.name: f
    for f in (
        Flag("negative_prompt", "What the image should avoid.", "TEXT"),
        Flag("aspect_ratio", "Aspect ratio as W:H, e.g. 16:9.", "W:H"),
        Flag("width", "Width in pixels.", "PX"),
        Flag("height", "Height in pixels.", "PX"),
        Flag("steps", "Denoising steps.", "N"),
        Flag("guidance", "How closely to follow the prompt (guidance / cfg).", "X"),
        Flag("seed", "Random seed, for reproducible images.", "N"),
        Flag("format", "Output image format.", "FMT"),
        Flag("quality", "Compression quality, 0-100 (no effect on PNG).", "Q"),
        Flag("prompt_strength", "How far the result may stray, 0-1.", "X"),
        Flag("num_images", "Images to make in one request.", "N"),
        Flag("safety_checker", "Run the safety filter (default: on).", "",
             off_switch="--no-safety-checker"),
        Flag("image_url", "URL of the image to change.", "URL"),
        Flag("mask_url", "URL of the mask: white where the image changes.", "URL"),
        Flag("webhook_url", "https URL the gateway calls when the job ends.", "URL"),
        Flag("webhook_mode", "terminal: one call at the end; sync: one per poll too.", "MODE"),
    )
}

_SD_FORMATS = ("webp", "jpg", "png", "jpeg")

# The inpainting page sends `negative_prompt` in its example but lists `negativePrompt` in both
# of its parameter tables and in its Stream example; the tables are the normative part, and
# the sibling lightning model uses the same spelling, so the tool sends `negativePrompt`.
_INPAINT_NEGATIVE = "negativePrompt"

MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model(
            name="nucleus",
            title="Nucleus Image (queued)",
            path="/nucleus-image/v1/nucleus-image-request",
            queued=True,
            id_at="request_id",
            fields=(
                Field("negative_prompt", "negative_prompt"),
                Field("aspect_ratio", "aspect_ratio", check="ratio"),
                Field("steps", "num_inference_steps", int, low=1),
                Field("guidance", "guidance_scale", float, low=0),
                Field("num_images", "num_images", int, low=1),  # the vendor documents no maximum
                Field("safety_checker", "enable_safety_checker", bool),
                Field("format", "output_format", choices=("png", "jpg")),
                Field("webhook_url", "X-Webhook-URL", check="webhook", header=True),
                Field("webhook_mode", "X-Webhook-Mode", choices=("terminal", "sync"), header=True),
            ),
            example='pixazo nucleus "a weathered lighthouse at golden hour" --aspect-ratio 16:9',
        ),
        Model(
            name="sd35",
            title="Stable Diffusion 3.5 Large",
            path="/sd3-5/v1/r-sd-3-5-large",
            queued=False,
            urls_at="output",
            default_format="webp",
            # The gateway marks all seven sd35 fields required: fill the documented examples.
            fields=(
                Field("aspect_ratio", "aspect_ratio", check="ratio", default="1:1"),
                Field("guidance", "cfg", float, low=0, default=4.5),
                Field("steps", "steps", int, low=20, high=100, default=40),
                Field("format", "output_format", choices=_SD_FORMATS, default="webp"),
                Field("quality", "output_quality", int, low=0, high=100, default=90),
                Field("prompt_strength", "prompt_strength", float, low=0, high=1, default=0.85),
            ),
            example='pixazo sd35 "boho fashion portrait on microfloral grass" --format png',
            price_per_image=0.20,  # "Your request will cost $0.20 per image."
        ),
        Model(
            name="sd3",
            title="Stable Diffusion 3",
            path="/sd3/v1/getData",
            queued=False,
            urls_at="output",
            default_format="webp",
            fields=(
                Field("negative_prompt", "negativePrompt"),
                Field("steps", "steps", int, low=1, high=28),
                Field("guidance", "cfg", float, low=0, high=20),
                Field("aspect_ratio", "aspect_ratio", check="ratio"),
                Field("format", "output_format", choices=_SD_FORMATS),
                Field("quality", "output_quality", int, low=0, high=100),
                Field("prompt_strength", "prompt_strength", float, low=0, high=1),
            ),
            example='pixazo sd3 "a neon-lit city race" --aspect-ratio 3:2 --format jpg',
            price_per_image=0.20,
        ),
        Model(
            name="sdxl",
            title="Stable Diffusion XL 1.0",
            path="/getImage/v1/getSDXLImage",
            queued=False,
            urls_at="imageUrl",
            fields=(
                Field("negative_prompt", "negative_prompt"),
                Field("width", "width", int, low=512, high=1536),
                Field("height", "height", int, low=512, high=1536),
                Field("steps", "num_steps", int, low=1, high=20),
                Field("guidance", "guidance_scale", int, low=1, high=15),
                Field("seed", "seed", int),
            ),
            example=('pixazo sdxl "a sparrow on a cherry branch" --width 1280 --height 720 '
                     "--seed 40"),
        ),
        Model(
            name="lightning",
            title="Stable Diffusion XL Lightning",
            path="/sdxl_lightning/getImage/v1/getSDXLImage",
            stream_path="/sdxl_lightning/getImage/v1/getSDXLImageStream",
            queued=False,
            urls_at="imageUrl",
            # No documented ranges: the bounds below are sanity checks, matching the sandbox.
            fields=(
                Field("negative_prompt", "negativePrompt"),
                Field("width", "width", int, low=256, high=2048),
                Field("height", "height", int, low=256, high=2048),
                Field("steps", "num_steps", int, low=1),
                Field("guidance", "guidance", int, low=0),
                Field("seed", "seed", int),
            ),
            example='pixazo lightning "a sparrow, quick sketch" --steps 4 --stream',
        ),
        Model(
            name="inpaint",
            title="Stable Diffusion 1.5 Inpainting",
            path="/inpainting/v1/getImage",
            stream_path="/inpainting/v1/getImageStream",
            queued=False,
            urls_at="imageUrl",
            fields=(
                Field("negative_prompt", _INPAINT_NEGATIVE),
                Field("image_url", "imageUrl", check="url"),
                Field("mask_url", "maskUrl", check="url"),
                Field("width", "width", int, low=256, high=2048),
                Field("height", "height", int, low=256, high=2048),
                Field("steps", "num_steps", int, low=1),
                Field("guidance", "guidance", int, low=0),
                Field("seed", "seed", int),
            ),
            example=(
                'pixazo inpaint "change to a lion" --image-url https://example.com/dog.png '
                "--mask-url https://example.com/dog-mask.png"
            ),
        ),
    )
}
