"""Masking styles as pure functions: ``(pixels, regions, style) -> new pixels``.

``fill`` and ``noise`` replace the head with content that carries no information about it, so
nothing can be recovered. ``pixelate`` and ``blur`` keep a low-resolution trace of the face that
deep models can partly reverse or match; they are offered for editorial needs, with a warning, and
their strength comes from the re-identification benchmark (docs/BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kinds, raster
from .regions import Regions

STYLES = ("fill", "noise", "pixelate", "blur")
SHAPES = ("ellipse", "box")
REVERSIBLE_STYLES = ("pixelate", "blur")
REVERSIBLE_WARNING = (
    "style '{style}' can be partly reversed: it keeps a degraded trace of each face that deep models can "
    "sharpen or match, and of each plate and text it covers, whose letters (a few dozen shapes in a known "
    "typeface) are easier still to guess back. At unseen's strength a face recognizer matched "
    "none of 131 test faces (docs/BENCHMARKS.md), but it re-identified 30-75% at weaker pixelate or blur "
    "and stronger attacks exist; use 'fill' or 'noise' when identification would put someone at risk"
)

# Strength of the reversible styles, relative to each mask's size. Set from bench/reid.py:
# pixelate keeps at most this many blocks across a head; blur's sigma is this fraction of it.
PIXELATE_BLOCKS = 8  # 10 is the weakest at chance with 0 matches; one step stronger
BLUR_SIGMA_FRACTION = 0.25  # 0.18 is the weakest at chance with 0 matches; one step stronger


@dataclass(frozen=True)
class MaskSpec:
    style: str = "fill"
    shape: str = "ellipse"
    # Mid grey: clearly visible as a mask in dark scenes too (black vanishes into shadows, and a
    # reviewer must see what was covered), and far from most skin and hair colours.
    color: tuple[int, int, int] = (128, 128, 128)

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}; choose one of {', '.join(STYLES)}")
        if self.shape not in SHAPES:
            raise ValueError(f"unknown shape {self.shape!r}; choose one of {', '.join(SHAPES)}")


def region_mask(shape: tuple[int, int], kind: str) -> np.ndarray:
    """Boolean mask of one region inside its own bounding box (``kind``: ellipse or box)."""
    left, right = _spans(shape, kind)
    return raster.spans_mask(left, right, 0, shape[1])


Edges = tuple[bool, bool, bool, bool]
NO_EDGES: Edges = (False, False, False, False)


def _spans(shape: tuple[int, int], kind: str, edges: Edges = NO_EDGES,
           whole: tuple[float, float, float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's covered columns [left, right) of one region inside its own bounding box.

    ``whole`` is the region's box before it was clipped to the picture, in the clipped box's own
    coordinates (default: the clipped box itself): its ellipse is drawn, the part inside the picture.

    ``edges`` (left, top, right, bottom) says which sides of the box lie on the picture's border,
    where the face was cut (``Regions.to_draw``). An ellipse there is filled out to that border from
    its middle: a face the border cuts continues past it, so its widest part can be at the border,
    where the ellipse inscribed in what is left of the box narrows to a point. Drawn that way, a half
    face at the edge of a photo kept its lips, chin or an eye in the corners between ellipse and
    border. The half box on the border's side holds the inscribed ellipse of any larger box the
    clipped one was cut from, so nothing of the ellipse the face would have had inside the picture is
    left out.
    """
    h, w = shape
    if kind == "box":
        return np.zeros(h, int), np.full(h, w)
    x1, y1, x2, y2 = (0.0, 0.0, float(w), float(h)) if whole is None else whole
    r0, inside_left, inside_right = raster.ellipse_spans(x1, y1, x2, y2, h, w)
    left, right = np.zeros(h, int), np.zeros(h, int)
    left[r0 : r0 + len(inside_left)], right[r0 : r0 + len(inside_right)] = inside_left, inside_right
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2  # the ellipse's middle, inside the picture or not
    at_left, at_top, at_right, at_bottom = edges
    if at_top:
        top = min(h, max(0, int(np.ceil(cy))))
        left[:top], right[:top] = 0, w
    if at_bottom:
        bottom = min(h, max(0, int(np.floor(cy))))
        left[bottom:], right[bottom:] = 0, w
    if at_left:
        left, right = np.zeros_like(left), np.maximum(right, min(w, max(0, int(np.ceil(cx)))))
    if at_right:
        left, right = np.minimum(left, min(w, max(0, int(np.floor(cx))))), np.full_like(right, w)
    return left, right


Drawn = tuple[int, int, int, int, str, Edges, tuple[float, float, float, float]]


def _pixel_boxes(regions: Regions, width: int, height: int) -> list[Drawn]:
    """Integer boxes (x1, y1, x2, y2) inside the image, with the shape each kind is masked with,
    which of the box's sides lie on the image's border and the whole box in the integer box's
    coordinates (``_spans``). A side past the border is clipped there but keeps its ellipse's
    shape; a side on it is a cut, filled out to it."""
    out = []
    for box, kind in zip(regions.boxes.tolist(), regions.kinds.tolist(), strict=True):
        x1, y1 = int(np.floor(max(box[0], 0))), int(np.floor(max(box[1], 0)))
        x2, y2 = int(np.ceil(min(box[2], width))), int(np.ceil(min(box[3], height)))
        if x2 > x1 and y2 > y1:
            edges = (x1 == 0 and box[0] >= 0, y1 == 0 and box[1] >= 0, x2 == width and box[2] <= width,
                     y2 == height and box[3] <= height)
            whole = (min(box[0], 0.0), min(box[1], 0.0), box[2] - x1 if box[2] > width else float(x2 - x1),
                     box[3] - y1 if box[3] > height else float(y2 - y1))
            out.append((x1, y1, x2, y2, kinds.get(kind).shape or "", edges, whole))
    return out


def coverage(regions: Regions, width: int, height: int, spec_shape: str = "ellipse") -> np.ndarray:
    """The (H, W) boolean mask of every pixel the regions cover, drawn once on one canvas.

    Cost grows with the pixels covered, not with regions x image size, so a crowd of thousands of
    boxes (or a hostile request with as many) stays cheap.
    """
    canvas = np.zeros((height, width), np.uint8)
    for x1, y1, x2, y2, shape, edges, whole in _pixel_boxes(regions, width, height):
        if (shape or spec_shape) == "box":
            canvas[y1:y2, x1:x2] = 1
        else:
            left, right = _spans((y2 - y1, x2 - x1), "ellipse", edges, whole)
            np.copyto(canvas[y1:y2, x1:x2], 1, where=raster.spans_mask(left, right, 0, x2 - x1))
    return canvas.astype(bool)


def apply(pixels: np.ndarray, regions: Regions, spec: MaskSpec, rng: np.random.Generator | None = None) -> np.ndarray:
    """Return a copy of ``pixels`` (H, W, 3 uint8) with every region covered.

    Regions must already be padded (``Regions.to_draw``; ``Regions.padded``'s clipped boxes are
    filled out to every border they reach). Each kind's shape comes from
    ``kinds.KINDS`` (boxes a person drew, plates and text are rectangles); faces take ``spec.shape``.
    """
    out = pixels.copy()
    if len(regions) == 0:
        return out
    H, W = out.shape[:2]
    if spec.style in ("fill", "noise"):  # content not derived from the pixels: one pass over one mask
        m = coverage(regions, W, H, spec.shape)
        if spec.style == "fill":
            out[m] = np.array(spec.color, np.uint8)
        else:  # seeded from OS entropy: nothing to do with the image (numpy.random loads only here)
            rng = rng or np.random.default_rng()
            out[m] = rng.integers(0, 256, size=(int(m.sum()), out.shape[2]), dtype=np.uint8)
        return out
    for x1, y1, x2, y2, shape, edges, whole in _pixel_boxes(regions, W, H):  # from each region's own pixels
        patch = out[y1:y2, x1:x2]
        if (shape or spec.shape) == "box":
            patch[:] = _cover(patch, spec)
        else:
            left, right = _spans((y2 - y1, x2 - x1), "ellipse", edges, whole)
            m = raster.spans_mask(left, right, 0, x2 - x1)
            patch[m] = _cover(patch, spec)[m]
    return out


def fill_yuv420p(planes: np.ndarray, regions: Regions, spec: MaskSpec, full_range: bool) -> bool:
    """Fill every region on decoded yuv420p ``planes`` ((H * 3/2, W), as PyAV lays them out), in
    place; False (planes untouched) when ``spec`` cannot be drawn there: only a grey fill can, its
    chroma being neutral in every colour matrix (BT.601 or BT.709 alike).

    Why: a video frame with a mask used to be converted to RGB, masked and converted back before
    encoding (~21 ms per 1080p frame; this takes a few ms, growing with the area covered), and the
    rest of the frame now stays the decoded picture bit for bit. A chroma sample is filled when any
    of the four luma pixels it spans is covered, so no colour of a covered face survives at the
    ellipse's edge (the price: a 1-pixel grey-tinted fringe just outside it).
    """
    r, g, b = spec.color
    rows, width = planes.shape
    height = rows * 2 // 3
    if spec.style != "fill" or not r == g == b or height % 2 or width % 2 or rows != height * 3 // 2:
        return False
    luma = r if full_range else round(16 + r * 219 / 255)
    flat = planes.reshape(-1)
    quarter = height * width // 4  # samples in each chroma plane, (H/2) x (W/2)
    y = flat[: height * width].reshape(height, width)
    u = flat[height * width : height * width + quarter].reshape(height // 2, width // 2)
    v = flat[height * width + quarter :].reshape(height // 2, width // 2)
    for x1, y1, x2, y2, shape, edges, whole in _pixel_boxes(regions, width, height):
        left, right = _spans((y2 - y1, x2 - x1), shape or spec.shape, edges, whole)
        np.copyto(y[y1:y2, x1:x2], luma, where=raster.spans_mask(left, right, 0, x2 - x1))
        # The chroma grid: sample (j, i) spans luma rows 2j, 2j + 1 and columns 2i, 2i + 1, and is
        # filled when either row's span reaches one of those columns ([L, R) -> [L // 2, ceil(R / 2))).
        cy0, cy1, cx0, cx1 = y1 // 2, (y2 + 1) // 2, x1 // 2, (x2 + 1) // 2
        lo = np.zeros(2 * (cy1 - cy0), int)
        hi = np.zeros(2 * (cy1 - cy0), int)
        lo[y1 - 2 * cy0 : y2 - 2 * cy0] = (left + x1) // 2
        hi[y1 - 2 * cy0 : y2 - 2 * cy0] = np.where(right > left, (right + x1 + 1) // 2, (left + x1) // 2)
        c = raster.spans_mask(lo[0::2], hi[0::2], cx0, cx1) | raster.spans_mask(lo[1::2], hi[1::2], cx0, cx1)
        np.copyto(u[cy0:cy1, cx0:cx1], 128, where=c)
        np.copyto(v[cy0:cy1, cx0:cx1], 128, where=c)
    return True


def cost(regions: Regions, spec: MaskSpec, width: int, height: int) -> float:
    """Work ``apply`` does, in image-sized units: 1 for fill and noise (one pass over one mask),
    the summed area of the regions over the image's for pixelate and blur (each region is
    recomputed from its own pixels). Callers that take regions from outside cap it."""
    if spec.style in ("fill", "noise") or len(regions) == 0:
        return 1.0
    return float(regions.clipped(width, height).areas.sum()) / max(1, width * height)


def _cover(patch: np.ndarray, spec: MaskSpec) -> np.ndarray:
    h, w = patch.shape[:2]
    if spec.style == "pixelate":
        return raster.pixelate(patch, max(1, min(PIXELATE_BLOCKS, w)), max(1, min(PIXELATE_BLOCKS, h)))
    return raster.gaussian_blur(patch, max(1.0, BLUR_SIGMA_FRACTION * max(h, w)))
