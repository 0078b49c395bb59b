"""Identifiers shaped like the vendor's."""

from __future__ import annotations

import secrets
import string
import time
import uuid

_PREDICTION_ALPHABET = string.ascii_lowercase + string.digits


def nucleus_request_id(model: str = "nucleus-image") -> str:
    """e.g. nucleus-image_019e1c2a-...: the vendor's ids are time-ordered UUIDv7s, after the
    model's name (a model file's queued model gets its own)."""
    return f"{model}_{_uuid7()}"


def prediction_id() -> str:
    """The sd35 `id`: 26 lowercase letters and digits, like j8qc0mvk8drmy0cxe4wvcy8ajw."""
    return "".join(secrets.choice(_PREDICTION_ALPHABET) for _ in range(26))


def _uuid7() -> str:
    # Python 3.11 has no uuid7(); layout per RFC 9562: 48-bit ms time, version, variant, random.
    millis = int(time.time() * 1000) & ((1 << 48) - 1)
    rand_a = secrets.randbits(12)
    rand_b = secrets.randbits(62)
    value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=value))
