"""Opening a still image with Pillow, limited to the formats unseen reads.

Its own module because it is the one gate between a file from anywhere and Pillow's ~45 parsers:
``image`` (decoding), ``inspect`` and ``verify`` all open files through it.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from . import AUDIO_SUFFIXES, UNREAD_SUFFIXES, VIDEO_NAMES
from .image_check import jpeg_segments

# The formats unseen reads (Pillow's names): ``Image.open`` tries these plugins and no other. Each of
# Pillow's ~45 parsers is attack surface on files from anywhere, and its EPS plugin hands the file to
# Ghostscript, an outside interpreter with a long record of code-execution bugs (Pillow's security
# handbook asks applications to block EPS). Without the list a JPEG whose EXIF thumbnail, or a ".jpg"
# whose content, is PostScript ran Ghostscript wherever it is installed. JPEG covers MPO (Pillow's JPEG
# plugin returns it); HEIF is there once pillow-heif has registered it. JPEG 2000, PSD and PCX are
# in-process decoders unseen has read since the start (photo desks keep PSDs). Order: the formats
# Pillow loads first (``Image.preinit``) lead, so a JPEG or PNG never loads the other plugins.
READ_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "PPM", "WEBP", "TIFF", "HEIF", "AVIF", "ICO", "JPEG2000", "PSD",
                "PCX")
READ_NAMES = "JPEG, PNG, WebP, GIF, TIFF, BMP, HEIC/HEIF, AVIF, PPM, ICO, JPEG 2000, PSD and PCX"
_PLUGINS = {"JPEG": "JpegImagePlugin", "PNG": "PngImagePlugin", "GIF": "GifImagePlugin", "BMP": "BmpImagePlugin",
            "PPM": "PpmImagePlugin", "WEBP": "WebPImagePlugin", "TIFF": "TiffImagePlugin", "AVIF": "AvifImagePlugin",
            "ICO": "IcoImagePlugin", "JPEG2000": "Jpeg2KImagePlugin", "PSD": "PsdImagePlugin",
            "PCX": "PcxImagePlugin"}  # Pillow's module for each (HEIF: pillow-heif's, ``_load_plugins``)

_setup = threading.Lock()
_plugins_ready = False
_heif_ready = False
_unlimited = 0  # readers inside ``open_image`` now: Pillow's own pixel limit is lifted meanwhile
_saved_limit: int | None = None


def _load_plugins(heif: bool) -> None:
    """A quiet libtiff on the first file read, and HEIC/HEIF support on the first file that needs it
    (``heif``), not on ``import unseen``: a library user's Pillow is left as it was until unseen reads
    a photo.

    HEIF is registered only for a file in an ISO media box (``_iso_media``): loading libheif costs
    ~7-12 ms of every run's start, and a folder of JPEGs never needs it."""
    global _plugins_ready, _heif_ready
    if not _plugins_ready:
        _silence_libtiff()
        _roomier_png_text()
        _plugins_ready = True
    if heif and not _heif_ready:
        with contextlib.suppress(ImportError):  # a hard dependency; without it HEIF is just unreadable
            import pillow_heif

            pillow_heif.register_heif_opener()
        _heif_ready = True


MAX_TEXT_CHUNK = 64 << 20  # bytes one PNG text chunk may inflate to (Pillow's own limit: 1 MiB)
MAX_TEXT_MEMORY = 256 << 20  # and all of a PNG's together (Pillow's: 64 MiB)


def _roomier_png_text() -> None:
    """A PNG whose XMP inflates past a megabyte (Photoshop's edit history, its "DocumentAncestors" list) was
    refused as "Decompressed data too large for PngImagePlugin.MAX_TEXT_CHUNK" (a hunt, 2026-12-06): a
    picture a desk must publish, its metadata about to be dropped anyway. Pillow inflates a chunk only up
    to the limit, so a bomb (a megabyte inflating to a gigabyte) still costs 64 MiB at most, then fails."""
    from PIL import PngImagePlugin

    PngImagePlugin.MAX_TEXT_CHUNK = max(PngImagePlugin.MAX_TEXT_CHUNK, MAX_TEXT_CHUNK)
    PngImagePlugin.MAX_TEXT_MEMORY = max(PngImagePlugin.MAX_TEXT_MEMORY, MAX_TEXT_MEMORY)


def _iso_media(path: Path | str) -> bool:
    """Does the file start like an ISO base media file (``ftyp`` at byte 4, as every HEIC/HEIF, AVIF
    and MP4 does)? Unreadable: no (Pillow then says why the file cannot be opened)."""
    try:
        with open(path, "rb") as f:
            return f.read(12)[4:8] == b"ftyp"
    except (OSError, TypeError, ValueError):
        return False


@contextlib.contextmanager
def open_image(path: Path | str) -> Iterator[Image.Image]:
    """``Image.open`` for unseen's readers: plugins loaded, warnings silenced (a warning on stderr
    would break the one-line contract) and Pillow's pixel limit lifted for the duration only.

    unseen checks the pixel budget itself with a clear message (``--max-pixels``) before decoding;
    Pillow's limit (a DecompressionBombError at 179 MP) is restored when the last reader is done.
    """
    heif = not _heif_ready and _iso_media(path)  # the header read outside the lock
    with _setup:
        _load_plugins(heif)
    with limit_lifted(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open_allowed(path) as im:
            if im.format == "JPEG" and not isinstance(path, io.BytesIO):
                _arithmetic_in_one_block(im, path)
            yield im


SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # a JPEG's frame headers (T.81)
ARITHMETIC_SOF = frozenset({0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})  # arithmetic-coded JPEG frames


def _jpeg_frame(path: Path | str) -> tuple[int, bytes] | None:
    """A JPEG's frame header (its marker and body) from the file's first MiB, or None."""
    try:
        with open(path, "rb") as fh:
            segments = jpeg_segments(fh.read(1 << 20))[0]
    except OSError:
        return None
    return next(((marker, body) for marker, body in segments if marker in SOF_MARKERS and body), None)


def _arithmetic_in_one_block(im: Image.Image, path: Path | str) -> None:
    """libjpeg's arithmetic decoder cannot stop mid-scan to wait for more data, and Pillow feeds it 64 KiB
    at a time: a valid arithmetic-coded JPEG larger than that was refused as "truncated or corrupt" (a hunt,
    2026-12-06; Pillow issue 9162). Such a file is handed to the decoder whole."""
    frame = _jpeg_frame(path)
    if frame is not None and frame[0] in ARITHMETIC_SOF:
        with contextlib.suppress(OSError):
            im.decodermaxblock = max(im.decodermaxblock, os.path.getsize(path))


@contextlib.contextmanager
def limit_lifted() -> Iterator[None]:
    """Pillow's own pixel limit (a DecompressionBombError at 179 MP) lifted while unseen reads, and put
    back when the last reader is done: unseen checks its own budget (``--max-pixels``, 200 MP) before
    decoding. Its re-read of an output it wrote needs it too: a photo of 180-200 MP was covered in
    minutes, then refused as "output does not decode"."""
    global _unlimited, _saved_limit
    with _setup:
        if _unlimited == 0:
            _saved_limit = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = None
        _unlimited += 1
    try:
        yield
    finally:
        with _setup:
            _unlimited -= 1
            if _unlimited == 0:
                Image.MAX_IMAGE_PIXELS = _saved_limit


def open_allowed(source: Path | str | io.BytesIO, formats: tuple[str, ...] = READ_FORMATS) -> Image.Image:
    """``Image.open`` with only the plugin of ``formats`` (of READ_FORMATS) whose ``accept`` knows the
    file's first bytes; UnidentifiedImageError when none does.

    Each plugin is imported the first time its turn comes, as Pillow would for that file: handing
    Pillow the whole list instead loads all ~45 of its plugins (``Image.init``, 15-20 ms) for the first
    file that is not a JPEG, and raises KeyError for a name it has no plugin for (HEIF before
    pillow-heif registers it, a format this Pillow was built without): those are passed over."""
    prefix = _first_bytes(source)
    for name in formats:
        if name not in Image.OPEN and name in _PLUGINS:
            with contextlib.suppress(ImportError):
                importlib.import_module(f"PIL.{_PLUGINS[name]}")
        if name not in Image.OPEN:
            continue
        accept = Image.OPEN[name][1]
        known = accept is None or accept(prefix)
        if known and not isinstance(known, str):  # a str is Pillow's "might be, but..." warning
            return Image.open(source, formats=[name])
    where = os.fspath(source) if isinstance(source, (str, Path)) else "in memory"
    raise UnidentifiedImageError(f"cannot identify image file {where!r}")  # Pillow's own words


def _first_bytes(source: Path | str | io.BytesIO) -> bytes:
    """The 16 bytes Pillow's plugins tell formats apart by (their ``accept``)."""
    if isinstance(source, io.BytesIO):
        with source.getbuffer() as view:  # not getvalue(): that copies a whole encoded output to read 16 bytes
            return bytes(view[:16])
    with open(source, "rb") as f:
        return f.read(16)


def refused_format(path: Path | str) -> str | None:
    """Pillow's name for the format of a file no plugin of READ_FORMATS opened, when one of its other
    plugins knows it by its first bytes (``accept`` reads 16 bytes; no parser runs). For the message."""
    try:
        prefix = _first_bytes(path)
        Image.init()
        for name, (_factory, accept) in list(Image.OPEN.items()):
            known = name not in READ_FORMATS and accept is not None and accept(prefix)
            if known and not isinstance(known, str):  # a str is a warning: "this might be it"
                return name
    except Exception:  # noqa: BLE001 - only a better message is at stake
        pass
    return None


def _silence_libtiff() -> None:
    """Stop libtiff printing its own decoder errors to stderr (C level, past Python's warnings).

    Pillow turns the same errors into exceptions, which become unseen's one-line message; the extra
    "ZIPDecode: Decoding error ..." lines would break that contract. Best effort, Linux only: the
    handlers are reset in the libtiff that Pillow already loaded.
    """
    try:
        import ctypes

        from PIL import _imaging  # noqa: F401 - maps Pillow's libtiff into the process

        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            paths = [line.split()[-1] for line in fh if "/libtiff" in line]
        if not paths:
            return
        lib = ctypes.CDLL(paths[0])
        for name in ("TIFFSetErrorHandler", "TIFFSetWarningHandler"):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = ctypes.c_void_p, [ctypes.c_void_p]
            fn(None)
    except Exception:  # noqa: BLE001 - never worth failing a read over
        pass


def not_read(path: Path) -> str | None:
    """The line for a file Pillow did not open that unseen knows (None for others): a sound recording or one of
    ``UNREAD_SUFFIXES`` by its name, a PDF by its first bytes, or a JPEG of more than 8 bits a sample
    (``_deep_jpeg``): what it is, what unseen reads, and what to do. ``unseen inspect`` says the same."""
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return (f"sound recording ({path.suffix}): not a photo or video; unseen does not change sound on its own "
                "(a video's speech: --audio mute-speech)")
    what = UNREAD_SUFFIXES.get(path.suffix.lower()) or ("PDF document" if _head(path, 5) == b"%PDF-" else None)
    if what is None:
        return _deep_jpeg(path)
    reads = f"videos: {VIDEO_NAMES}" if "video" in what else f"photos: {READ_NAMES}"
    how = ("export its pages or the photos in it as PNG or TIFF first" if what.endswith("document")
           else "convert it first")
    return f"{what} ({path.suffix}): not a photo or video unseen reads ({reads}); {how}"


def _head(path: Path, n: int) -> bytes:
    """The file's first ``n`` bytes (none when it cannot be read): a PDF named .tif (a scanner's export) was
    "unknown or corrupt" where one named .pdf is told what to do (a hunt, 2026-12-06)."""
    try:
        with open(path, "rb") as f:
            return f.read(n)
    except OSError:
        return b""


def _deep_jpeg(path: Path) -> str | None:
    """A JPEG whose frame has 12 or 16 bits a sample (medical, scientific and some cameras' files), which
    Pillow's libjpeg cannot decode: it said "unknown or corrupt file" (``inspect``: "cannot identify image
    file"; a hunt, 2026-12-06)."""
    frame = _jpeg_frame(path)
    bits = frame[1][0] if frame is not None else 8
    if bits == 8:
        return None
    return f"JPEG of {bits} bits a sample: unseen reads 8-bit JPEGs; convert it to 8-bit, or to PNG or TIFF, first"
