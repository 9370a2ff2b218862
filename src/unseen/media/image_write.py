"""Writing photos: a brand-new file encoded from the pixel array alone.

The source container is never copied. Explicit save options add no metadata (no EXIF, XMP, IPTC,
ICC, comments, thumbnails, text chunks), and ``image_check.leaks`` then re-reads the bytes against
an allow-list of what these calls emit.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import overload

import numpy as np
from PIL import Image

from ..errors import UnseenError
from .image import DecodedImage


def encode(img: DecodedImage, frames: list[np.ndarray], fmt: str | None = None) -> bytes:
    """Encode masked frames into a new file, in memory. Only pixels (and alpha, frame timing) go in."""
    fmt = fmt or img.output_format
    if len(frames) != len(img.alpha):
        raise ValueError(f"{len(frames)} frames but {len(img.alpha)} alpha planes")
    pil = _Frames(frames, img.alpha if fmt in ("PNG", "WEBP", "TIFF", "GIF") else [None] * len(frames))
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


class _Frames(Sequence[Image.Image]):
    """An animation's frames as Pillow images made when the writer reaches each one.

    Why: a Pillow image of an RGB frame takes 4 bytes a pixel, and the GIF and APNG writers keep their
    own copy of every frame (a palette or a converted image) until the file is written, so a list of
    Pillow images held every frame twice over (a 34-frame GIF of 2.9 MP frames peaked ~220 MiB
    lower without it: docs/BENCHMARKS.md, "Animations"). The APNG writer walks the frames twice
    (modes, then pixels); each walk makes them afresh. The WebP writer makes its own list, as before."""

    def __init__(self, rgb: list[np.ndarray], alpha: list[np.ndarray | None]):
        self.rgb, self.alpha = rgb, alpha

    def __len__(self) -> int:
        return len(self.rgb)

    @overload
    def __getitem__(self, i: int) -> Image.Image: ...
    @overload
    def __getitem__(self, i: slice) -> _Frames: ...
    def __getitem__(self, i: int | slice) -> Image.Image | _Frames:
        if isinstance(i, slice):
            return _Frames(self.rgb[i], self.alpha[i])
        p = Image.fromarray(self.rgb[i], "RGB")
        if self.alpha[i] is not None:
            p.putalpha(Image.fromarray(self.alpha[i], "L"))
        return p
