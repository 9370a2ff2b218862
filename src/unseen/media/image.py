"""Still images and animations: read upright RGB pixels in, write brand-new clean files out.

Reading applies EXIF orientation and converts colour to sRGB *before* anything else, so the
pixels we mask are the pixels a viewer sees. Writing never copies the source container: a new file
is encoded from the pixel array alone, with explicit save options that add no metadata (no EXIF,
XMP, IPTC, ICC, comments, thumbnails, text chunks). ``metadata.leaks`` then re-reads the bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageSequence, UnidentifiedImageError

from ..errors import UnseenError, first_line
from . import IMAGE_SUFFIXES, RAW_SUFFIXES, UNREAD_SUFFIXES, VIDEO_NAMES, pixels_said
from .apng_read import load_frame
from .gpano import Span, from_xmp
from .image_check import gif_canvas
from .image_open import MAX_TEXT_CHUNK, READ_NAMES, not_read, open_image, refused_format
from .isobmff import clean_aperture

DEFAULT_MAX_PIXELS = 200_000_000

# Input format (Pillow's name) -> output format. Formats we cannot write cleanly become JPEG/PNG.
OUTPUT_FORMAT = {
    "JPEG": "JPEG",
    "MPO": "JPEG",  # multi-picture JPEG (phones): the extra pictures are dropped, frame 0 kept
    "PNG": "PNG",
    "WEBP": "WEBP",
    "TIFF": "TIFF",
    "BMP": "BMP",
    "GIF": "GIF",
    "HEIF": "JPEG",  # HEIC/HEIF becomes JPEG: the HEIF writer is not a clean-room encoder we trust
    "AVIF": "JPEG",
    "PPM": "PNG",
    "ICO": "PNG",
}
EXTENSION = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp", "GIF": ".gif"}
_RAW_MESSAGE = ("raw camera file ({}): unseen does not develop raw photos; export it as JPEG or TIFF "
                "first and run unseen on that")
_SRGB = ImageCms.createProfile("sRGB")


@dataclass
class DecodedImage:
    """Upright sRGB pixels of every frame, plus what writing needs to know (never metadata)."""

    frames: Sequence[np.ndarray]  # each (H, W, 3) uint8 RGB: a list, or ``_Animation.rgb`` (``read(lazy=True)``)
    alpha: Sequence[np.ndarray | None]  # (H, W) uint8 per frame, or None
    format: str  # Pillow's input format name
    durations: list[int] = field(default_factory=list)  # ms per frame, animations only
    loop: int | None = None
    lossless: bool = False  # WebP input was lossless
    notes: list[str] = field(default_factory=list)  # conversions a user should know about
    warnings: list[str] = field(default_factory=list)  # what the output leaves out: the command prints these
    source: _Animation | None = None  # where lazily read frames come from (``read(lazy=True)``)
    sphere: Span | None = None  # a 360 photo's rows on the sphere, as its GPano tags said (``media/gpano.py``)

    @property
    def output_format(self) -> str:
        return OUTPUT_FORMAT.get(self.format, "PNG")

    @property
    def animated(self) -> bool:
        return len(self.frames) > 1

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        h, w = self.frames[0].shape[:2]
        return w, h

    def each(self) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """Every frame's (RGB, alpha) in order, each decoded as it is reached when read lazily."""
        if self.source is None:
            yield from zip(self.frames, self.alpha, strict=True)
        else:
            yield from self.source.each()

    def close(self) -> None:
        """Let go of the file lazily read frames come from (nothing to do for frames in memory)."""
        if self.source is not None:
            self.source.close()

    def __enter__(self) -> DecodedImage:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def probe_size(path: Path) -> tuple[str, tuple[int, int], int]:
    """Format, size and frame count from headers only, so bombs are refused before decoding."""
    path = Path(path)
    if path.suffix.lower() in RAW_SUFFIXES:
        raise UnseenError(_RAW_MESSAGE.format(path.suffix.lstrip(".").upper()))
    if "video" in UNREAD_SUFFIXES.get(path.suffix.lower(), ""):  # by name, before Pillow: a DVR's .mjpeg opened
        raise UnseenError(not_read(path))  # as a JPEG of its first frame, one photo, exit 0 (a review, 2026-12-06)
    try:
        with open_image(path) as im:
            if im.format == "TIFF" and _tiff_raw(im):
                raise UnseenError(_RAW_MESSAGE.format("TIFF-based raw"))
            if im.format == "TIFF" and _tiff_preview_first(im):
                raise UnseenError(f"the first picture of this TIFF ({im.size[0]}x{im.size[1]}) is marked as a "
                                  "reduced-resolution copy of another (a camera raw such as NEF, ARW or PEF): "
                                  "unseen would publish that preview as the photo; export the full picture as JPEG "
                                  "or TIFF first")
            if im.format == "TIFF" and _tiff_planes_misread(im):
                raise UnseenError("TIFF with samples over 8 bits stored plane by plane (PlanarConfiguration 2), "
                                  "which Pillow reads wrong (a scrambled picture); save it again with its samples "
                                  "interleaved, or as PNG, first")
            if im.format in ("JPEG", "MPO") and _too_small_for_its_blocks(path, im.size):
                raise UnseenError(f"the file is truncated or corrupt: a {im.size[0]}x{im.size[1]} JPEG cannot fit "
                                  f"in {path.stat().st_size} bytes")
            if im.format == "AVIF":
                crop = clean_aperture(path)
                if crop is not None and crop not in (im.size, im.size[::-1]):
                    raise UnseenError(f"AVIF shows a crop ({crop[0]:g}x{crop[1]:g}) of a larger picture "
                                      f"({im.size[0]}x{im.size[1]}), which unseen cannot apply: the part cut "
                                      "away would be published; save it as PNG or JPEG from a viewer that "
                                      "shows the crop first")
            size = gif_canvas(path.read_bytes()) if im.format == "GIF" else im.size
            return im.format or "?", size, int(getattr(im, "n_frames", 1) or 1)
    except UnseenError:
        raise
    except UnidentifiedImageError:
        if (unread := not_read(path)) is not None:  # by name: a .jxl holding a JPEG is read
            raise UnseenError(unread) from None
        other = refused_format(path)
        if other is not None:
            raise UnseenError(f"{other} image: not a format unseen reads (it reads {READ_NAMES}); "
                              "convert it to PNG or JPEG first") from None
        if path.suffix.lower() not in IMAGE_SUFFIXES:  # a video container unseen does not read (.mpg, .wmv)
            raise UnseenError(f"not a photo or video unseen reads (photos: {READ_NAMES}; videos: {VIDEO_NAMES}, "
                              "by their extension); convert it first") from None
        raise UnseenError("not an image format unseen can read (unknown or corrupt file)") from None
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow plugins raise anything (TypeError, KeyError...)
        raise UnseenError(f"cannot read image header: {why_unreadable(exc)}") from None


# Colour pictures of 16 bits a channel (TIFF, PNG) are read as their top 8 bits: Pillow has no 16-bit RGB mode.
# A scanner's or raw converter's 12-bit data stored in 16 bits then came out as levels 0-15, written near-black
# and posterised, exit 0 (a hunt, 2026-12-06; grey 16-bit data is scaled by its depth, ``_top_level``). Such a
# picture whose levels (all but the brightest 2%: a hot pixel or a scanner's white edge does not count) stay
# under this one of 255 (data of 12 bits or fewer) is refused in one line; an all-black one is written. Not a
# dark photo's: at 64 a real photo exported at a quarter of its brightness was refused (a review, the same day).
SIXTEEN_BIT_DARK = 16


class NearBlack(UnseenError):
    """A 16-bit colour picture refused as it would be written (``SIXTEEN_BIT_DARK``): ``unseen inspect`` still
    lists what it carries and counts its faces on the picture as Pillow reads it."""


def _sixteen_bit_colour(im: Image.Image) -> bool:
    """Is this frame colour of 16 bits a sample (before loading: its tiles' raw modes; a TIFF: its tag)?"""
    if im.mode not in ("RGB", "RGBA"):
        return False
    for tile in getattr(im, "tile", None) or ():
        args = getattr(tile, "args", None)
        raw = args[0] if isinstance(args, tuple) and args else args
        if isinstance(raw, str) and ";16" in raw:
            return True
    bits = im.tag_v2.get(258) if hasattr(im, "tag_v2") else None  # a TIFF's BitsPerSample
    return isinstance(bits, tuple) and bool(bits) and min(bits) == 16


def _tiff_planes_misread(im: Image.Image) -> bool:
    """Several samples a pixel over 8 bits each, stored plane by plane and uncompressed: Pillow's own raw
    reader takes each 16-bit plane as 8-bit, and a run wrote a picture of the top half's rows side by side,
    interleaved, its faces searched there, exit 0 (a hunt, 2026-12-06): refused (fail closed). Compressed
    ones go through libtiff, which reads them right (a review, 2026-12-06: deflate, exact)."""
    try:
        bits = im.tag_v2.get(258, (1,))
        bits = bits if isinstance(bits, tuple) else (bits,)
        raw = any(getattr(t, "codec_name", t[0]) == "raw" for t in im.tile)
        return im.tag_v2.get(284, 1) == 2 and int(im.tag_v2.get(277, 1)) > 1 and max(bits) > 8 and raw
    except Exception:  # noqa: BLE001 - a tag of the wrong type: decoding decides
        return False


_HUFFMAN_SOF = {0xC0, 0xC1, 0xC2}  # baseline, extended and progressive Huffman-coded JPEGs


def _too_small_for_its_blocks(path: Path, size: tuple[int, int]) -> bool:
    """Is a Huffman-coded JPEG smaller than its picture's 8x8 blocks can be coded in? Each block's DC
    difference takes a code of at least one bit, so a complete picture needs a bit a block at least. A
    240-byte file whose header said 14000x14000 was decoded, libjpeg filling it with grey after its data
    ran out, for over 3 minutes and 2.5 GB (a hunt, 2026-12-06). Arithmetic coding can go below a bit a
    block: left to the decoder."""
    blocks = -(-size[0] // 8) * -(-size[1] // 8)
    length = path.stat().st_size
    if length * 8 >= blocks:
        return False
    with open(path, "rb") as fp:  # the segments before the picture's frame header, walked by their lengths
        fp.seek(2)  # (a fixed head was passed by 128 KB of APP segments before it: a review, 2026-12-06)
        for _ in range(MAX_SEGMENTS):
            head = fp.read(4)
            if len(head) < 4 or head[0] != 0xFF:
                return False
            marker = head[1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return marker in _HUFFMAN_SOF
            if int.from_bytes(head[2:4], "big") < 2:
                return False
            fp.seek(int.from_bytes(head[2:4], "big") - 2, os.SEEK_CUR)
    return False


MAX_SEGMENTS = 100_000  # segments walked before a JPEG's frame header (each is at least 4 bytes)


def _tiff_raw(im: Image.Image) -> bool:
    """DNG (DNGVersion tag) or Canon CR2 ("CR" after the TIFF header), whatever the file is named."""
    try:
        if 50706 in im.tag_v2:
            return True
        im.fp.seek(8)
        return im.fp.read(2) == b"CR"
    except Exception:  # noqa: BLE001 - not a question worth failing over; decoding decides
        return False


def _tiff_preview_first(im: Image.Image) -> bool:
    """The first picture's NewSubfileType says "reduced-resolution version of another picture": raw formats
    built on TIFF (NEF, ARW, PEF, SRW, ERF...) keep a small preview there and the photo in a sub-image. Named
    .tif (card-recovery tools do), one was written as its 160 px preview with exit 0 (a hunt, 2026-12-06)."""
    try:
        return bool(int(im.tag_v2.get(254, 0)) & 1)
    except Exception:  # noqa: BLE001 - not a question worth failing over; decoding decides
        return False


def read(path: Path | str, max_pixels: int = DEFAULT_MAX_PIXELS, lazy: bool = False) -> DecodedImage:
    """Decode a photo's pixels (the first picture of a multi-picture file; every frame of an animation).

    ``lazy``: an animation's frames are decoded once here (what each needs, its time, that it decodes
    at all) and let go; ``frames``, ``alpha`` and ``each()`` decode them again when asked, a frame at
    a time, so an animation of many large frames is never held whole (``close()`` when done, or
    ``with read(...) as img``). The
    frame budget (``max_pixels``, all frames together) is what a file may cost in time either way."""
    path = Path(path)
    fmt, (w, h), n = probe_size(path)
    if w <= 0 or h <= 0:
        raise UnseenError("image has no pixels")
    if w * h * n > max_pixels:
        raise UnseenError(
            f"image is {w}x{h}{f' x {n} frames' if n > 1 else ''} = {pixels_said(w * h * n)}, over the "
            f"limit of {pixels_said(max_pixels)} (possible decompression bomb; raise with --max-pixels)"
        )
    try:
        with open_image(path) as im:  # Pillow warns on odd-but-readable EXIF; we drop it anyway
            out = _decode(im, fmt, keep=not lazy)
    except (UnseenError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - fail closed with one clear line, whatever the decoder raised
        raise UnseenError(f"cannot decode image: {why_unreadable(exc)}") from None
    if len(out.frames) < len(out.durations):  # read lazily: the frames are decoded again when asked
        out.source = _Animation(path, len(out.durations))
        out.frames, out.alpha = out.source.rgb, out.source.alpha
    return out


# What Pillow says, or raises, when a file ends early or its bytes are wrong: its decoders' codes, and
# plugins reading past the end of a cut file (a GIF's n_frames: IndexError; struct.error; WebP's
# "could not create decoder object"; a JPEG cut in its header: "cannot load this image"). The user
# reads "truncated or corrupt", not "index out of range".
_BAD_DATA_TEXTS = ("decoder error", "broken data stream", "broken PNG file", "could not create decoder object",
                   "cannot load this image")
_BAD_DATA_ERRORS = (IndexError, struct.error, EOFError)


def why_unreadable(exc: BaseException) -> str:
    """A reader's exception in the user's words (``inspect`` says it too)."""
    text = first_line(exc)
    if "MAX_TEXT_" in text:  # Pillow's words name its own variables
        return f"its metadata text inflates to more than {MAX_TEXT_CHUNK >> 20} MiB (a decompression bomb)"
    if isinstance(exc, _BAD_DATA_ERRORS) or text.startswith(_BAD_DATA_TEXTS):
        return f"the file is truncated or corrupt ({text})"
    return text


def _decode(im: Image.Image, fmt: str, keep: bool = True) -> DecodedImage:
    """Every frame's pixels; without ``keep``, an animation's frames are decoded and let go (``frames``
    then holds only the first, ``durations`` one entry per frame)."""
    animated = fmt in ("GIF", "WEBP", "PNG") and getattr(im, "is_animated", False)
    out = DecodedImage(frames=[], alpha=[], format=fmt, sphere=from_xmp(im.info.get("xmp")))
    if fmt == "WEBP":
        out.lossless = _webp_lossless(im)
    frames = ImageSequence.Iterator(im) if animated else [im]
    for k, frame in enumerate(frames):
        sixteen = _sixteen_bit_colour(frame)  # read from the tiles, which loading empties
        load_frame(frame)  # truncated data raises here, not later
        if k < _hidden_first(frame):
            continue
        if animated:
            out.durations.append(frame_ms(frame))
        rgb, alpha = _to_srgb(_upright(frame, out), out)
        if sixteen and 0 < (top := int(np.percentile(rgb[::4, ::4], 98))) < SIXTEEN_BIT_DARK:
            raise NearBlack(f"16 bits a colour channel, its levels (but the brightest 2%) under {(top + 1) * 256} "
                            f"of 65535 ({((top + 1) * 256 - 1).bit_length()}-bit data?): unseen keeps the top 8 bits "
                            "and would write a near-black picture; scale its levels to the full range, or save it "
                            "as 8-bit, first")
        if keep or not out.frames:
            out.frames.append(rgb)
            out.alpha.append(alpha)
    if animated:
        # A GIF without a NETSCAPE block plays once (None); 0 is forever, as every format counts it.
        out.loop = int(im.info["loop"] or 0) if "loop" in im.info else None
    elif int(getattr(im, "n_frames", 1) or 1) > 1:  # multi-page TIFF, MPO, HEIF bursts: say what was kept
        out.warnings.append(f"{im.n_frames} pictures in the file; only the first is written")
    out.notes = list(dict.fromkeys(out.notes))
    return out


def _hidden_first(im: Image.Image) -> int:
    """1 for an APNG whose default image is no part of its animation (every APNG viewer skips it; Pillow
    reads it as frame 0, and it became a frame the output played), else 0: the frames to pass over."""
    return int(im.format == "PNG" and bool(im.info.get("default_image")) and getattr(im, "is_animated", False))


def frame_ms(frame: Image.Image) -> int:
    """How long an animation's frame shows, in ms (100 when the file gives none or 0, as browsers do).
    One reading for the input, the re-read of the output and verify, so their timelines compare.

    Loads the frame first: Pillow's WebP reader sets a frame's duration only once the frame is decoded
    (GIF and APNG on seeking), so a WebP read on seeking alone gave every frame 100 ms."""
    frame.load()
    return int(frame.info.get("duration", 100) or 100)


def shown_frames(durations: list[float], written: list[float]) -> list[int] | None:
    """Which written frame shows each of an animation's frames (ms ``durations``), when the writer folded
    frames identical to the one before into it, adding their time: Pillow's GIF, APNG and WebP writers
    do, so a clip whose frames repeat, or differ only where they are masked, comes back with fewer
    frames and the same timeline. None when ``written`` (its frames' ms) is not such a folding."""
    tol = 1.0  # ms: both lists hold the whole ms ``_decode`` read and the writers were given (GIF: 10s)
    if not durations or not written or len(written) > len(durations) or abs(sum(durations) - sum(written)) > tol:
        return None
    starts = np.cumsum([0.0, *durations[:-1]])
    shown, j, begins = [], 0, np.cumsum([0.0, *written[:-1]])
    for t in starts:
        while j + 1 < len(written) and begins[j + 1] <= t + tol:
            j += 1
        shown.append(j)
    # every written frame starts where one of the animation's frames starts, and none is skipped
    if shown != sorted(shown) or set(shown) != set(range(len(written))) or any(
            np.abs(starts - b).min() > tol for b in begins):
        return None
    return shown


# EXIF orientation -> the transposition that makes the pixels upright (as ``ImageOps.exif_transpose``).
# Not exif_transpose itself: it also writes the EXIF back without its orientation, which unseen never
# keeps, and that rewrite fails on tags of an unexpected type (a GPS version stored as text, found by
# the fuzzer), refusing a photo whose pixels are fine.
_ORIENTATION = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
                5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
                8: Image.Transpose.ROTATE_90}


def _upright(frame: Image.Image, out: DecodedImage) -> Image.Image:
    """Apply EXIF orientation to the pixels (then the EXIF itself is never written anywhere)."""
    try:
        orientation = frame.getexif().get(0x0112, 1)
    except Exception:  # malformed EXIF: nothing we can trust, keep pixels as stored
        out.notes.append("EXIF unreadable; orientation left as stored")
        return frame
    method = _ORIENTATION.get(orientation)
    if method is None:
        return frame
    out.notes.append(f"EXIF orientation {orientation} applied to pixels")
    try:
        return frame.transpose(method)
    except Exception as exc:
        raise UnseenError(f"cannot apply EXIF orientation: {why_unreadable(exc)}") from None


# The top level of grey data by its depth: sensors store 10, 12 or 14 bits in 16-bit files, and float
# data is mostly 0-1. Divided by 65535, 12-bit data came out as levels 0-16: the detectors saw a black
# picture, while the faces stayed in the output for anyone who stretched its levels.
_DEPTHS = (255, 1023, 4095, 16383, 65535, 2**31 - 1)


def _top_level(peak: float, floating: bool) -> float:
    """The level grey data of this ``peak`` reaches at its depth (``_DEPTHS``; float data up to 1: 1)."""
    if floating and peak <= 1.0:
        return 1.0
    return float(next((d for d in _DEPTHS if peak <= d), peak))


def _to_srgb(frame: Image.Image, out: DecodedImage, writable: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Convert any mode (16-bit, CMYK, palette, grey, LA…) to 8-bit sRGB plus optional alpha.

    Not ``writable``: the RGB array is the read-only one numpy makes of the picture's bytes, without
    a second copy (an animation's frames read again, ``_Animation``: 100 MB less at a time for 8K)."""
    icc = frame.info.get("icc_profile")
    alpha = None
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info) or (
        frame.mode in ("RGB", "L") and "transparency" in frame.info
    ):
        rgba = frame.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A")).copy()
        base = rgba.convert("RGB")
        if out.format == "BMP" and not alpha.any():
            # A 32-bit BMP's fourth byte left at 0 by the program that wrote it: Windows and browsers show
            # such a picture opaque; taken as alpha, it came out solid black, exit 0 (a hunt, 2026-12-06).
            alpha = None
            out.notes.append("alpha channel 0 everywhere (unused, as viewers take it): the picture taken as opaque")
    elif frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(frame, dtype=np.float64)
        top = _top_level(arr.max(initial=0), frame.mode == "F")
        base = Image.fromarray(np.clip(arr / top * 255 + 0.5, 0, 255).astype(np.uint8)).convert("RGB")
        out.notes.append(f"{frame.mode} reduced to 8-bit (levels 0-{top:g} taken as the full range)")
    elif frame.mode == "CMYK" and icc:
        base = frame  # converted through its profile below
    else:
        base = frame if frame.mode == "RGB" else frame.convert("RGB")  # converting RGB only copied it
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out_mode = "RGB"
            base = ImageCms.profileToProfile(base, src, _SRGB, outputMode=out_mode) or base
            out.notes.append("colour converted to sRGB; ICC profile dropped")
        except (ImageCms.PyCMSError, OSError, ValueError):
            base = base.convert("RGB")
            out.notes.append("ICC profile unreadable; colours taken as sRGB")
    if base.mode != "RGB":
        base = base.convert("RGB")
    rgb = np.asarray(base, dtype=np.uint8)  # made from a copy of the picture's bytes: read-only
    return (rgb.copy() if writable else rgb), alpha


def _webp_lossless(im: Image.Image) -> bool:
    """Whether a WebP's first picture is coded lossless (VP8L), read from its RIFF chunks in order. An
    ICC profile or an animation's headers come first, and a look at the first 64 bytes wrote such a
    lossless file lossy."""
    try:
        im.fp.seek(0)
        if im.fp.read(12)[8:] != b"WEBP":
            return False
        for _ in range(64):  # the chunks before the first picture: VP8X, ICCP, ANIM, EXIF, XMP, ALPH...
            head = im.fp.read(8)
            if len(head) < 8:
                return False
            kind, size = head[:4], struct.unpack("<I", head[4:])[0]
            if kind in (b"VP8L", b"VP8 "):
                return kind == b"VP8L"
            im.fp.seek(16 if kind == b"ANMF" else size + (size & 1), io.SEEK_CUR)  # into a frame: its header
        return False
    except Exception:
        return False


class _Animation:
    """An animation's frames decoded again from its file when asked: in order they cost one decode
    each; the last ``KEEP`` stay decoded, and asking for an earlier one reads the file from its start.

    Why: decoded, a frame weighs 3-4 bytes a pixel, and the photo budget (200 MP, all frames together)
    let a 628 KiB APNG of six 8K frames hold 3.5 GB (docs/BENCHMARKS.md, "Animations: memory"). The
    file stays open until ``close``. Safe to call from several threads (one decode at a time)."""

    KEEP = 1  # the frame asked for last (the size, then the first frame; a plane asked for after the other)

    def __init__(self, path: Path | None, n: int, opener: Callable[[], Image.Image] | None = None,
                 convert: Callable[[Image.Image], np.ndarray] | None = None):
        self.path, self.n = path, n
        self._opener = opener or (lambda: open_image(self.path))
        self._convert = convert  # a frame's RGB other than ``_to_srgb``'s (``reread``; alpha then None)
        self.rgb: Sequence[np.ndarray] = _Plane(self, 0)
        self.alpha: Sequence[np.ndarray | None] = _Plane(self, 1)
        self._lock = threading.Lock()
        self._file: contextlib.ExitStack | None = None
        self._im: Image.Image | None = None
        self._at = -1
        self._kept: OrderedDict[int, tuple[np.ndarray, np.ndarray | None]] = OrderedDict()

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Frame ``i``'s (RGB, alpha)."""
        with self._lock:
            got = self._kept.get(i)
            if got is None:
                while len(self._kept) >= self.KEEP:  # before decoding: not two frames' worth at once
                    self._kept.popitem(last=False)
                got = self._kept[i] = self._decode(i)
            return got

    def each(self) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        for i in range(self.n):
            yield self.frame(i)

    def _decode(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        try:
            if self._im is None or i < self._at:
                self._close_file()
                self._file = contextlib.ExitStack()
                self._im = self._file.enter_context(self._opener())
            # one frame at a time, each loaded, as the first reading went: Pillow's APNG reader seeking
            # past a frame it has not loaded draws the frames after a "dispose to previous" frame
            # blended over the one before it otherwise than when it loads each on the way
            skip = _hidden_first(self._im)
            for at in range(0 if self._at < 0 else self._at + 1, i + 1 + skip):
                self._im.seek(at)
                load_frame(self._im)
                _spare_canvas_gone(self._im)
                self._at = at
            if self._convert is not None:
                return self._convert(self._im), None
            scratch = DecodedImage(frames=[], alpha=[], format=self._im.format or "")  # its notes were read before
            return _to_srgb(_upright(self._im, scratch), scratch, writable=False)  # masking copies
        except (UnseenError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - the file changed or went since it was read: one clear line
            raise UnseenError(f"cannot decode image: {why_unreadable(exc)}") from None

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._im, self._at = None, None, -1

    def close(self) -> None:
        with self._lock:
            self._close_file()
            self._kept.clear()


def reread(opener: Callable[[], Image.Image], n: int, convert: Callable[[Image.Image], np.ndarray]) -> _Animation:
    """An animation of ``n`` frames already read once, decoded again frame by frame when asked, as
    ``read(lazy=True)`` does, each frame through ``convert``; ``opener`` opens it anew. ``verify``
    reads unseen's own encoded output this way (``.rgb``; ``.close()`` when done)."""
    return _Animation(None, n, opener, convert)


def _spare_canvas_gone(im: Image.Image) -> None:
    """Let Pillow's APNG reader drop the canvas it keeps from before the frame just drawn, when that
    frame's disposal will not go back to it.

    Why: the reader holds it (``_prev_im``, 4 bytes a pixel: 133 MB at 8K) until the next seek, which
    reads it only to dispose of this frame to the one before (APNG_DISPOSE_OP_PREVIOUS) and replaces it
    unread otherwise; meanwhile the frame is searched, the peak of the run. A no-op for other formats
    and for a Pillow without the attribute; the frames read are checked against Pillow's own reading
    of every disposal and blend (tests/test_animations.py)."""
    from PIL import PngImagePlugin

    if (im.format == "PNG" and getattr(im, "_prev_im", None) is not None
            and getattr(im, "dispose_op", None) != PngImagePlugin.Disposal.OP_PREVIOUS):
        im._prev_im = None


class _Plane(Sequence):
    """One plane (0: RGB, 1: alpha) of every frame of an ``_Animation``, as a read-only sequence."""

    def __init__(self, source: _Animation, plane: int):
        self._source, self._plane = source, plane

    def __len__(self) -> int:
        return self._source.n

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._source.n))]
        if i < 0:
            i += self._source.n
        if not 0 <= i < self._source.n:
            raise IndexError(i)
        return self._source.frame(i)[self._plane]
