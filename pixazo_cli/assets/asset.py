"""What derivation produces, as data: each file's facts, what the generation was, and one asset
(the original that was paid for, and what was derived from it), with its manifest JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ImageFile:
    path: Path
    width: int
    height: int
    format: str  # webp, avif, png or jpg
    bytes: int
    sha256: str

    def as_json(self, folder: Path) -> dict[str, Any]:
        return {"path": relative(self.path, folder), "width": self.width,
                "height": self.height, "format": self.format, "bytes": self.bytes,
                "sha256": self.sha256}

    @classmethod
    def from_json(cls, data: dict[str, Any], folder: Path) -> ImageFile:
        return cls(folder / data["path"], data["width"], data["height"], data["format"],
                   data["bytes"], data["sha256"])


@dataclass(frozen=True)
class Derived(ImageFile):
    """A file made from an original: a --size picture or a --widths variant, in one format."""


@dataclass(frozen=True)
class Generation:
    """What the original's embedded record says made it (all None when it carries none)."""

    request_id: str | None = None
    seed: int | None = None
    model: str | None = None
    prompt: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> Generation:
        from pixazo_cli.models.table import MODELS

        if not record:
            return cls()
        model = MODELS.get(str(record.get("model")))
        body = record.get("body") if isinstance(record.get("body"), dict) else {}
        seed = model.body_value(body, "seed") if model else None
        prompt = body.get(model.prompt_field) if model else None
        request_id = record.get("request_id")
        return cls(request_id if isinstance(request_id, str) else None,
                   seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
                   model.name if model else None, prompt if isinstance(prompt, str) else None)


@dataclass(frozen=True)
class Asset:
    original: ImageFile
    generation: Generation
    derived: tuple[Derived, ...] = ()
    placeholder: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # AssetOptions.as_json()
    made_with: str = ""  # the encoder libraries' versions: bytes are equal only under equal ones
    notes: tuple[str, ...] = field(default=(), compare=False)  # for stderr, not the manifest

    @property
    def alt(self) -> str:
        return self.generation.prompt or ""

    def as_json(self, folder: Path) -> dict[str, Any]:
        """The manifest entry: what was paid for (`original`, `generation`) apart from what
        was derived from it locally (`derived`)."""
        generation = {"request_id": self.generation.request_id, "seed": self.generation.seed,
                      "model": self.generation.model}
        return {
            "original": self.original.as_json(folder),
            "generation": generation,
            "alt": self.alt,
            "derived": {"options": self.options, "made_with": self.made_with,
                        "files": [d.as_json(folder) for d in self.derived],
                        "placeholder": self.placeholder},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], folder: Path) -> Asset:
        made = data["derived"]
        gen = data["generation"]
        generation = Generation(gen.get("request_id"), gen.get("seed"), gen.get("model"),
                                data.get("alt") or None)
        return cls(ImageFile.from_json(data["original"], folder), generation,
                   tuple(Derived(**vars(ImageFile.from_json(f, folder))) for f in made["files"]),
                   dict(made["placeholder"]), dict(made["options"]), made["made_with"])


def relative(path: Path, folder: Path) -> str:
    """A file's path from the manifest's folder, with forward slashes."""
    import os

    return Path(os.path.relpath(path, folder)).as_posix()
