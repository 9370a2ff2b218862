"""Plates and text drawn onto real photos, for tests that need a plate without a plate photo.

The plate set in ../shared/data (openalpr benchmarks) may not be copied into the project (its host
repository states the AGPL), so the committed tests draw a plate-like sign (white, dark border, an EU
blue strip, letters and digits in Pillow's bundled font) onto a committed photo. Benchmarks use the
same drawings for text of chosen sizes.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable font at ``px`` (size in points ~ pixel height of capitals / 0.72)."""
    return ImageFont.load_default(size=max(4, px))


def draw_plate(rgb: np.ndarray, x: int, y: int, height: int, text: str = "AB 123 CD") -> tuple[int, int, int, int]:
    """Draw a plate ``height`` px tall with its top-left at (x, y); returns its box (x, y, w, h)."""
    im = Image.fromarray(rgb)
    d = ImageDraw.Draw(im)
    f = font(int(height * 0.78))
    left, t, r, b = d.textbbox((0, 0), text, font=f)
    strip = max(2, height // 4)
    w = int((r - left) + strip + height * 0.5)
    d.rectangle([x, y, x + w, y + height], fill=(245, 245, 240), outline=(20, 20, 20), width=max(1, height // 16))
    d.rectangle([x + 1, y + 1, x + strip, y + height - 1], fill=(20, 60, 170))
    tx = x + strip + (w - strip - (r - left)) // 2 - left
    ty = y + (height - (b - t)) // 2 - t
    d.text((tx, ty), text, fill=(15, 15, 15), font=f)
    rgb[...] = np.asarray(im)
    return x, y, w + 1, height + 1


def draw_plate_lines(rgb: np.ndarray, x: int, y: int, line: int,
                     lines: tuple[str, ...]) -> list[tuple[int, int, int, int]]:
    """Draw a plate of several lines of capitals ``line`` px tall (a motorcycle's, a square plate) with its
    top-left at (x, y); returns the box (x, y, w, h) of each line's ink."""
    im = Image.fromarray(rgb)
    d = ImageDraw.Draw(im)
    f = font(round(line / 0.72))
    sizes = [d.textbbox((0, 0), t, font=f) for t in lines]
    gap = line // 2
    w = max(r - left for left, _, r, _ in sizes) + 2 * gap
    h = sum(b - t for _, t, _, b in sizes) + gap * (len(lines) + 1)
    d.rectangle([x, y, x + w, y + h], fill=(245, 245, 240), outline=(20, 20, 20), width=max(1, line // 12))
    boxes, top = [], y + gap
    for text, (left, t, r, b) in zip(lines, sizes, strict=True):
        tx = x + (w - (r - left)) // 2 - left
        d.text((tx, top - t), text, fill=(15, 15, 15), font=f)
        boxes.append((tx + left, top, r - left, b - t))
        top += b - t + gap
    rgb[...] = np.asarray(im)
    return boxes


def draw_text(rgb: np.ndarray, x: int, y: int, height: int, text: str,
              ink: tuple[int, int, int] = (20, 20, 20), paper: tuple[int, int, int] | None = (250, 250, 250),
              ) -> tuple[int, int, int, int]:
    """Draw a line of text whose capitals are ``height`` px tall (on ``paper``, like a badge, or
    straight on the photo when ``paper`` is None); returns the box of the ink (x, y, w, h)."""
    im = Image.fromarray(rgb)
    d = ImageDraw.Draw(im)
    f = font(round(height / 0.72))
    left, t, r, b = d.textbbox((x, y), text, font=f)
    if paper is not None:
        m = max(2, height // 3)
        d.rectangle([left - m, t - m, r + m, b + m], fill=paper)
    d.text((x, y), text, fill=ink, font=f)
    rgb[...] = np.asarray(im)
    return left, t, r - left, b - t


def region_share(found, box: tuple[int, int, int, int], shape: tuple[int, ...]) -> float:
    """Share of ``box`` (x, y, w, h) inside the union of the Regions' boxes, padded as the mask pads them."""
    x, y, w, h = box
    m = np.zeros(shape[:2], bool)
    for b in found.padded(0.25, shape[1], shape[0]).boxes:
        m[int(b[1]) : int(np.ceil(b[3])), int(b[0]) : int(np.ceil(b[2]))] = True
    return float(m[y : y + h, x : x + w].mean())


# Each way a camera or an editor can leave a picture turned: the pixels, and where a box (x, y, w, h) of a
# w x h picture goes (the plate tests and bench/plate_turns.py).
TURNINGS = {
    "upright": (lambda a: a, lambda b, w, h: b),
    "quarter clockwise": (lambda a: np.rot90(a, -1), lambda b, w, h: (h - b[1] - b[3], b[0], b[3], b[2])),
    "quarter anticlockwise": (lambda a: np.rot90(a), lambda b, w, h: (b[1], w - b[0] - b[2], b[3], b[2])),
    "half a turn": (lambda a: np.rot90(a, 2), lambda b, w, h: (w - b[0] - b[2], h - b[1] - b[3], b[2], b[3])),
    "mirrored": (lambda a: a[:, ::-1], lambda b, w, h: (w - b[0] - b[2], b[1], b[2], b[3])),
    "flipped": (lambda a: a[::-1], lambda b, w, h: (b[0], h - b[1] - b[3], b[2], b[3])),
}


def halftone(rgb: np.ndarray, spacing: int) -> np.ndarray:
    """``rgb`` printed as a newspaper prints a photo: black dots on white, one every ``spacing`` px, each
    as large as the picture is dark there (drawn at 4x and shrunk, as a print is seen)."""
    grey = np.asarray(Image.fromarray(rgb).convert("L"), np.float32) / 255
    h, w = grey.shape
    big = Image.new("L", (w * 4, h * 4), 255)
    d = ImageDraw.Draw(big)
    for y in range(0, h, spacing):
        for x in range(0, w, spacing):
            r = 4 * spacing * 0.62 * math.sqrt(1 - grey[y : y + spacing, x : x + spacing].mean())
            cx, cy = (x + spacing / 2) * 4, (y + spacing / 2) * 4
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=0)
    return np.asarray(big.resize((w, h), Image.Resampling.LANCZOS).convert("RGB"))


def equirect(rgb: np.ndarray, labels: np.ndarray, latitude: float, span: float, height: int,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """A photo as the rows of a 360-degree (equirectangular) picture ``height`` px tall see it: scaled to
    ``span`` degrees of latitude centred at ``latitude``, each row stretched sideways by 1 / cos of its
    latitude. Returns its pixels, ``labels`` (an int map of the photo) carried along, which of its pixels
    hold the photo, and the 360 picture's row its first row lands on."""
    rows = int(span / 180 * height)
    cols = int(rgb.shape[1] * rows / rgb.shape[0])
    small = np.asarray(Image.fromarray(rgb).resize((cols, rows), Image.Resampling.LANCZOS)).astype(np.float32)
    lab = np.asarray(Image.fromarray(labels.astype(np.int32)).resize((cols, rows), Image.Resampling.NEAREST))
    stretch = 1 / np.cos(np.radians(latitude + (rows / 2 - np.arange(rows)) * (span / rows)))
    width = int(cols * stretch.max()) + 2
    xs = np.arange(width)[None, :] - width / 2
    mx = np.clip(cols / 2 + xs / stretch[:, None], 0, cols - 1)
    inside = np.abs(xs) <= (cols / 2) * stretch[:, None]
    x0 = np.floor(mx).astype(int)
    x1, f = np.minimum(x0 + 1, cols - 1), (mx - x0)[..., None]
    yy = np.repeat(np.arange(rows)[:, None], width, 1)
    pixels = np.clip(small[yy, x0] * (1 - f) + small[yy, x1] * f + 0.5, 0, 255).astype(np.uint8)
    return pixels, lab[yy, np.rint(mx).astype(int)] * inside, inside, int((90 - latitude) / 180 * height - rows / 2)


def grey_clip(path, width: int = 64, height: int = 48, frames: int = 5, metadata: dict | None = None,
              stream_metadata: dict | None = None) -> None:
    """A tiny H.264 clip of flat grey frames getting lighter (tests of containers and their tags)."""
    import av

    with av.open(str(path), "w") as c:
        c.metadata.update(metadata or {})
        s = c.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt = width, height, "yuv420p"
        s.metadata.update(stream_metadata or {})
        for i in range(frames):
            grey = np.full((height, width, 3), 40 * i, np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(grey, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def spherical_boxes(path) -> None:
    """Give the first video track of an MP4 written by PyAV (moov after mdat) Spherical Video V2 boxes (st3d,
    sv3d with a stitcher's name and a pose) in its sample entry, as 360 cameras write them."""
    import struct

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    def full(kind: bytes, body: bytes) -> bytes:
        return box(kind, bytes(4) + body)

    add = full(b"st3d", b"\0") + box(b"sv3d", full(b"svhd", b"Stitcher SN 0042\0") + box(
        b"proj", full(b"prhd", struct.pack(">iii", 237 << 16, 0, 0)) + full(b"equi", bytes(16))))
    data = bytearray(Path(path).read_bytes())

    def find(start: int, end: int, kind: bytes) -> int:
        while start < end:
            n, k = struct.unpack(">I4s", data[start: start + 8])
            if k == kind:
                return start
            start += n
        raise KeyError(kind)

    def size(at: int) -> int:
        return struct.unpack(">I", data[at: at + 4])[0]

    chain = [find(0, len(data), b"moov")]
    for kind in (b"trak", b"mdia", b"minf", b"stbl", b"stsd"):
        chain.append(find(chain[-1] + 8, chain[-1] + size(chain[-1]), kind))
    entry = chain[-1] + 16  # the stsd's first sample entry (avc1)
    data[entry + size(entry): entry + size(entry)] = add
    for at in [*chain, entry]:
        data[at: at + 4] = struct.pack(">I", size(at) + len(add))
    Path(path).write_bytes(bytes(data))


SQUEEZE = Fraction(2, 1)  # ``squeezed_clip``'s sample aspect ratio unless told


def squeezed_clip(photo: Path, dst: Path, sar: Fraction = SQUEEZE, n: int = 2) -> Image.Image:
    """``photo`` (at most 1000 px, width cut to a multiple of 4) stored in ``n`` frames squeezed to 1/``sar`` of
    its width and tagged with that sample aspect ratio, as anamorphic recorders store 16:9 (DV, D1, HDV, DVR
    channels): shown as the photo. Returns the square picture (the anamorphic tests and bench/anamorphic.py)."""
    import av

    im = Image.open(photo).convert("RGB")
    if max(im.size) > 1000:
        im = im.resize((im.width * 1000 // max(im.size), im.height * 1000 // max(im.size)))
    im = im.crop((0, 0, im.width - im.width % 4, im.height - im.height % 2))
    w = round(im.width / sar) // 2 * 2
    with av.open(str(dst), "w") as c:
        s = c.add_stream("libx264", rate=2)
        s.width, s.height, s.pix_fmt = w, im.height, "yuv420p"
        s.codec_context.sample_aspect_ratio = sar
        for _ in range(n):
            for p in s.encode(av.VideoFrame.from_ndarray(np.asarray(im.resize((w, im.height))), format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return im

