"""Where text is in a picture: PaddleOCR's PP-OCRv6 small DB detector, with numpy post-processing.

Why this model: no dedicated licence-plate detector could be shipped (the ones with weights are
Ultralytics/AGPL, download at run time, or carry no clear licence; docs/BENCHMARKS.md, "Plates and text"),
and a plate is text. PP-OCRv6's detector finds plates down to ~8 px tall (0.97 of them at 8 px, all at
12 px, with its input normalised as PaddleOCR trained it: ``MEAN``, ``STD``; PP-OCRv4's found 0.60 at
12 px). It also fires on texture (suits, lawns, frames), which the box rule in ``detect/plates.py``
filters with the recogniser.

The DB post-processing mirrors PaddleOCR's (``DBPostProcess``, score mode "fast") without OpenCV,
pyclipper or shapely: binarise the probability map, dilate 2x2, label 8-connected components by
horizontal runs, take each component's minimum-area rectangle (convex hull + rotating calipers),
score it by the mean probability inside, and "unclip" it by growing the rectangle by
``area * ratio / perimeter`` on every side (the minimum-area rectangle of pyclipper's round offset
of a rectangle). Checked against RapidOCR's OpenCV version on the same maps: same box counts, union
IoU >= 0.94 (one-pixel rounding on small boxes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from .. import interrupt, raster
from ..regions import box_iou
from .onnx_session import session
from .tiling import split, tiles
from .weights import text_det_onnx


@dataclass(frozen=True)
class DBParams:
    """DB thresholds. PaddleOCR's defaults are 0.3 / 0.6 / 1.5 (RapidOCR 0.3 / 0.5 / 1.6); a lower box
    threshold and a larger unclip keep small and faint plates (108/108 on the plate set, 1.00 at 12 px)
    and grow each box to the plate's edge, at the price of more texture boxes for the rule to judge."""

    thresh: float = 0.3  # pixel probability that counts as text
    box_thresh: float = 0.3  # mean probability inside a box to keep it
    unclip: float = 2.0
    min_size: float = 3.0  # boxes thinner than this (detector px) are noise
    max_candidates: int = 1000


DEFAULT = DBParams()


def _session():
    return session('text_det', text_det_onnx)


# The detector's input normalisation, as PaddleOCR trains and exports it (the model's inference.yml:
# DecodeImage in BGR, then NormalizeImage with ImageNet's mean and std taken in the order listed, so the first,
# blue, plane gets 0.485 / 0.229). RapidOCR feeds (x / 255 - 0.5) / 0.5 instead, which unseen copied until
# 2026-12-04: on the plate set resampled to each plate height that lost small plates (12 px: 0.93 against
# 1.00, 6 px: 0.63 against 0.84; docs/BENCHMARKS.md, "Plates and text: the detector's input normalisation").
MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255  # per plane of the BGR input
STD = np.array([0.229, 0.224, 0.225], np.float32) * 255


def network_input(rgb: np.ndarray) -> np.ndarray:
    """The detector's input for an RGB image: BGR planes normalised as PaddleOCR trained it (MEAN, STD),
    padded to 32 px with black, which is no text."""
    h, w = rgb.shape[:2]
    ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
    x = np.empty((1, 3, ph, pw), np.float32)
    x[0] = (-MEAN / STD)[:, None, None]  # black, normalised
    v = x[0, :, :h, :w]  # planes transposed while uint8, then scaled in place: ~5x cheaper, same values
    v[...] = np.ascontiguousarray(rgb[..., ::-1].transpose(2, 0, 1))
    v -= MEAN[:, None, None]
    v /= STD[:, None, None]
    return x


def probability(rgb: np.ndarray) -> np.ndarray:
    """The text probability map (H, W) of an RGB image at its own resolution (padded to 32 px)."""
    h, w = rgb.shape[:2]
    sess = _session()
    out = sess.run(None, {sess.get_inputs()[0].name: network_input(rgb)})[0]
    return out[0, 0, :h, :w]


def detect(rgb: np.ndarray, params: DBParams = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """Text quads ``(N, 4, 2)`` (tl, tr, br, bl, in ``rgb``'s pixels) and their scores ``(N,)``.

    A picture of one colour holds no text, so the network is not run on it, and a box that covers one
    colour only is dropped. Why: on a flat saturated colour (a blue or red fill; black, white and grey
    do not do it) the detector's map is high everywhere and it returned the whole tile as one text box
    (score 0.92), unreadable, which the plate pass then searched inside tile by tile: one flat 8K
    picture cost 62 s of CPU in the plate pass, a real 8K photo ~12 s (docs/BENCHMARKS.md, "Plates and
    text: flat colours")."""
    empty = np.zeros((0, 4, 2), np.float32), np.zeros(0, np.float32)
    if rgb.size == 0 or one_colour(rgb):
        return empty
    quads, scores = boxes_from_map(probability(rgb), params)
    if not len(quads):
        return quads, scores
    h, w = rgb.shape[:2]
    keep = np.ones(len(quads), bool)
    for i, (x0, y0, x1, y1) in enumerate(quad_boxes(quads)):
        x0, y0, x1, y1 = max(0, int(x0)), max(0, int(y0)), min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1)))
        keep[i] = x1 <= x0 or y1 <= y0 or not one_colour(rgb[y0:y1, x0:x1])
    return quads[keep], scores[keep]


def one_colour(rgb: np.ndarray) -> bool:
    """Every pixel the same (a few ms on a 1536 px tile, against ~0.7 s for the network)."""
    flat = rgb.reshape(-1, rgb.shape[-1]) if rgb.ndim == 3 else rgb.reshape(-1)
    return bool((flat == flat[0]).all())


# -- DB post-processing -------------------------------------------------------------------------------
def label_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """8-connected components of a boolean mask, by horizontal runs (vectorised union-find).

    Returns ``(row, start, end_exclusive, label)`` per run, labels ``0..n-1``. A text map has few
    runs compared with its pixels, so this is fast without SciPy or OpenCV.
    """
    h, w = mask.shape
    pad = np.zeros((h, w + 2), np.int8)
    pad[:, 1:-1] = mask
    d = np.diff(pad, axis=1)
    sr, sc = np.nonzero(d == 1)
    er, ec = np.nonzero(d == -1)
    n = sr.size
    if n == 0:
        z = np.zeros(0, np.int64)
        return z, z, z, z
    big = w + 4
    ks = sr.astype(np.int64) * big + sc  # run starts, row-major sorted
    ke = er.astype(np.int64) * big + ec  # run ends, sorted
    # run i (row r, [s, e)) touches run j of row r + 1 (8-connected) iff s_j <= e_i and e_j >= s_i
    nxt = (sr.astype(np.int64) + 1) * big
    lo = np.searchsorted(ke, nxt + sc, side="left")
    hi = np.searchsorted(ks, nxt + ec, side="right")
    cnt = np.maximum(hi - lo, 0)
    a = np.repeat(np.arange(n), cnt)
    lab = np.arange(n)
    if a.size:
        b = np.repeat(lo, cnt) + (np.arange(a.size) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        while True:
            old = lab.copy()
            m = np.minimum(lab[a], lab[b])
            np.minimum.at(lab, a, m)
            np.minimum.at(lab, b, m)
            while True:  # pointer jumping
                nl = lab[lab]
                if np.array_equal(nl, lab):
                    break
                lab = nl
            if np.array_equal(lab, old):
                break
    _, lab = np.unique(lab, return_inverse=True)
    return sr, sc, ec, lab


def _convex_hull(pts: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain; returns the hull counter-clockwise."""
    pts = np.unique(pts, axis=0)
    if len(pts) <= 2:
        return pts

    def half(points: list) -> list:
        out: list = []
        for p in points:
            while len(out) >= 2:
                (x1, y1), (x2, y2) = out[-2], out[-1]
                if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) > 0:
                    break
                out.pop()
            out.append((p[0], p[1]))
        return out

    pl = pts.tolist()
    lower, upper = half(pl), half(pl[::-1])
    return np.array(lower[:-1] + upper[:-1], dtype=np.float64)


def min_area_rect(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Minimum-area rectangle of points: centre, unit axis u, size along u, size across."""
    hull = _convex_hull(pts)
    if len(hull) == 1:
        return hull[0], np.array([1.0, 0.0]), 0.0, 0.0
    if len(hull) == 2:
        e = hull[1] - hull[0]
        ln = float(np.hypot(*e))
        return (hull[0] + hull[1]) / 2, e / ln, ln, 0.0
    e = np.roll(hull, -1, axis=0) - hull
    ln = np.hypot(e[:, 0], e[:, 1])
    u = e[ln > 0] / ln[ln > 0, None]
    v = np.stack([-u[:, 1], u[:, 0]], 1)
    pu, pv = hull @ u.T, hull @ v.T
    wu, hv = pu.max(0) - pu.min(0), pv.max(0) - pv.min(0)
    k = int(np.argmin(wu * hv))
    c = (pu[:, k].max() + pu[:, k].min()) / 2 * u[k] + (pv[:, k].max() + pv[:, k].min()) / 2 * v[k]
    return c, u[k], float(wu[k]), float(hv[k])


def rect_quad(c: np.ndarray, u: np.ndarray, w: float, h: float) -> np.ndarray:
    """The rectangle's corners ordered tl, tr, br, bl (RapidOCR's ``order_points_clockwise`` rule)."""
    v = np.array([-u[1], u[0]])
    pts = np.array([c - w / 2 * u - h / 2 * v, c + w / 2 * u - h / 2 * v,
                    c + w / 2 * u + h / 2 * v, c - w / 2 * u + h / 2 * v])
    xs = pts[np.argsort(pts[:, 0], kind="stable")]
    tl, bl = xs[:2][np.argsort(xs[:2, 1], kind="stable")]
    tr, br = xs[2:][np.argsort(xs[2:, 1], kind="stable")]
    return np.array([tl, tr, br, bl], dtype=np.float64)


def _quad_mean(prob: np.ndarray, quad: np.ndarray) -> float:
    """Mean probability over the pixels whose centres lie in the convex quad (half-pixel tolerance)."""
    hgt, wid = prob.shape
    x0 = int(np.clip(np.floor(quad[:, 0].min()), 0, wid - 1))
    x1 = int(np.clip(np.ceil(quad[:, 0].max()), 0, wid - 1))
    y0 = int(np.clip(np.floor(quad[:, 1].min()), 0, hgt - 1))
    y1 = int(np.clip(np.ceil(quad[:, 1].max()), 0, hgt - 1))
    ys, xs = np.mgrid[y0 : y1 + 1, x0 : x1 + 1]
    inside = np.ones(ys.shape, bool)
    area2 = sum(quad[i, 0] * quad[(i + 1) % 4, 1] - quad[(i + 1) % 4, 0] * quad[i, 1] for i in range(4))
    sign = 1.0 if area2 >= 0 else -1.0
    for i in range(4):
        (ax, ay), (bx, by) = quad[i], quad[(i + 1) % 4]
        inside &= sign * ((bx - ax) * (ys - ay) - (by - ay) * (xs - ax)) >= -0.5 * np.hypot(bx - ax, by - ay)
    sub = prob[y0 : y1 + 1, x0 : x1 + 1]
    return float(sub[inside].mean() if inside.any() else sub.mean())


def boxes_from_map(prob: np.ndarray, p: DBParams = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """DB post-processing of one probability map: quads ``(N, 4, 2)`` in map pixels, scores ``(N,)``."""
    mask = prob > p.thresh
    grown = mask.copy()  # 2x2 dilation, anchored like cv2.dilate's: grows right and down
    grown[1:, :] |= mask[:-1, :]
    grown[:, 1:] |= mask[:, :-1]
    grown[1:, 1:] |= mask[:-1, :-1]
    rows, s, e, lab = label_runs(grown)
    empty = (np.zeros((0, 4, 2), np.float32), np.zeros(0, np.float32))
    if lab.size == 0:
        return empty
    n = int(lab.max()) + 1
    bx0, by0 = np.full(n, 1 << 30), np.full(n, 1 << 30)
    bx1, by1 = np.zeros(n, np.int64), np.zeros(n, np.int64)
    np.minimum.at(bx0, lab, s)
    np.maximum.at(bx1, lab, e - 1)
    np.minimum.at(by0, lab, rows)
    np.maximum.at(by1, lab, rows)
    order = np.argsort(lab, kind="stable")
    starts = np.searchsorted(lab[order], np.arange(n + 1))
    quads, scores = [], []
    for ci in range(min(n, p.max_candidates)):
        if (bx1[ci] - bx0[ci] + 1) * (by1[ci] - by0[ci] + 1) < p.min_size**2:
            continue  # its rectangle's short side cannot reach min_size
        idx = order[starts[ci] : starts[ci + 1]]
        pts = np.concatenate([np.stack([s[idx], rows[idx]], 1), np.stack([e[idx] - 1, rows[idx]], 1)])
        c, u, w, h = min_area_rect(pts.astype(np.float64))
        if min(w, h) < p.min_size:
            continue
        score = _quad_mean(prob, rect_quad(c, u, w, h))
        if score < p.box_thresh:
            continue
        d = w * h * p.unclip / (2 * (w + h))
        if min(w, h) + 2 * d < p.min_size + 2:
            continue
        quads.append(rect_quad(c, u, w + 2 * d, h + 2 * d))
        scores.append(score)
    if not quads:
        return empty
    return np.array(quads, np.float32), np.array(scores, np.float32)


# -- whole images -------------------------------------------------------------------------------------
# Tiles bound memory (a 13 MP photo in one piece peaked at 5.4 GB; a 1536 px tile at 0.57 GB, 1280 px
# at 0.50 GB) and add little work: the fewest equal tiles, so a 4352 px side is 4 tiles of 1328 px.
TILE = 1536
OVERLAP = 320  # px: text up to this wide (plates up to ~68 px tall) is whole in some tile
OVERVIEW = 1024  # px, longer side of the whole-image pass for text wider than the overlap
# Video caps each run's pixels further (``strip_pixels``), because its text pass runs beside a face
# pass: a tile above the cap is cut into full-width strips, so lines of text are cut across their
# height only, and any line up to LINE_OVERLAP px tall is whole in one strip. A 1280 x 720 frame
# becomes two 1280 x 416 strips: the pass's working memory falls from ~166 to ~96 MiB for ~20% more
# of its CPU, overview included (docs/BENCHMARKS.md, "Video: memory"). Taller text (a plate a sixth
# of the frame's height) is found by a small overview pass at STRIP_OVERVIEW px, still >= 34 px tall.
LINE_OVERLAP = 112
STRIP_OVERVIEW = 384
# Keep the strip overview's boxes only where no strip held the text whole (``within``)? Measured, not taken
# (2026-12-04): on 12 of facenet's 1080p frames the plate pass's CPU 7.2 -> 6.0 s, but on the plate set placed
# in 1280 x 720 frames (bench/plate_strips.py) 1-6 of 108 plates at 12, 24, 48 and 200 px were lost: the
# overview's large regions around a photo were searched again inside (``TextBoxes.inside``), which found those
# plates where the strips alone did not (docs/BENCHMARKS.md, "Plates and text: video's plate pass in strips").
OVERVIEW_CUT_ONLY = False


def strips(height: int, width: int, max_pixels: int) -> list[tuple[int, int]]:
    """``(start, size)`` of the fewest full-width strips of ``height`` rows, overlapping by
    LINE_OVERLAP, with at most ``max_pixels`` each. A cap that only strips under twice the overlap
    could meet stops there: such strips would be mostly overlap (and their size never reaches it)."""
    n = 1
    while split(height, n, LINE_OVERLAP)[0][1] * width > max_pixels:
        if split(height, n + 1, LINE_OVERLAP)[0][1] < 2 * LINE_OVERLAP:
            break
        n += 1
    return split(height, n, LINE_OVERLAP)


def layout(height: int, width: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Row and column tiles of the text pass: square, at most TILE a side, overlapping by OVERLAP.
    Tiles capped by area instead (TILE x TILE pixels, the fewest pixels in all) would send 4-10% fewer
    pixels through the detector, but in their larger tiles small plates merged into larger text regions
    more often, and were lost (docs/BENCHMARKS.md, "Plates and text: tiles by area, measured, not taken")."""
    return tiles(height, TILE, OVERLAP), tiles(width, TILE, OVERLAP)


def find(rgb: np.ndarray, scale: float = 1.0, params: DBParams = DEFAULT,
         strip_pixels: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Text quads and scores in ``rgb``'s pixels, detected at ``scale`` in tiles, plus an overview pass
    at OVERVIEW px when the picture needs more than one tile (text wider than the overlap is cut by
    the tiles; text that large is easy to find at a small size). ``strip_pixels`` > 0 cuts each tile
    larger than that into strips (``strips``), with an overview at STRIP_OVERVIEW px."""
    h, w = rgb.shape[:2]
    small = rgb if scale == 1.0 else raster.resize(rgb, max(1, round(w * scale)), max(1, round(h * scale)))
    sh, sw = small.shape[:2]
    quads, scores = [], []
    windows: list[tuple[int, int, int, int]] = []  # x0, y0, x1, y1 of each strip run (``small``'s pixels)
    rows, cols = layout(sh, sw)
    for y0, th in rows:
        for x0, tw in cols:
            parts = strips(th, tw, strip_pixels) if strip_pixels else [(0, th)]
            for dy, rh in parts:
                interrupt.check()  # a big photo's strips: stop at the next one once interrupted
                crop = small[y0 + dy : y0 + dy + rh, x0 : x0 + tw]
                q, sc = detect(np.ascontiguousarray(crop), params)
                quads.append(q + np.array([x0, y0 + dy], np.float32))
                scores.append(sc)
                if len(parts) > 1:
                    windows.append((x0, y0 + dy, x0 + tw, y0 + dy + rh))
    overview = OVERVIEW if len(rows) * len(cols) > 1 else STRIP_OVERVIEW if windows else 0
    if overview:
        over, f = raster.fit(rgb, overview)
        q, sc = detect(over, params)
        q = q * (scale / f)
        if OVERVIEW_CUT_ONLY and windows and len(rows) * len(cols) == 1:
            whole = ~within(quad_boxes(q), windows, (sw, sh), scale / f)
            q, sc = q[whole], sc[whole]
        quads.append(q)
        scores.append(sc)
    if len(quads) > 1:
        keep = unique(quads, overview=bool(overview))
        quads = [np.concatenate(quads)[keep]]
        scores = [np.concatenate(scores)[keep]]
    q = np.concatenate(quads) / np.float32(scale) if quads else np.zeros((0, 4, 2), np.float32)
    return q.astype(np.float32), np.concatenate(scores) if scores else np.zeros(0, np.float32)


def within(boxes: np.ndarray, windows: list[tuple[int, int, int, int]], size: tuple[int, int],
           margin: float) -> np.ndarray:
    """For each box (the strip overview's, in the strips' pixels): does it lie inside one strip, at least
    ``margin`` px (one pixel of the overview) clear of any edge the strip shares with another? Such text was
    whole in that strip, which saw it at full resolution. With OVERVIEW_CUT_ONLY (not the default) those
    boxes are left out: the overview's copies of the strips' lines come back coarser (boxes ~1.5x taller,
    "OPERA" 60 px against 40 on facenet's door), too unlike the strip's to count as the same line
    (``unique``), so each is read again, and its large blobs are searched again inside; but that search is
    also what finds some small plates the strips miss."""
    w, h = size
    inside = np.zeros(len(boxes), bool)
    for x0, y0, x1, y1 in windows:
        lo = np.array([x0 + margin if x0 > 0 else -np.inf, y0 + margin if y0 > 0 else -np.inf])
        hi = np.array([x1 - margin if x1 < w else np.inf, y1 - margin if y1 < h else np.inf])
        inside |= (boxes[:, :2] >= lo).all(1) & (boxes[:, 2:] <= hi).all(1)
    return inside


DUPLICATE_IOU = 0.6  # bounding boxes of two runs' quads this alike are one line of text found twice


def unique(runs: list[np.ndarray], overview: bool = False) -> np.ndarray:
    """Indices (into the runs' quads concatenated) of the quads to keep: a line of text in the overlap
    of two tiles or strips, or big enough for the overview, is found by each run, and every copy
    would be read by the plate rule (reads were ~40% more with video's strips and overview). Copies
    from different runs at DUPLICATE_IOU or more are dropped, keeping the tiles' quads before the
    overview's (found at full resolution, their edges are finer), the larger first. A line that a
    tile border cuts has a smaller, partial quad there: unlike the whole one, it is kept. ``overview``:
    the last run is the overview."""
    run = np.concatenate([np.full(len(q), i) for i, q in enumerate(runs)])
    q = np.concatenate(runs)
    if len(q) == 0:
        return np.zeros(0, np.int64)
    boxes = quad_boxes(q)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    late = run == len(runs) - 1 if overview else np.zeros(len(q), bool)
    kept: list[int] = []
    for i in np.lexsort((-area, late)):
        if kept:
            k = np.array(kept)
            other = run[k] != run[i]
            if other.any() and (box_iou(boxes[i : i + 1], boxes[k[other]]) >= DUPLICATE_IOU).any():
                continue
        kept.append(int(i))
    return np.sort(np.array(kept, np.int64))


def quad_boxes(quads: np.ndarray) -> np.ndarray:
    """The bounding box (x1, y1, x2, y2) of each quad."""
    return np.concatenate([quads.min(1), quads.max(1)], axis=1)


def quad_heights(quads: np.ndarray) -> np.ndarray:
    """The short side of each quad: the height of a line of text, whatever its slant."""
    return quad_sides(quads).min(0)


def quad_sides(quads: np.ndarray) -> np.ndarray:
    """Each quad's two sides from its first corner, (2, n): along its top, then down its left."""
    if len(quads) == 0:
        return np.zeros((2, 0), np.float32)
    return np.stack([np.hypot(*(quads[:, 1] - quads[:, 0]).T), np.hypot(*(quads[:, 3] - quads[:, 0]).T)])


def quads_mask(quads: np.ndarray, width: int, height: int, grow: float = 0.0) -> np.ndarray:
    """Union of quads as a boolean (height, width) mask, each grown by ``grow`` x its height per side."""
    im = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(im)
    for q in np.asarray(quads, np.float64):
        if grow:
            q = grown(q, grow)
        draw.polygon([(float(x), float(y)) for x, y in q], fill=1, outline=1)
    return np.asarray(im, bool)


def core(quads: np.ndarray, unclip: float = DEFAULT.unclip) -> np.ndarray:
    """The rectangle each quad was grown from by DB's unclip (``boxes_from_map``), centre and angle kept:
    the text itself, where the quad holds it with a margin of ``d`` = area x unclip / (2 x perimeter) of
    that rectangle on every side. Undone from the quad's sides W and H: with s = W + H, d is the smaller
    root of (4 + 2u) d^2 - (1 + u) s d + u W H / 2 = 0 (u: the unclip ratio). At unclip 2 a line of
    text fills about 0.4 of its quad's height; a 12 px plate's quad is 31-43 px tall."""
    q = np.asarray(quads, np.float64).reshape(-1, 4, 2)
    if len(q) == 0:
        return np.zeros((0, 4, 2), np.float32)
    lu = np.hypot(*(q[:, 1] - q[:, 0]).T)
    lv = np.hypot(*(q[:, 3] - q[:, 0]).T)
    s = lu + lv
    disc = np.maximum((1 + unclip) ** 2 * s * s - 2 * (4 + 2 * unclip) * unclip * lu * lv, 0.0)
    d = ((1 + unclip) * s - np.sqrt(disc)) / (2 * (4 + 2 * unclip))
    short = np.minimum(lu, lv)
    d = np.clip(d, 0.0, np.maximum(short / 2 - 0.5, 0.0))  # a sliver, not nothing, for degenerate quads
    return np.array([grown(x, -di / m if m > 0 else 0.0) for x, di, m in zip(q, d, short, strict=True)], np.float32)


def grown(quad: np.ndarray, frac: float) -> np.ndarray:
    """A quad grown by ``frac`` x its height on every side (centre and angle kept)."""
    q = np.asarray(quad, np.float64)
    u, v = q[1] - q[0], q[3] - q[0]
    lu, lv = float(np.hypot(*u)), float(np.hypot(*v))
    if lu <= 0 or lv <= 0:
        return q
    d = frac * min(lu, lv)
    c, u, v = q.mean(0), u / lu, v / lv
    hw, hh = lu / 2 + d, lv / 2 + d
    return np.array([c - hw * u - hh * v, c + hw * u - hh * v, c + hw * u + hh * v, c - hw * u + hh * v])
