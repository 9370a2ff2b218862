"""One photo through the whole flow: read -> detect -> pad -> mask -> self-check -> encode -> check.

Kept separate from file handling (``files.py``) so the review page and the verify adversary can run
exactly the same steps on pixels they already hold.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from . import mask
from .detect import Detector
from .errors import UnseenError
from .media import image as image_io
from .metadata import image_leaks
from .options import Options
from .regions import Frame, Regions


@dataclass
class MaskedImage:
    """Result of anonymising one decoded image (all frames)."""

    frames: list[Frame]  # masked pixels with the regions that were covered
    detected: int = 0  # faces found by the detector (max over frames for animations)
    self_check_extra: int = 0  # faces the re-detection still found, then covered
    manual: int = 0
    warnings: list[str] = field(default_factory=list)


def detect_frame(frame: Frame, detector: Detector) -> Regions:
    return detector.detect(frame.pixels)


def mask_frame(pixels: np.ndarray, regions: Regions, options: Options,
               rng: np.random.Generator | None = None) -> tuple[np.ndarray, Regions]:
    """Pad regions to the head, clip to the image and cover them. Returns pixels and padded regions."""
    h, w = pixels.shape[:2]
    padded = regions.padded(options.pad, w, h)
    return mask.apply(pixels, padded, options.mask_spec, rng), padded


def anonymize_pixels(pixels: np.ndarray, detector: Detector, options: Options,
                     extra: Regions | None = None, detected: Regions | None = None) -> tuple[np.ndarray, dict]:
    """Mask one RGB frame. ``detected`` skips detection (review page: the reviewer's final boxes)."""
    h, w = pixels.shape[:2]
    found = detector.detect(pixels) if detected is None else detected
    regions = found + (extra if extra is not None else Regions.empty())
    out, covered = mask_frame(pixels, regions, options)
    extra_found = 0
    if options.self_check:
        # Detect again on the result: anything still face-like gets covered too. One round only:
        # the fill itself must not be mistaken for a new face forever.
        again = detector.check(out)
        if len(again):
            inside = _mostly_inside(again, covered)
            again = again[~inside]
        if len(again):
            extra_found = len(again)
            out, more = mask_frame(out, again, options)
            covered = covered + more
    return out, {"faces": int((regions.kinds == "face").sum()), "manual": int((regions.kinds != "face").sum()),
                 "self_check_extra": extra_found, "regions": covered}


def _mostly_inside(regions: Regions, covered: Regions) -> np.ndarray:
    """True for each region whose box lies >= 60% inside an already covered region."""
    if len(covered) == 0:
        return np.zeros(len(regions), bool)
    a, b = regions.boxes, covered.boxes
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return (inter / np.maximum(regions.areas[:, None], 1e-6)).max(1) >= 0.6


def anonymize_decoded(img: image_io.DecodedImage, detector: Detector, options: Options,
                      extra: Regions | None = None, detected: Regions | None = None) -> MaskedImage:
    result = MaskedImage(frames=[])
    for i, pixels in enumerate(img.frames):
        out, info = anonymize_pixels(pixels, detector, options, extra, detected)
        result.frames.append(Frame(out, info["regions"], index=i))
        result.detected = max(result.detected, info["faces"])
        result.manual = max(result.manual, info["manual"])
        result.self_check_extra += info["self_check_extra"]
    return result


def encode_checked(img: image_io.DecodedImage, masked: MaskedImage) -> bytes:
    """Encode, then re-read the bytes: any metadata beyond the minimum, or bad pixels, fails the file."""
    fmt = img.output_format
    data = image_io.encode(img, [f.pixels for f in masked.frames], fmt)
    leaks = image_leaks(data, fmt)
    if leaks:
        raise UnseenError("output still carries metadata (" + "; ".join(leaks) + "); nothing written")
    try:
        with Image.open(io.BytesIO(data)) as back:
            back.load()
            size = back.size
            n = getattr(back, "n_frames", 1)
    except Exception as exc:
        raise UnseenError(f"output does not decode ({exc}); nothing written") from None
    h, w = masked.frames[0].pixels.shape[:2]
    if size != (w, h) or n != len(masked.frames):
        raise UnseenError(f"output is {size} x{n}, expected {(w, h)} x{len(masked.frames)}; nothing written")
    return data
