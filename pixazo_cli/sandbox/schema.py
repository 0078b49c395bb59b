"""What the Pixazo gateway accepts, endpoint by endpoint, written as data.

Transcribed from the vendor pages (the seeds), deliberately NOT from the client's own tables:
if the two drift apart, the sandbox rejects what the real gateway would reject.
Ranges the vendor leaves open are left open here (only a sane lower bound), rather than
invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SchemaField:
    """One accepted body field. `type` is string | integer | number | boolean | aspect."""

    type: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    non_empty: bool = False


# The body fields the placeholder drawing reads, by the role they play; a model file's endpoint
# names its own (sandbox/model_files.py).
ROLE_FIELDS = {"prompt": "prompt", "width": "width", "height": "height",
               "aspect_ratio": "aspect_ratio", "format": "output_format",
               "quality": "output_quality", "num_images": "num_images", "seed": "seed"}


@dataclass(frozen=True)
class Endpoint:
    model: str  # the CLI's model name; shown in captions and stats
    kind: str  # "queued" (202 + polling) or "sync" (200 with the URL)
    reply: str  # body shape of a success: nucleus | sd35 | sd3 | image_url | file
    cdn_dir: str  # first CDN path segment, mirroring the vendor's bucket layout
    sizing: str  # "aspect" (aspect_ratio, long side 1024) or "pixels" (width/height)
    default_format: str
    fields: dict[str, SchemaField]
    roles: dict[str, str] = field(default_factory=lambda: dict(ROLE_FIELDS))
    # reply "file": where a model file says its reply keeps the URL(s), the id and the status.
    paths: dict[str, str] = field(default_factory=dict)

    def field_for(self, role: str) -> str:
        """The body field that plays `role` (the width, the format…) at this endpoint."""
        return self.roles.get(role, "")


PROMPT = SchemaField("string", required=True, non_empty=True)
TEXT = SchemaField("string")
ASPECT = SchemaField("aspect")
QUALITY = SchemaField("integer", min=0, max=100)
STRENGTH = SchemaField("number", min=0, max=1)
SEED = SchemaField("integer")
ANY_FORMAT = ("webp", "jpg", "png", "jpeg")

NUCLEUS = {
    "prompt": PROMPT,
    "negative_prompt": TEXT,
    "aspect_ratio": ASPECT,
    "num_inference_steps": SchemaField("integer", min=1),
    "guidance_scale": SchemaField("number", min=0),
    "num_images": SchemaField("integer", min=1),  # the vendor documents no maximum
    "enable_safety_checker": SchemaField("boolean"),
    "output_format": SchemaField("string", choices=("png", "jpg")),
}

# The vendor's table marks all seven fields as required.
SD35 = {
    "prompt": PROMPT,
    "aspect_ratio": SchemaField("aspect", required=True),
    "cfg": SchemaField("number", required=True, min=0),
    "steps": SchemaField("integer", required=True, min=20, max=100),
    "output_format": SchemaField("string", required=True, choices=ANY_FORMAT),
    "output_quality": SchemaField("integer", required=True, min=0, max=100),
    "prompt_strength": SchemaField("number", required=True, min=0, max=1),
}

SD3 = {
    "prompt": PROMPT,
    "negativePrompt": TEXT,
    "steps": SchemaField("integer", min=1, max=28),
    "cfg": SchemaField("number", min=0, max=20),
    "aspect_ratio": ASPECT,
    "output_format": SchemaField("string", choices=ANY_FORMAT),
    "output_quality": QUALITY,
    "prompt_strength": STRENGTH,
}

SDXL = {
    "prompt": PROMPT,
    "negative_prompt": TEXT,
    "height": SchemaField("integer", min=512, max=1536),
    "width": SchemaField("integer", min=512, max=1536),
    "num_steps": SchemaField("integer", min=1, max=20),
    "guidance_scale": SchemaField("integer", min=1, max=15),
    "seed": SEED,
}

LIGHTNING = {
    "prompt": PROMPT,
    "negativePrompt": TEXT,
    "height": SchemaField("integer", min=256, max=2048),
    "width": SchemaField("integer", min=256, max=2048),
    "num_steps": SchemaField("integer", min=1),
    "guidance": SchemaField("integer", min=0),
    "seed": SEED,
}

# The inpainting table says negativePrompt but the vendor's own example sends negative_prompt;
# a faithful stand-in must accept whatever the vendor's examples send, so both are allowed.
INPAINT = {
    **LIGHTNING,
    "negative_prompt": TEXT,
    "imageUrl": TEXT,
    "maskUrl": TEXT,
}


def _sync(
    model: str, reply: str, cdn_dir: str, sizing: str, fmt: str, fields: dict[str, SchemaField]
) -> Endpoint:
    return Endpoint(model, "sync", reply, cdn_dir, sizing, fmt, fields)


ENDPOINTS: dict[str, Endpoint] = {
    "/nucleus-image/v1/nucleus-image-request": Endpoint(
        "nucleus", "queued", "nucleus", "v1", "aspect", "png", NUCLEUS
    ),
    "/sd3-5/v1/r-sd-3-5-large": _sync("sd35", "sd35", "sd-3-5-large", "aspect", "webp", SD35),
    "/sd3/v1/getData": _sync("sd3", "sd3", "sd3", "aspect", "webp", SD3),
    "/getImage/v1/getSDXLImage": _sync("sdxl", "image_url", "sdxl", "pixels", "png", SDXL),
    "/sdxl_lightning/getImage/v1/getSDXLImage": _sync(
        "lightning", "image_url", "sdxl_lightning", "pixels", "png", LIGHTNING
    ),
    "/sdxl_lightning/getImage/v1/getSDXLImageStream": _sync(
        "lightning", "image_url", "sdxl_lightning", "pixels", "png", LIGHTNING
    ),
    "/inpainting/v1/getImage": _sync(
        "inpaint", "image_url", "inpainting", "pixels", "png", INPAINT
    ),
    "/inpainting/v1/getImageStream": _sync(
        "inpaint", "image_url", "inpainting", "pixels", "png", INPAINT
    ),
}
