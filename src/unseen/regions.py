"""The core type: the regions to cover in one image or frame.

Modelled on Roboflow supervision's ``Detections``: parallel numpy arrays rather than a list of
small objects, so merging, padding and NMS stay vectorised even for crowds of hundreds of faces.
Every stage of the pipeline (detectors, self-check, ``--boxes`` files, the review page, the video
tracker) speaks this one type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

KINDS = ("face", "manual", "plate", "text")


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
    kinds: np.ndarray = field(default_factory=lambda: np.zeros((0,), dtype="<U8"))
    sources: np.ndarray = field(default_factory=lambda: np.zeros((0,), dtype="<U24"))
    landmarks: np.ndarray = field(default_factory=lambda: np.zeros((0, 5, 2), np.float32))

    def __post_init__(self) -> None:
        n = len(self.boxes)
        for name in ("scores", "kinds", "sources", "landmarks"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Regions.{name} has {len(getattr(self, name))} rows, boxes has {n}")

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
            kinds=np.array([kind] * n, dtype="<U8"),
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
            kinds=np.concatenate([p.kinds.astype("<U8") for p in parts]),
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
        """Clip to the image and drop boxes left with no area."""
        b = self.boxes.copy()
        b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, width)
        b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, height)
        keep = (b[:, 2] - b[:, 0] > 0) & (b[:, 3] - b[:, 1] > 0)
        clipped = Regions(b, self.scores, self.kinds, self.sources, self.landmarks)
        return clipped[keep]

    def padded(self, pad: float, width: int, height: int, head: bool = True) -> Regions:
        """Grow each box so the mask covers the whole head, not just the detector's face box.

        ``pad`` is the fraction added on each side (deface's 1.3 mask scale is ``pad=0.15``; ours
        defaults higher, see docs/BENCHMARKS.md). ``head`` adds extra room above the box for hair
        and forehead, which face detectors crop tightly. Only face-kind boxes are grown; manual
        boxes from a reviewer are taken as drawn.
        """
        b = self.boxes.copy()
        w = b[:, 2] - b[:, 0]
        h = b[:, 3] - b[:, 1]
        grow = self.kinds == "face"
        px = np.where(grow, w * pad, 0)
        py = np.where(grow, h * pad, 0)
        top = py * (1.35 if head else 1.0)
        b[:, 0] -= px
        b[:, 2] += px
        b[:, 1] -= top
        b[:, 3] += py
        return Regions(b, self.scores, self.kinds, self.sources, self.landmarks).clipped(width, height)

    # -- comparison -------------------------------------------------------------------------------
    def iou(self, other: Regions) -> np.ndarray:
        """Pairwise IoU ``(len(self), len(other))``."""
        return box_iou(self.boxes, other.boxes)

    def nms(self, iou_threshold: float = 0.4) -> Regions:
        """Greedy non-maximum suppression, highest score first.

        A suppressed box's extent is merged into the survivor (union box) when it is larger: for
        anonymisation a slightly bigger mask is better than a cut-off ear.
        """
        if len(self) <= 1:
            return self
        order = np.argsort(-self.scores, kind="stable")
        boxes = self.boxes[order].copy()
        ious = box_iou(boxes, boxes)
        suppressed = np.zeros(len(boxes), bool)
        keep: list[int] = []
        for i in range(len(boxes)):
            if suppressed[i]:
                continue
            keep.append(i)
            dup = (ious[i] >= iou_threshold) & ~suppressed
            dup[: i + 1] = False
            if dup.any():
                members = boxes[np.concatenate([[i], np.nonzero(dup)[0]])]
                # Average the members' coordinates: the fused box is steadier than either alone.
                boxes[i] = np.concatenate([members[:, :2].mean(0), members[:, 2:].mean(0)])
                suppressed |= dup
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
    def from_json(cls, items: list[dict], source: str = "boxes-file") -> Regions:
        parts = []
        for i, it in enumerate(items):
            try:
                x, y, w, h = (float(it[k]) for k in ("x", "y", "w", "h"))
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"region {i}: needs numeric x, y, w, h ({exc})") from None
            if w <= 0 or h <= 0:
                raise ValueError(f"region {i}: w and h must be positive")
            kind = str(it.get("kind", "manual"))
            if kind not in KINDS:
                raise ValueError(f"region {i}: kind must be one of {', '.join(KINDS)}")
            parts.append(
                Regions.from_boxes([[x, y, x + w, y + h]], [float(it.get("score", 1.0))], kind, source)
            )
        return cls.concat(parts)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-6)


@dataclass
class Frame:
    """One upright RGB image (a photo, or one frame of an animation or video) plus its regions."""

    pixels: np.ndarray  # (H, W, 3) uint8 RGB, orientation already applied
    regions: Regions = field(default_factory=Regions.empty)
    index: int = 0
    time: float | None = None  # seconds, for video frames

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])
