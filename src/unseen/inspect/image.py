"""``unseen inspect`` for photos: what an image file would reveal if it were published as is.

It reads the input the way an adversary would (Pillow's EXIF/GPS/XMP/IPTC readers, embedded
thumbnails). Independent of the output checks in ``media.image_check`` on purpose.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, IptcImagePlugin

from ..media.image_check import GIF_ANIMATION_APPS, PNG_OK, WEBP_OK, app_name, chunks, gif_extensions, jpeg_segments
from ..media.image_open import open_image
from ..media.isobmff import clean_aperture
from .contents import png_exif, read_exif, read_iptc, read_png_text, read_xmp
from .embedded import (
    embedded_jpeg,
    heif_items,
    jp2_boxes,
    photoshop_blocks,
    psd_layers,
    read_resources,
    tiff_sub_images,
)
from .findings import C2PA, Findings, add_blocks, clean
from .makernotes import read_maker_notes

MAX_READ = 256 << 20  # bytes of a photo file its own blocks are looked for in; the size counts the rest
MAX_TAIL = 64 << 20  # bytes after a JPEG's end looked at for a motion photo's video or a second picture


def _head(path: Path) -> tuple[bytes, int]:
    """The first ``MAX_READ`` bytes of a file, and its size. A 91 KB JPEG followed by a gigabyte (a card
    dump named .jpg, a sparse file) was read whole, and copied again: 2.1 GB of memory for the run."""
    with open(path, "rb") as fp:
        return fp.read(MAX_READ), os.fstat(fp.fileno()).st_size


def inspect_image(path: Path, face_counter: Callable[[Image.Image], int] | None = None) -> Findings:
    """List what an image file gives away. ``face_counter`` (optional) runs on embedded previews and
    pictures; without it no pixel is decoded (``engine.image`` lists what a run drops with this, and a
    200 KB PNG of 1.6 gigapixels must not cost 1.6 GB to list)."""
    f = Findings(path=str(path))
    with open_image(path) as im:  # warnings ("Corrupt EXIF data") silenced: stderr is for one-line errors
        f.format, f.size = im.format or "?", im.size
        info = im.info
        head = _head(path) if im.format in ("GIF", "JPEG", "MPO", "PNG", "WEBP", "JPEG2000") else (b"", 0)
        if im.format == "PNG":  # Pillow's getexif decodes every pixel to look for EXIF after them
            info["exif"] = png_exif(chunks(head[0], "PNG")[0])
        try:
            exif = im.getexif()
        except Exception:
            exif = None
            f.blocks.append("EXIF (malformed)")
        if exif:
            f.blocks.append("EXIF")
            read_exif(exif, f)
            with contextlib.suppress(Exception):  # a broken EXIF IFD: the notes stay "maker notes"
                read_maker_notes(info.get("exif"), exif.get_ifd(0x8769).get(0x927C), str(exif.get(0x010F, "")), f)
        xmp = info.get("xmp") or info.get("XML:com.adobe.xmp")
        if xmp:
            f.blocks.append("XMP")
            read_xmp(xmp if isinstance(xmp, bytes) else str(xmp).encode(), f)
        try:
            iptc = IptcImagePlugin.getiptcinfo(im)
            if iptc:
                f.blocks.append("IPTC")
                read_iptc(iptc, f)
        except Exception:
            f.blocks.append("IPTC (malformed)")
        if info.get("icc_profile"):
            f.blocks.append("ICC profile")
        if info.get("comment"):
            f.blocks.append("comment")
            f.people.setdefault("Comment", clean(info["comment"]))
        if info.get("mp") or im.format == "MPO":
            f.blocks.append("multi-picture (MPF) extra images")
        if exif:
            _thumbnail(exif, info.get("exif"), f, face_counter)
        if info.get("exif"):
            _previews(info["exif"], f, face_counter)
        if isinstance(info.get("photoshop"), dict):  # a JPEG's APP13 resources, parsed by Pillow
            read_resources(info["photoshop"], f, face_counter)
        elif im.format == "TIFF" and getattr(im, "tag_v2", {}).get(34377):
            read_resources(photoshop_blocks(bytes(im.tag_v2[34377])), f, face_counter)
        for key in ("photoshop", "adobe"):
            if key in info:
                f.blocks.append(f"{key} block")
        _by_format(path, im, f, face_counter, head)
    return f


def _by_format(path: Path, im: Image.Image, f: Findings, face_counter: Callable[[Image.Image], int] | None,
               head: tuple[bytes, int]) -> None:
    """What only one format carries: its own blocks, chunks, boxes and extra pictures (``head``: the
    file's first bytes and its size)."""
    data, size = head
    if im.format == "GIF":
        _gif_blocks(data, f)
    elif im.format in ("JPEG", "MPO"):
        _jpeg_blocks(data, f, face_counter, size)
    elif im.format in ("PNG", "WEBP"):
        _chunks(data, im.format, f, size)
        if im.format == "PNG" and im.info.get("default_image") and getattr(im, "is_animated", False):
            # Pillow's frame 0: a picture of its own, no part of the animation, that viewers which do
            # not play APNG show (unseen's output leaves it out)
            face = None if face_counter is None else face_counter(im) > 0
            f.thumbnails.append({"kind": "APNG default image (no part of the animation)", "size": im.size,
                                 "face": face})
    elif im.format == "AVIF":
        crop = clean_aperture(path)
        if crop is not None and crop not in (im.size, im.size[::-1]):
            f.blocks.append(f"clean-aperture crop: viewers show {crop[0]:g}x{crop[1]:g} of the "
                            f"{im.size[0]}x{im.size[1]} picture it holds (the rest is hidden, not gone)")
    elif im.format == "HEIF":
        heif_items(path, f, face_counter)
    elif im.format == "PSD":
        psd_layers(im, path, f, face_counter)
    elif im.format == "TIFF":
        tiff_sub_images(path, im, f, face_counter)
    elif im.format == "JPEG2000":
        jp2_boxes(data, f)


def _mp4_start(data: bytes) -> bool:
    """Does an MP4/MOV file start somewhere in ``data``: an ``ftyp`` box of a plausible size (not the
    same four letters by chance inside an MPO's extra JPEG pictures)."""
    k = data.find(b"ftyp", 4)
    while k >= 0:
        if 8 <= int.from_bytes(data[k - 4 : k], "big") <= 256:
            return True
        k = data.find(b"ftyp", k + 1)
    return False


# Chunks the reading above already names (ICC profile, text, EXIF, XMP) or that only say how to show the
# pixels (PNG: gamma, chromaticities, rendering intent, significant bits, background, pixel size, histogram).
_SHOWN = {"PNG": {"iCCP", "tEXt", "zTXt", "iTXt", "eXIf", "gAMA", "cHRM", "sRGB", "sBIT", "bKGD", "pHYs", "hIST"},
          "WebP": {"ICCP", "EXIF", "XMP "}}  # four letters each, as the file spells them


def _chunks(data: bytes, fmt: str, f: Findings, size: int) -> None:
    """What a PNG or WebP carries beyond Pillow's ``info`` (``image_check.chunks``): a PNG's last-modified
    time (tIME), makers' private chunks, data after the end."""
    found, trailing, problem = chunks(data, fmt, size)
    if fmt == "PNG":
        read_png_text(found, f)
        if problem:
            f.blocks.append("PNG chunks after the image data (unreadable: the image data is damaged)")
    shown = _SHOWN["PNG" if fmt == "PNG" else "WebP"]

    def labels() -> Iterator[str]:
        for ctype, _body in found:
            kind = ctype.decode("latin-1")
            if kind in shown or ctype in PNG_OK or ctype in WEBP_OK:
                continue
            name = kind.replace("\0", "").strip() or "unnamed"  # "XMP\0": an XMP Pillow does not read
            yield "PNG chunk tIME (last-modified time)" if kind == "tIME" else C2PA if kind in ("caBX", "C2PA") \
                else f"{'PNG' if fmt == 'PNG' else 'WebP'} chunk {name}"

    add_blocks(f, labels())
    if trailing:
        f.blocks.append(_after_end(trailing))


def _after_end(n: int) -> str:
    return f"{n} byte{'s' if n > 1 else ''} after the end of the picture"


# APP segments the reading above already names (EXIF, XMP and extended XMP, ICC, IPTC, MPF, Adobe), by
# their identifiers as ``image_check.app_name`` gives them (12 bytes at most).
_NAMED_APPS = ("Exif", "http://ns.ad", "ICC_PROFILE", "Photoshop 3.", "MPF", "Adobe")
_PRINTABLE = re.compile(r"[ -~]{2,}")


def _jpeg_blocks(data: bytes, f: Findings, face_counter: Callable[[Image.Image], int] | None = None,
                 size: int | None = None) -> None:
    """What a JPEG carries beyond Pillow's ``info`` (``image_check.jpeg_segments``): data after the
    picture's end, where a phone's motion photo keeps a short video (every face in it unmasked), and
    APP segments of other makers (a GoPro's GPS telemetry, a JFXX extension thumbnail...). Both were
    missing from "what this file gives away" and from a run's list of what it dropped."""
    size = len(data) if size is None else size
    segments, trailing, _problem = jpeg_segments(data, size)

    def labels() -> Iterator[str]:
        for marker, body in segments:
            name = app_name(body)
            readable = _PRINTABLE.search(name)  # binary bytes (a length, a version) say nothing to a reader
            name = readable.group().strip() if readable else ""
            if marker == 0xE0 and not body.startswith(b"JFIF\0"):
                yield "JFXX extension thumbnail" if name == "JFXX" else f"APP0 segment ({name or 'unnamed'})"
            elif marker == 0xEB and name == "JP" and any(k in body[:4096] for k in (b"c2pa", b"cai\0")):  # cai: older
                yield C2PA
            elif 0xE1 <= marker <= 0xEF and not name.startswith(_NAMED_APPS):
                yield f"APP{marker - 0xE0} segment ({name or 'unnamed'})"

    add_blocks(f, labels())
    if trailing:
        tail = data[size - trailing : size - trailing + MAX_TAIL]  # a copy: what a video or a picture there needs
        if _mp4_start(tail):
            f.blocks.append(f"a video after the picture ({trailing} bytes; a phone's motion photo)")
        else:
            mpf = "multi-picture (MPF) extra images" in f.blocks
            if not mpf:
                f.blocks.append(_after_end(trailing))
            # A whole JPEG after the first (an editor's original kept behind its edit, two files joined, an
            # MPO's second view, an Ultra HDR gain map): listed with whether a face is seen in it, as other
            # pictures a file holds are; it was only "N bytes after the end", and an MPO's nothing at all (hunts,
            # 2026-12-06).
            found = embedded_jpeg(tail, face_counter, f) if tail.startswith(b"\xff\xd8\xff") else None
            if found:
                kind = "the file's second picture (MPF)" if mpf else "a second picture after the first's end"
                f.thumbnails.append({"kind": kind, "size": tuple(found[0]), "face": found[1]})


def _gif_blocks(data: bytes, f: Findings) -> None:
    """What a GIF's extension blocks carry, in any frame (``image_check.gif_extensions``): Pillow shows
    a comment only for the frame it has reached, and no XMP at all, so a name and address in frame 2,
    or an XMP packet, gave "no metadata found". A cut file gives what comes before the cut."""
    blocks, _problem = gif_extensions(data)
    comments = [d for label, _first, d in blocks if label == 0xFE and d]
    if comments:
        f.blocks += [] if "comment" in f.blocks else ["comment"]
        f.people["Comment"] = clean(b" / ".join(dict.fromkeys(comments)))
    def labels() -> Iterator[str]:
        for label, first, _data in blocks:
            app = first[:11]
            name = ("GIF plain-text block (text drawn over the picture)" if label == 0x01 else
                    "XMP" if app == b"XMP DataXMP" else "ICC profile" if app == b"ICCRGBG1012" else
                    f"GIF application block ({app.decode('latin-1')})" if app not in GIF_ANIMATION_APPS else None)
            if label in (0x01, 0xFF) and name:
                yield name

    add_blocks(f, labels())
    at = data.find(b"XMP DataXMP")  # the packet as written, raw: its bytes run across the sub-block lengths
    if at >= 0:
        read_xmp(data[at + 11:], f)


MAX_PREVIEW_TRIES = 16  # places in an EXIF block that start like a JPEG opened as one, at most


def _previews(raw: bytes, f: Findings, face_counter: Callable[[Image.Image], int] | None) -> None:
    """JPEG pictures inside the EXIF block other than its IFD1 thumbnail: the larger previews cameras keep
    in their maker notes (a Sigma DP1's 640 x 480, Nikon's, Casio's), which showed only as "maker notes"."""
    at, tries = raw.find(b"\xff\xd8\xff"), 0
    while at >= 0 and tries < MAX_PREVIEW_TRIES:  # an EXIF block of nothing but FF D8 FF took minutes
        tries += 1
        end = raw.find(b"\xff\xd9", at)
        data = raw[at : end + 2 if end >= 0 else len(raw)]
        found = embedded_jpeg(data, face_counter, f)
        if found is None:  # the bytes of something else that start like a JPEG
            at = raw.find(b"\xff\xd8\xff", at + 3)
            continue
        if not any(e["kind"] == "EXIF thumbnail" and tuple(e["size"]) == found[0] for e in f.thumbnails):
            f.thumbnails.append({"kind": "preview in the EXIF block", "size": found[0], "face": found[1]})
        at = raw.find(b"\xff\xd8\xff", at + len(data))


def _thumbnail(exif: Image.Exif, raw: bytes | None, f: Findings,
               face_counter: Callable[[Image.Image], int] | None) -> None:
    """Find the IFD1 preview JPEG (cameras and phones embed one that shows the unmasked scene)."""
    try:
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception:
        ifd1 = {}
    offset, length = ifd1.get(0x0201), ifd1.get(0x0202)
    if not (offset and length):
        return
    entry: dict[str, Any] = {"kind": "EXIF thumbnail", "size": (0, 0), "face": None}
    if raw:
        tiff = raw[6:] if raw.startswith(b"Exif") else raw  # offsets count from the TIFF header
        found = embedded_jpeg(tiff[offset : offset + length], face_counter, f)
        if found is None:
            entry["kind"] = "EXIF thumbnail (unreadable)"
        else:
            entry["size"], entry["face"] = found
    f.thumbnails.append(entry)
