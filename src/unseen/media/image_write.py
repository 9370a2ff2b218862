"""Writing photos: a brand-new file encoded from the pixel array alone.

The source container is never copied. Explicit save options add no metadata (no EXIF, XMP, IPTC,
ICC, comments, thumbnails, text chunks), and ``image_check.leaks`` then re-reads the bytes against
an allow-list of what these calls emit.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ..errors import UnseenError
from .image import DecodedImage


def encode(img: DecodedImage, frames: list[np.ndarray], fmt: str | None = None) -> bytes:
    """Encode masked frames into a new file, in memory. Only pixels (and alpha, frame timing) go in."""
    fmt = fmt or img.output_format
    pil = []
    for rgb, alpha in zip(frames, img.alpha, strict=True):
        p = Image.fromarray(rgb, "RGB")
        if alpha is not None and fmt in ("PNG", "WEBP", "TIFF", "GIF"):
            p.putalpha(Image.fromarray(alpha, "L"))
        pil.append(p)
    buf = io.BytesIO()
    first, rest = pil[0], pil[1:]
    if fmt == "JPEG":
        # Pillow writes a bare JFIF APP0 segment and nothing else when given no exif/icc/comment.
        first.save(buf, "JPEG", quality=95, subsampling=0, optimize=True)
    elif fmt == "PNG":
        if rest:
            first.save(buf, "PNG", save_all=True, append_images=rest, duration=img.durations,
                       loop=img.loop or 0, compress_level=6)
        else:
            first.save(buf, "PNG", compress_level=6)
    elif fmt == "WEBP":
        opts = {"lossless": True} if img.lossless else {"quality": 95, "method": 4}
        if rest:
            first.save(buf, "WEBP", save_all=True, append_images=rest, duration=img.durations,
                       loop=img.loop or 0, **opts)
        else:
            first.save(buf, "WEBP", **opts)
    elif fmt == "GIF":
        if rest:
            first.save(buf, "GIF", save_all=True, append_images=rest, duration=img.durations,
                       loop=img.loop or 0, optimize=False)
        else:
            first.save(buf, "GIF")
    elif fmt == "TIFF":
        first.save(buf, "TIFF", compression="tiff_deflate")
    elif fmt == "BMP":
        first.save(buf, "BMP")
    else:  # pragma: no cover - OUTPUT_FORMAT only yields the formats above
        raise UnseenError(f"cannot write {fmt}")
    return buf.getvalue()
