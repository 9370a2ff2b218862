"""What ``unseen verify`` calls a cover: which of the output's detections it takes for a mask's outline
rather than a face left, and which faces of the original were covered with their own pixels.

A solid ellipse is face-shaped: the detectors find faces on unseen's own fills. A detection is excused
(``masked``) only where masking changed most of its box and what changed there is a cover. A face whose
box changed but not into a cover was blurred or pixelated (``reversible``): verify says so even when it
passes.
"""

from __future__ import annotations

import numpy as np

# A detection in the output whose box was mostly changed by masking is the outline of a mask (a
# solid ellipse is face-shaped), not a face left behind: check (2) judges those regions. A pixel is
# changed when its largest channel difference to the original exceeds CHANGED_TOL (JPEG re-encoding
# stays below it, see bench/protection.py); a box is masked when CHANGED_SHARE of it changed.
CHANGED_TOL = 24
CHANGED_SHARE = 0.5
# ...but only when what changed is a cover: flat (a fill: its luminance, 3x3-smoothed, varies by under
# COVER_FLAT levels 2 px in from the cover's edge) or without structure (noise: neighbouring pixels
# correlate under COVER_NOISE_CORR). A face pasted where there was none, or another photo of the same
# size given as the output, changed every pixel too and passed with "no face detected in the output"
# at score 1.0. Measured on 40 crowd and portrait photos outside the benchmark (bench/verify_cover.py,
# docs/BENCHMARKS.md "Verify: faces on changed pixels"): detections on unseen's fill varied by 0.0 levels,
# on its noise correlated at -0.07 to 0.05; pasted faces varied by 23-57 and correlated at 0.91-0.99,
# other photos by 11-54 and 0.32-0.99; pixelated faces (17-35, 0.71-0.97) and blurred ones (16-21,
# 0.97-0.99) are no cover: a face found there is a face left.
COVER_FLAT = 4.0
COVER_NOISE_CORR = 0.3
# A face of the original is covered with its own pixels (blur, pixelation: partly reversible) when
# TOUCHED_SHARE of its box changed and what changed is no cover. On the group photo at unseen's own
# strengths pixelation changed 25-33% of each face's box by more than CHANGED_TOL (most of a block stays
# near its mean), blur 66-84%, fill and noise 97-99%; a face left as it was, next to nothing.
TOUCHED_SHARE = 0.2


def changed_pixels(original: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Where the largest channel difference exceeds CHANGED_TOL, a channel at a time in uint8 (the same
    answer as a signed difference: an 8K frame's int16 copies and their difference weighed ~800 MB)."""
    changed = np.zeros(original.shape[:2], bool)
    for c in range(original.shape[2]):
        a, b = original[..., c], output[..., c]
        changed |= (np.maximum(a, b) - np.minimum(a, b)) > CHANGED_TOL
    return changed


def _inside(shape: tuple[int, ...], box: np.ndarray) -> tuple[slice, slice] | None:
    """The rows and columns of ``box`` within a picture of ``shape``, or None when none are."""
    h, w = shape[:2]
    x1, y1 = max(int(box[0]), 0), max(int(box[1]), 0)
    x2, y2 = min(int(np.ceil(box[2])), w), min(int(np.ceil(box[3])), h)
    return (slice(y1, y2), slice(x1, x2)) if x2 > x1 and y2 > y1 else None


def share(changed: np.ndarray, box: np.ndarray) -> float:
    """Share of the pixels inside ``box`` that masking changed."""
    at = _inside(changed.shape, box)
    return float(changed[at].mean()) if at is not None else 0.0


# A line of text's letters are what must not stay: those of the original's pixels in its box further than
# INK_TOL from the box's median in some channel; a letter is left when the output holds it within SAME_TOL. A grey
# fill over a grey poster changed 0.2% of a text box by more than CHANGED_TOL, and ``verify`` took the text as
# left (a review, 2026-12-06); its letters had all changed. Faint letters (+20 levels on grey, readable) are
# letters too (a second review). A box with under INK_MIN of such pixels is judged by its changed share.
INK_TOL = 12
SAME_TOL = 8
INK_MIN = 0.01


def letters_left(original: np.ndarray, output: np.ndarray, changed: np.ndarray, box: np.ndarray) -> bool:
    """Are most of the letters of ``original`` in ``box`` in ``output`` as they were (``changed``: masking's)?"""
    at = _inside(changed.shape, box)
    if at is None:
        return False
    crop = original[at].astype(np.int16)
    ink = np.abs(crop - np.median(crop.reshape(-1, crop.shape[2]), 0)).max(2) > INK_TOL
    if ink.mean() < INK_MIN:
        return share(changed, box) < CHANGED_SHARE
    same = np.abs(output[at].astype(np.int16) - crop).max(2) <= SAME_TOL
    return float(same[ink].mean()) >= CHANGED_SHARE


def is_cover(rgb: np.ndarray, changed: np.ndarray, box: np.ndarray) -> bool:
    """Whether the changed pixels inside ``box`` are a cover (``COVER_FLAT``, ``COVER_NOISE_CORR``)."""
    spread, corr = cover_measures(rgb, changed, box)
    return bool(np.isnan(spread) or spread < COVER_FLAT or np.isnan(corr) or abs(corr) < COVER_NOISE_CORR)


def cover_measures(rgb: np.ndarray, changed: np.ndarray, box: np.ndarray) -> tuple[float, float]:
    """The spread (std of the 3x3-smoothed luminance) and the correlation of horizontal neighbours over
    the changed pixels inside ``box``, 2 px in from their edge (a fill's edge against the picture,
    ringing after JPEG) when they changed as a whole; NaN when too few pixels, or no variation, leave
    nothing to judge."""
    h, w = changed.shape
    x1, y1 = max(int(box[0]), 0), max(int(box[1]), 0)
    x2, y2 = min(int(np.ceil(box[2])), w), min(int(np.ceil(box[3])), h)
    m = changed[y1:y2, x1:x2]
    inner = m.copy()
    for d in (-2, -1, 1, 2):  # erode 2 px: every pixel within 2 px each way changed too
        inner &= np.roll(m, d, 0) & np.roll(m, d, 1)
    inner[:2], inner[-2:], inner[:, :2], inner[:, -2:] = False, False, False, False
    if inner.sum() < 16:  # changed here and there, not as a whole (a pixelated or blurred face, a
        inner = m  # picture much like the original): every changed pixel is judged
    if inner.sum() < 16:
        return float("nan"), float("nan")
    lum = rgb[y1:y2, x1:x2].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    smooth = sum(np.roll(np.roll(lum, dy, 0), dx, 1) for dy in (-1, 0, 1) for dx in (-1, 0, 1)) / 9
    spread = float(smooth[inner].std())
    pair = inner[:, :-1] & inner[:, 1:]
    a, b = lum[:, :-1][pair], lum[:, 1:][pair]
    if a.size < 16 or a.std() < 1e-3 or b.std() < 1e-3:
        return spread, float("nan")
    return spread, float(np.corrcoef(a, b)[0, 1])


def masked(rgb: np.ndarray, changed: np.ndarray, box: np.ndarray) -> bool:
    """A detection at ``box`` on the output ``rgb`` is a mask's outline: CHANGED_SHARE of its box changed
    (``changed``: ``changed_pixels``), and what changed is a cover."""
    return share(changed, box) >= CHANGED_SHARE and is_cover(rgb, changed, box)


def reversible(rgb: np.ndarray, changed: np.ndarray, box: np.ndarray) -> bool:
    """A face of the original at ``box`` was covered in the output ``rgb`` with its own pixels, blurred or
    pixelated: TOUCHED_SHARE of its box changed and what changed is no cover."""
    return share(changed, box) >= TOUCHED_SHARE and not is_cover(rgb, changed, box)
