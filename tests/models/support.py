"""Two user model files, written as a user would from a vendor page: one sync (its URLs in a
nested list, its own flags), one queued (its id nested, a required field with a default), and
where a test's model files live."""

from __future__ import annotations

import os
from pathlib import Path

SYNC = '''
# A sync model of one's own: not one pixazo ships.
name = "pixel"
title = "Pixel Art XL (sync)"
endpoint = "/pixel-art/v1/generate"
mode = "sync"
price_per_image = 0.05
default_format = "png"
example = 'pixazo pixel "a red fox" --style retro --steps 12'

[reply]
urls = "data.images"
id = "data.id"
status = "data.status"

[[field]]
flag = "steps"
body = "num_inference_steps"
type = "integer"
min = 1
max = 50

[[field]]
flag = "guidance"
body = "guidance_scale"
type = "number"
min = 0
max = 20

[[field]]
flag = "width"
body = "image_width"
min = 256
max = 2048

[[field]]
flag = "height"
body = "image_height"
min = 256
max = 2048

[[field]]
flag = "seed"
body = "random_seed"

[[field]]
flag = "num_images"
body = "count"
min = 1
max = 4

[[field]]
flag = "format"
body = "output_format"
choices = ["png", "webp"]

[[field]]
flag = "style"
body = "style_preset"
type = "string"
choices = ["retro", "modern", "none"]
help = "The pixel-art style."
metavar = "STYLE"

[[field]]
flag = "dither"
body = "dither"
type = "boolean"
help = "Dither the result."
'''

QUEUED = '''
name = "qwen"
title = "Qwen Image (queued)"
endpoint = "/qwen-image/v1/qwen-image-request"
mode = "queued"
price_per_image = 0.02
default_format = "jpg"
example = 'pixazo qwen "a lighthouse" --aspect-ratio 16:9'

[reply]
id = "job.request_id"

[[field]]
flag = "aspect_ratio"
body = "aspect_ratio"

[[field]]
flag = "steps"
body = "steps"
min = 1
max = 60

[[field]]
flag = "format"
body = "format"
choices = ["jpg", "png"]

[[field]]
flag = "num_images"
body = "num_images"
min = 1

[[field]]
flag = "acceleration"
body = "acceleration"
type = "string"
choices = ["none", "regular", "high"]
required = true
default = "regular"
help = "Faster, at some cost in detail."

[[field]]
flag = "lora_scale"
body = "lora_scale"
type = "number"
min = 0
max = 2
help = "How strongly the LoRA applies."
'''


def config_models_dir() -> Path:
    """The config folder's models/ for this test (under the isolated XDG_CONFIG_HOME)."""
    return Path(os.environ["XDG_CONFIG_HOME"]) / "pixazo" / "models"


def install(text: str, name: str, folder: Path | None = None) -> Path:
    folder = folder or config_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path
