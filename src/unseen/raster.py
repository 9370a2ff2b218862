"""The few pixel operations unseen needs, with Pillow and numpy: no OpenCV.

OpenCV was used for five calls (resize, ellipse, Gaussian blur, rectangle) and cost 160-200 MB of the
install (docs/BENCHMARKS.md, "Install"). The replacements were measured against it: detections on
Pillow-resized detector inputs match OpenCV's (4409 boxes on 15 photos: 5 found only with OpenCV, 8
only with Pillow, median IoU of the rest 1.000), and the ellipse here never covers fewer pixels than
OpenCV's filled ellipse did (it covers every pixel the ellipse touches).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter


def resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Bilinear when enlarging (detector inputs), area averaging when shrinking (no aliasing).

    A single plane enlarged exactly 2x (RetinaFace's small-face pass, a channel at a time) takes
    ``doubled``: Pillow's bytes, ~3x faster."""
    h, w = rgb.shape[:2]
    if (w, h) == (width, height):
        return rgb
    if rgb.ndim == 2 and rgb.dtype == np.uint8 and (width, height) == (2 * w, 2 * h):
        return doubled(rgb)
    return np.asarray(_resized(Image.fromarray(np.ascontiguousarray(rgb)), width, height))


def _resized(img: Image.Image, width: int, height: int) -> Image.Image:
    """``resize``'s filter choice on a Pillow image."""
    if img.size == (width, height):
        return img
    method = Image.Resampling.BILINEAR if width >= img.width and height >= img.height else Image.Resampling.BOX
    return img.resize((width, height), method)


# np.rot90's quarter turns (counter-clockwise) as Pillow's transposes.
_TURNS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}


def turned(rgb: np.ndarray, turn: int, size: tuple[int, int] | None = None) -> np.ndarray:
    """``rgb`` (8-bit RGB or one plane) turned by ``turn`` quarter turns counter-clockwise (``np.rot90(rgb,
    turn)``), then resized to ``size`` (width, height of the turned picture) as ``resize`` would: the same bytes,
    contiguous.

    Why Pillow: it turns a picture in its own 4-byte pixels, and the resize follows without going back to
    numpy in between. The self-check's turned passes on a 1024 x 683 photo (turn, shrink to 0.75x): ~7 ms
    instead of ~11 ms with numpy's turn of packed RGB, its copy and a second conversion."""
    turn %= 4
    if not turn:
        out = np.ascontiguousarray(rgb)
        return resize(out, *size) if size else out
    img = Image.fromarray(np.ascontiguousarray(rgb)).transpose(_TURNS[turn])
    return np.asarray(_resized(img, *size) if size else img)


def doubled(plane: np.ndarray) -> np.ndarray:
    """An 8-bit plane enlarged 2x, byte for byte as Pillow's bilinear ``resize`` makes it.

    At exactly 2x Pillow's bilinear weights are 3/4 and 1/4 of the two nearest source pixels (the edge
    pixel alone at the borders), in fixed point with 8-bit rounding after each axis: (3a + b + 2) >> 2,
    columns first, then rows. Its generic resampler costs ~8 ms a 1024 x 704 plane; this ~2.7 ms
    (tests/test_regions.py checks the bytes against Pillow's on random planes of many shapes)."""
    return _doubled_along(_doubled_along(plane.astype(np.uint16), 1), 0).astype(np.uint8)


def _doubled_along(a: np.ndarray, axis: int) -> np.ndarray:
    """``a`` (uint16, values <= 255) enlarged 2x along ``axis``, rounded to whole grey levels."""
    n = a.shape[axis]
    i = np.arange(n)
    before = np.take(a, np.maximum(i - 1, 0), axis=axis)  # the border pixel stands in for its missing neighbour
    after = np.take(a, np.minimum(i + 1, n - 1), axis=axis)
    near = a * np.uint16(3)
    near += np.uint16(2)
    before += near
    before >>= 2  # output 2i: 3/4 of pixel i, 1/4 of pixel i - 1
    after += near
    after >>= 2  # output 2i + 1: 3/4 of pixel i, 1/4 of pixel i + 1
    shape = list(a.shape)
    shape[axis] *= 2
    out = np.empty(shape, np.uint16)
    at = [slice(None)] * a.ndim
    at[axis] = slice(0, None, 2)
    out[tuple(at)] = before
    at[axis] = slice(1, None, 2)
    out[tuple(at)] = after
    return out


def scaled_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """(width, height) of an image resized by ``scale``, rounded, at least 1 px: one rule for every
    caller, so a detector that enlarges a tile itself sees the size the ensemble would have made."""
    return max(1, round(width * scale)), max(1, round(height * scale))


def fit(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Shrink so the longer side is at most ``max_side``; returns the pixels and the scale applied."""
    h, w = rgb.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s >= 1.0:
        return rgb, 1.0
    return resize(rgb, *scaled_size(w, h, s)), s


def ellipse_spans(x1: float, y1: float, x2: float, y2: float, H: int, W: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Rows ``r0 .. r0 + len(left)`` of an ``H`` x ``W`` canvas that the ellipse inscribed in the box
    touches, and on each the columns ``left .. right`` (end excluded; equal when the row is empty).

    The ellipse's extent is taken at the point of each pixel row nearest its centre, so a pixel is
    in when the ellipse reaches into it at all: a sliver more than a rasteriser that samples pixel
    centres, the safe side for a mask. Spans rather than a drawn mask let callers fill or combine
    them with whole-array operations (a video frame's masks are drawn straight onto its planes).
    """
    a, b = (x2 - x1) / 2, (y2 - y1) / 2
    empty = np.zeros(0, int)
    if a <= 0 or b <= 0:
        return 0, empty, empty
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    r0, r1 = max(0, int(np.floor(y1))), min(H, int(np.ceil(y2)))
    if r1 <= r0:
        return 0, empty, empty
    rows = np.arange(r0, r1)
    dy = np.maximum(0.0, np.abs(rows + 0.5 - cy) - 0.5)  # nearest point of each row to the centre
    half = a * np.sqrt(np.clip(1.0 - (dy / b) ** 2, 0.0, 1.0))
    left = np.clip(np.floor(cx - half), 0, W).astype(int)
    right = np.clip(np.ceil(cx + half), 0, W).astype(int)
    return r0, left, np.maximum(left, right)


def spans_mask(left: np.ndarray, right: np.ndarray, c0: int, c1: int) -> np.ndarray:
    """(rows, c1 - c0) boolean mask of the spans ``left .. right`` over columns ``c0 .. c1``."""
    cols = np.arange(c0, c1)
    return (cols >= left[:, None]) & (cols < right[:, None])


def gaussian_blur(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of standard deviation ``sigma`` (Pillow's three-box approximation)."""
    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).filter(ImageFilter.GaussianBlur(sigma)))


def pixelate(rgb: np.ndarray, blocks_x: int, blocks_y: int) -> np.ndarray:
    """Average into ``blocks_x`` x ``blocks_y`` blocks, then enlarge them back without smoothing."""
    h, w = rgb.shape[:2]
    im = Image.fromarray(np.ascontiguousarray(rgb)).resize((blocks_x, blocks_y), Image.Resampling.BOX)
    return np.asarray(im.resize((w, h), Image.Resampling.NEAREST))


def outline(rgb: np.ndarray, x1: int, y1: int, x2: int, y2: int, colour: tuple[int, int, int],
            width: int = 2) -> None:
    """Draw a rectangle outline in place (review page thumbnails)."""
    H, W = rgb.shape[:2]
    x1, x2 = max(0, min(x1, W - 1)), max(0, min(x2, W - 1))
    y1, y2 = max(0, min(y1, H - 1)), max(0, min(y2, H - 1))
    c = np.array(colour, np.uint8)
    rgb[y1 : y1 + width, x1 : x2 + 1] = c
    rgb[max(y1, y2 - width + 1) : y2 + 1, x1 : x2 + 1] = c
    rgb[y1 : y2 + 1, x1 : x1 + width] = c
    rgb[y1 : y2 + 1, max(x1, x2 - width + 1) : x2 + 1] = c


# Transparency. A viewer shows a pixel of colour c and alpha a over its background b as
# (c a + b (255 - a)) / 255, in 8 bits: of c it shows the premultiplied value round(c a / 255) and no
# more. What the input hides under (nearly) transparent pixels is no part of the picture; a face may
# be carried by alpha alone (black colour, alpha = darkness: "Color to Alpha" in an editor).
_ROWS = 256  # rows per step: the uint16 temporaries of a 24 MP picture stay ~12 MB


def _by_rows(rgb: np.ndarray, alpha: np.ndarray, step) -> np.ndarray:
    out = np.empty_like(rgb)
    for y in range(0, rgb.shape[0], _ROWS):
        a = alpha[y : y + _ROWS, :, None].astype(np.uint16)
        out[y : y + _ROWS] = step(rgb[y : y + _ROWS].astype(np.uint16), a)
    return out


def over(rgb: np.ndarray, alpha: np.ndarray, background: int = 0) -> np.ndarray:
    """``rgb`` with ``alpha`` as shown over a plain grey ``background`` (0 black, 255 white)."""
    return _by_rows(rgb, alpha, lambda c, a: (c * a + background * (255 - a) + 127) // 255)


def shown_colour(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The colour under each pixel kept to what a viewer shows of it: round(round(c a / 255) 255 / a),
    0 under alpha 0, exact under 255. Blended over any background it gives the same 8-bit picture,
    while under alpha 1 each channel is 0 or 255: the hidden picture is gone."""
    def step(c: np.ndarray, a: np.ndarray) -> np.ndarray:
        shown = (c * a + 127) // 255
        return np.where(a > 0, np.minimum((shown * 255 + a // 2) // np.maximum(a, 1), 255), 0)

    return _by_rows(rgb, alpha, step)


def views(rgb: np.ndarray, alpha: np.ndarray | None) -> list[np.ndarray]:
    """The pictures a viewer may show of ``rgb`` with ``alpha``, for the detectors: the colour itself
    when opaque; over black when alpha is only 0 or 255 (a cut-out: its seen pixels are the same over
    any background); when anything is partly transparent, over black, the colour kept under the alpha
    (``shown_colour``: what a viewer that drops the alpha shows, a thumbnailer or a converter to JPEG)
    and over white (what shows on one background can vanish on the other). Under alpha 2-8 a face is
    ~1-3% of the blend, found on no background, while the colour kept has 3-9 levels a channel: a face
    anyone could recognise once the alpha was dropped (a hunt, 2026-12-06). Over white stays last
    (``shown``)."""
    if alpha is None or alpha.min(initial=255) == 255:
        return [rgb]
    if not ((alpha > 0) & (alpha < 255)).any():
        return [over(rgb, alpha)]
    return [over(rgb, alpha), shown_colour(rgb, alpha), over(rgb, alpha, 255)]


# A picture of at most FEW_COLOURS colours (1-bit, a 2- or 4-colour GIF) is dithered or posterised: its
# faces are patterns of dots, which the detectors were not trained on and an eye (or a thumbnail) smooths
# into faces. The detectors search such a picture smoothed too (``smoothed``, a Gaussian of SMOOTH px): of the
# 43 labelled faces of dlib's example photos dithered to 1 bit, 2 and 4 colours, 23, 34 and 42 were covered,
# 43, 41 and 43 with the smoothed copy (8 and 16 colours: 43 without it; docs/BENCHMARKS.md, "Dithered and
# posterised photos").
FEW_COLOURS = 4
SMOOTH = 2.0
_SAMPLE = 7  # px between the pixels sampled to count colours (both ways)
_FIRST = 512  # samples counted first


def few_colours(rgb: np.ndarray) -> bool:
    """Does a sample of the picture's pixels hold 2 to FEW_COLOURS colours? (One colour is a flat picture,
    the same smoothed: a cut-out's colour seen over black, for one.)"""
    s = rgb[::_SAMPLE, ::_SAMPLE].reshape(-1, 3).astype(np.uint32)
    packed = (s[:, 0] << 16) | (s[:, 1] << 8) | s[:, 2]
    # A photo shows more than FEW_COLOURS in its first few hundred samples: the same answer without sorting
    # them all (~5 ms a WIDER photo, twice: the self-check)
    if len(np.unique(packed[:_FIRST])) > FEW_COLOURS:
        return False
    return 2 <= len(np.unique(packed)) <= FEW_COLOURS


# A JPEG saved at the lowest qualities (5 or so: a picture passed through a chain of messaging apps, or
# squeezed to a few KB) is a mosaic of 8 x 8 blocks, and faces of 140-230 px in it came out uncovered, found
# on the same picture smoothed (a hunt, 2026-12-05). Such a picture's brightness jumps at the blocks' edges:
# the mean jump between neighbouring pixels on one of the 8 columns (and rows) of the block grid, against
# the other seven, is over BLOCKY both ways. On 101 crowd and portrait photos as found, the most was 1.87;
# at quality 15 and 10 the medians were 2.2 and 2.6, at quality 5 4.0 (the four reproducers: 3.8-9.5); a
# night shot (darkened, grainy, quality 50) reached 3.0 (docs/BENCHMARKS.md, "Blocky JPEGs").
BLOCKY = 3.2
_BLOCK = 8
_LINES = 96  # lines read each way, evenly spaced: the grid is in every line (all of a 12 MP photo's: 0.4 s)


def blocky(rgb: np.ndarray) -> bool:
    """Is the picture a mosaic of JPEG blocks (its brightness jumps on an 8-pixel grid, both ways)?"""
    h, w = rgb.shape[:2]
    for picture in (rgb[:: max(1, h // _LINES)], rgb[:, :: max(1, w // _LINES)].swapaxes(0, 1)):
        if picture.shape[1] < 4 * _BLOCK:
            return False
        y = picture.astype(np.int16).sum(-1)
        jumps = np.abs(np.diff(y, axis=1)).mean(0)
        n = len(jumps) // _BLOCK * _BLOCK
        by_offset = jumps[:n].reshape(-1, _BLOCK).mean(0)
        k = int(by_offset.argmax())
        rest = (by_offset.sum() - by_offset[k]) / (_BLOCK - 1)
        if by_offset[k] <= BLOCKY * max(rest, 1e-6):
            return False
    return True


def smoothed(rgb: np.ndarray) -> np.ndarray:
    """The picture as an eye sees dots from a distance: blurred by SMOOTH px."""
    return gaussian_blur(rgb, SMOOTH)


# Haze and smoke (fog, tear gas) lift a picture's dark tones and squeeze its contrast: under 80-90% of a
# light grey, faces of 35-96 px still recognisable by eye scored just under the detectors' threshold
# (a hunt, 2026-12-05), and came out uncovered. Such a picture is searched again with its contrast
# stretched block by block (``stretched``). Of the blocks with any detail (spanning over 8 levels of
# luminance, 1st to 99th percentile), a picture is hazy when HAZE_SHARE have their darkest tones lifted to
# HAZE_FLOOR or more and span under HAZE_SPAN levels (a portrait on white has its detail, the face, dark;
# a dark stage under 90% haze has little detail left, all of it lifted), and at least _DETAIL of its
# blocks have detail. The picture is cut into _HAZE_BLOCKS blocks along its long side, measured on a copy
# _HAZE_SIDE px long. On 28 crowd photos under 70-90% of a light grey every one is hazy, under patches of
# tear gas 27; of the 100 ordinary photos the benches calibrate on none is, nor of 229 more (plates,
# photoprism, deepface: a first rule, 40% of all blocks lifted, took 9 portraits on white, and a search
# stretched changed 23% of one); the test costs ~2.4 ms a WIDER FACE photo (docs/BENCHMARKS.md, "Haze and
# smoke").
# A picture held dark (under-exposed at night, or darkened on purpose) is the same squeeze from below: the
# group photo of tests/test_photo.py scaled into levels 0-5 or 0-7 shows nothing on a screen, yet a levels
# stretch brings back every face, and none was covered (a hunt, 2026-12-06). Dark: of the blocks with any
# detail (1st to 99th percentile over DARK_DETAIL levels), DARK_SHARE have their 99th percentile at
# DARK_CEIL or under. The group photo in levels 0-3 up to 0-20 is dark; none of 332 ordinary photos is (the
# 100 the benches calibrate on, the plate photos, photoprism, deepface, WIDER FACE; the nearest, a deepface
# portrait, 0.43; docs/BENCHMARKS.md, "Haze and smoke").
DARK_CEIL = 16.0
DARK_DETAIL = 2.0
DARK_SHARE = 0.6
HAZE_FLOOR = 130.0
HAZE_SPAN = 90.0
HAZE_SHARE = 0.6
_DETAIL = 0.05
STRETCH_MIN_SPAN = 32.0  # levels: a block that spans less is stretched as if it spanned this (noise)
_HAZE_BLOCKS = 16
_HAZE_SIDE = 384


def _block_tones(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each block's 1st and 99th luminance percentiles, on a grid of _HAZE_BLOCKS along the long side
    (the picture's last rows and columns that do not fill a block are left out)."""
    grey = Image.fromarray(np.ascontiguousarray(rgb[..., :3])).convert("L")  # ITU-R 601 luma, in C
    k = min(1.0, _HAZE_SIDE / max(grey.size))
    if k < 1.0:
        grey = grey.resize(scaled_size(grey.width, grey.height, k), Image.Resampling.BOX)
    lum = np.asarray(grey)
    h, w = lum.shape
    side = max(1, round(max(h, w) / _HAZE_BLOCKS))
    gy, gx = max(1, h // side), max(1, w // side)
    by, bx = min(side, h), min(side, w)
    blocks = lum[: gy * by, : gx * bx].reshape(gy, by, gx, bx).swapaxes(1, 2).reshape(gy, gx, by * bx)
    n = by * bx
    low, high = (n - 1) // 100, (99 * (n - 1)) // 100  # the 1st and 99th percentiles, nearest below
    ordered = np.partition(blocks, (low, high), axis=-1)
    return ordered[..., low].astype(np.float32), ordered[..., high].astype(np.float32)


def hazy(rgb: np.ndarray) -> bool:
    """Are the dark tones of HAZE_SHARE of the picture's detail lifted and squeezed, as haze or smoke
    leaves them?"""
    return min(rgb.shape[:2]) >= 32 and _hazy(*_block_tones(rgb))


def squeezed(rgb: np.ndarray) -> bool:
    """Is the picture's detail squeezed into a few levels, lifted (``hazy``) or held down (DARK_CEIL):
    searched again ``stretched``. One measure of the blocks for both tests."""
    if min(rgb.shape[:2]) < 32:
        return False
    lo, hi = _block_tones(rgb)
    return _hazy(lo, hi) or _dark(lo, hi)


def _hazy(lo: np.ndarray, hi: np.ndarray) -> bool:
    span = hi - lo
    detail = span > 8
    if detail.mean() < _DETAIL:
        return False
    return float(((lo >= HAZE_FLOOR) & (span < HAZE_SPAN))[detail].mean()) >= HAZE_SHARE


def _dark(lo: np.ndarray, hi: np.ndarray) -> bool:
    """Are DARK_SHARE of the blocks with any detail (DARK_DETAIL levels) no brighter than DARK_CEIL?"""
    detail = hi - lo >= DARK_DETAIL
    return bool(detail.any()) and float((hi[detail] <= DARK_CEIL).mean()) >= DARK_SHARE


def stretched(rgb: np.ndarray) -> np.ndarray:
    """The picture with each block's tones stretched to the full range (its 1st and 99th percentiles
    to 0 and 255, the limits blended between blocks), the same gain on the three channels."""
    h, w = rgb.shape[:2]
    lo, hi = _block_tones(rgb)
    low, high = (np.asarray(Image.fromarray(g).resize((w, h), Image.Resampling.BILINEAR)) for g in (lo, hi))
    out = np.empty_like(rgb)
    for y in range(0, h, _ROWS):  # a row band at a time: a 24 MP picture's float temporaries stay small
        lo_b, hi_b = low[y:y + _ROWS], high[y:y + _ROWS]
        span = np.maximum(hi_b - lo_b, STRETCH_MIN_SPAN)
        base, gain = (hi_b + lo_b - span) / 2, 255.0 / span
        for c in range(3):
            out[y:y + _ROWS, :, c] = ((rgb[y:y + _ROWS, :, c] - base) * gain).clip(0, 255)
    return out


def shown(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """The one picture to show a person (the review page): the last of ``views``, over white when
    anything is partly transparent (a face carried by alpha alone shows there)."""
    return views(rgb, alpha)[-1]
