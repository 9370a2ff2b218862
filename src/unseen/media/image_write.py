"""Writing photos: a brand-new file encoded from the pixel array alone.

The source container is never copied. Explicit save options add no metadata (no EXIF, XMP, IPTC,
ICC, comments, thumbnails, text chunks), and ``image_check.leaks`` then re-reads the bytes against
an allow-list of what these calls emit.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

import numpy as np
from PIL import Image

from .. import raster
from ..errors import UnseenError
from . import apng
from .image import DecodedImage


def encode(img: DecodedImage, frames: Iterable[np.ndarray], fmt: str | None = None) -> bytes:
    """Encode masked frames into a new file, in memory. Only pixels (and alpha, frame timing) go in."""
    return encode_planes(img, zip(frames, img.alpha, strict=True), fmt)


def encode_planes(img: DecodedImage, planes: Iterable[tuple[np.ndarray, np.ndarray | None]],
                  fmt: str | None = None) -> bytes:
    """``encode`` with each frame's (RGB, alpha) given together. ``planes`` is taken one frame at a
    time, as the writer reaches each: an animation is never held whole here, in the writers or in
    what they are given (``_Pulled``, ``apng``), so its frames may come from a generator that covers
    them as it goes (``engine.image.anonymize_image_file``). Peak memory: a few frames, whatever the
    length, but for Pillow's GIF writer's palette copy of every frame (a byte a pixel). ``ValueError``
    when ``planes`` holds other than ``len(img.alpha)`` frames."""
    fmt = fmt or img.output_format
    n = len(img.alpha)
    keep_alpha = fmt in ("PNG", "WEBP", "TIFF", "GIF")
    taken = [0]
    planes = _all_cleared(planes, keep_alpha)

    def images() -> Iterator[Image.Image]:
        for rgb, a in planes:
            taken[0] += 1
            yield _pil(rgb, a)
            del rgb, a  # let go before the next frame is made (``engine.image._Seen.each``)

    # How many times the animation plays (0: forever); an input that plays once (a GIF without a loop
    # block: ``loop`` None) plays once, where a writer's default would loop it forever.
    plays = 1 if img.loop is None else img.loop
    if fmt == "PNG" and n > 1:
        return apng.write(planes, img.durations, plays, compress_level=6)
    pil = images()
    first = next(pil)
    buf = io.BytesIO()
    rest = _Pulled(pil, n - 1) if n > 1 and fmt in ("WEBP", "GIF") else None
    if fmt == "JPEG":
        # Pillow writes a bare JFIF APP0 segment and nothing else when given no exif/icc/comment.
        first.save(buf, "JPEG", quality=95, subsampling=0, optimize=True)
    elif fmt == "PNG":
        first.save(buf, "PNG", compress_level=6)
    elif fmt == "WEBP":
        opts = {"lossless": True} if img.lossless else {"quality": 95, "method": 4}
        if rest is not None:
            first.save(buf, "WEBP", save_all=True, append_images=[rest], duration=img.durations,
                       loop=plays, **opts)
        else:
            first.save(buf, "WEBP", **opts)
    elif fmt == "GIF":
        if rest is not None:
            once = {} if img.loop is None else {"loop": img.loop}  # no loop block: plays once
            try:
                first.save(buf, "GIF", save_all=True, append_images=[rest], duration=img.durations,
                           optimize=False, **once)
            except OverflowError:  # Pillow folds frames alike into one and adds their times
                raise UnseenError("frames alike once covered would show for over 655 s in a row, longer than "
                                  "a GIF frame can; convert the animation to a video first") from None
        else:
            first.save(buf, "GIF")
    elif fmt == "TIFF":
        first.save(buf, "TIFF", compression="tiff_deflate")
    elif fmt == "BMP":
        first.save(buf, "BMP")
    else:  # pragma: no cover - OUTPUT_FORMAT only yields the formats above
        raise UnseenError(f"cannot write {fmt}")
    if rest is not None and (taken[0] != n or next(pil, None) is not None):
        raise ValueError(f"the writer took {taken[0]} frames, not {n}")
    return buf.getvalue()


def _all_cleared(planes: Iterable[tuple[np.ndarray, np.ndarray | None]], keep_alpha: bool,
                 ) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """``_cleared`` on each frame, holding none while the next is made (a generator expression keeps
    its last item bound while it fetches the next: one more 8K frame at the peak)."""
    for rgb, a in planes:
        frame = _cleared(rgb, a, keep_alpha)
        del rgb, a
        yield frame
        del frame


def _cleared(rgb: np.ndarray, alpha: np.ndarray | None, keep_alpha: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The frame with no more of its colour than a viewer shows (``raster.shown_colour``); written
    without alpha (JPEG, BMP), as it shows over black. No viewer shows the colour under alpha 0, and
    only a shade of it under alpha 1, but PNG, APNG and TIFF kept it losslessly: a picture "erased" to
    transparency in an editor, or a cut-out, came out with the erased scene (a name, a sign, the
    place) one dropped alpha channel away; written without alpha, it came back into view at full
    strength. Only pixels go out."""
    if alpha is None or alpha.min(initial=255) == 255:
        return rgb, (alpha if keep_alpha else None)
    if keep_alpha:
        return raster.shown_colour(rgb, alpha), alpha
    return raster.over(rgb, alpha), None


def _pil(rgb: np.ndarray, alpha: np.ndarray | None) -> Image.Image:
    p = Image.fromarray(rgb, "RGB")
    if alpha is not None:
        p.putalpha(Image.fromarray(alpha, "L"))
    return p


class _Pulled(Image.Image):
    """The frames after an animation's first as one multi-frame Pillow image whose frames are made
    when the writer seeks to them, in order, and let go when it seeks on.

    Why: Pillow's WebP writer makes a list of the images it is given and its GIF writer walks each
    one's frames; handed a list of frames, or a generator (which the WebP writer lists), they held
    every frame at once (4 bytes a pixel). Both take one multi-frame image frame by frame (``seek``),
    which is what this is. Each frame is an ordinary Pillow image whose attributes this one takes
    over (``__dict__``), so nothing here depends on how Pillow names them. Seeking back is a no-op:
    the WebP writer seeks to where it began once it is done."""

    def __init__(self, images: Iterator[Image.Image], n: int):
        super().__init__()
        self._images, self._n, self._at = images, n, -1
        self._take()

    @property
    def n_frames(self) -> int:
        return self._n

    @property
    def is_animated(self) -> bool:
        return self._n > 1

    def _take(self) -> None:
        own = {k: self.__dict__[k] for k in ("_images", "_n", "_at")}
        if self._at >= 0:  # the writer has this frame's pixels by now: let go before the next is covered
            self.__dict__.update(Image.new("L", (1, 1)).__dict__)
            self.__dict__.update(own)
        try:
            frame = next(self._images)
        except StopIteration:
            raise ValueError(f"the animation ended after {self._at + 1} of {self._n} frames") from None
        self.__dict__.update(frame.__dict__)
        self.__dict__.update(own)
        self._at += 1

    def seek(self, frame: int) -> None:
        if frame >= self._n:
            raise EOFError("no more frames")
        while self._at < frame:
            self._take()

    def tell(self) -> int:
        return self._at
