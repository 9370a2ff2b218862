"""What a file gives away if it is shared as is (``unseen inspect``): one entry point for any file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UnseenError, first_line
from ..media import is_video
from .findings import Findings, MostInOneFrame, face_counts, found_entry

__all__ = ["Findings", "inspect_file"]

SAMPLES = 8  # an animation's frames searched, spread over it (a video's: ``video._sample_faces``)


def inspect_file(path: Path, detector: Any = None, max_pixels: int | None = None) -> Findings:
    """Inspect one image or video; raise UnseenError with a one-line cause on unreadable files.

    ``detector`` (optional, anything with ``detect(rgb) -> Regions``) counts faces in the picture
    and in embedded previews, and lists the plates and text it finds in the picture (boxes only).
    ``max_pixels``: the largest picture (all frames) or video frame decoded for that (None: the run's
    defaults, ``DEFAULT_MAX_PIXELS`` and ``VIDEO_MAX_PIXELS``).
    """
    if not path.is_file():
        raise UnseenError("no such file" if not path.exists() else "not a regular file")
    if is_video(path):
        from .video import inspect_video

        try:
            return inspect_video(path, detector, max_pixels)
        except UnseenError:
            raise
        except Exception as exc:  # noqa: BLE001 - any demuxer oddity: one line, no traceback
            raise UnseenError(f"cannot read video: {first_line(exc)}") from None
    from ..detect.shown import detect_shown  # what anonymising searches: smoothed copies, a 360 photo's poles
    from ..media import image as image_io
    from ..media.image_open import open_image
    from .image import inspect_image

    def count(im) -> int:
        return len(detector.detect(np.asarray(im.convert("RGB"))).of_kind("face")) if detector else 0

    try:
        found = inspect_image(path, count if detector else None)
    except Exception as exc:  # noqa: BLE001 - any parser failure: one line, no traceback
        raise UnseenError(image_io.not_read(path) or f"cannot read image: {image_io.why_unreadable(exc)}") from None
    if detector is not None:
        try:
            with image_io.read(path, max_pixels or image_io.DEFAULT_MAX_PIXELS, lazy=True) as img:
                if len(img.durations) > 1:  # an animation: its faces may come in any frame
                    found.frames = len(img.durations)
                    most = MostInOneFrame(detector)
                    for k in range(0, found.frames, -(-found.frames // SAMPLES)):
                        most.add(detect_shown(detector, img.frames[k], img.alpha[k], span=img.sphere))
                    most.into(found)
                    return found
                regions = detect_shown(detector, img.frames[0], img.alpha[0], span=img.sphere)
        except UnseenError as exc:
            if not isinstance(exc, image_io.NearBlack) and not any(b.startswith("clean-aperture crop")
                                                                   for b in found.blocks):
                raise
            with open_image(path) as im:  # anonymising refuses it; here the whole picture is what to count
                regions = detector.detect(np.asarray(im.convert("RGB")))
        found.faces, found.faces_confident = face_counts(regions)
        for kind in ("plate", "text"):
            if kind in getattr(detector, "kinds", ()) or len(regions.of_kind(kind)):
                found.found[kind] = found_entry(regions, kind)
    return found
