"""A second look at the face boxes video is unsure of: RetinaFace on each box's neighbourhood, enlarged.

Why: video keeps CenterFace's boxes down to a score of 0.1 (and the small-face pass's down to 0.15) so
that faces the detectors are unsure of stay covered between strong passes. On a crowd seen from above
most of those boxes are heads, backs, shoulders and pavement: a third of MOT20's frame came out grey
(docs/BENCHMARKS.md, "Video: design and detection schedule", its last rows, and the slip table).
A box under ``CONFIRMED_SCORE`` is looked at again here: its neighbourhood (``CONTEXT`` times its
side, black beyond the frame) is resized so that the box is ``TARGETS[0]`` px, then each larger target in
turn, and RetinaFace runs on it; the box is confirmed when RetinaFace
finds a face centred on it, of its size, scoring over ``LOOK_THRESHOLD``. RetinaFace sees the face at
the size it finds best, in a crop no other person fills; a head seen from behind rarely passes.

The tracker (``unseen.track``) decides per track: a track is masked from ``hold`` seconds before its
first confirmed box (score >= CONFIRMED_SCORE, smaller than LOOK_FROM px, or a second look that passed)
and never before. A face needs one good look, not one per frame. Chosen on the video slip table's cached passes
(``bench/video_bench.py tune``): at LOOK_THRESHOLD the look lets no marked face slip on any clip; at 0.2
a 14 x 18 px facenet face slips, at 0.3 a 16 x 20 px MOT20 face too (both would leave less grey).
Photos do not use it: their recall table is measured without it, and a photo has no second frame.
A neighbourhood in haze or smoke (``raster.hazy``) turned down as it is is looked at again with its
contrast stretched: a face of 24 x 34 px under tear gas, found by CenterFace at a low score, was turned
down on 20 frames in a row and stayed uncovered (a hunt, 2026-12-05: 25 -> 5 slipping face-frames on its
clip). A face CenterFace scores under 0.1 is never looked at (a singer under 90% haze still slips).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import raster
from ..regions import box_iou
from .retinaface import RetinaFace

CONFIRMED_SCORE = 0.4  # a box scored this high needs no second look...
# ...nor a box whose longer side is under LOOK_FROM px: enlarged 3-5x, a face of 8 px is a blur RetinaFace
# may not call a face. Measured on real faces shrunk to size (bench/small_face_look.py: 859 confident
# faces of the crowd photos outside the benchmark, JPEG q50): one look confirms 97.5% at 10 px, 98.7%
# at 12, 98.1% of those CenterFace itself scores under 0.4 at 16 px, but 94.5% at 8 px. From 10 px up
# a look is as sure as at 16, and a face gets a look per detection until one passes. 16 (the first
# choice) left MOT20's crowd 20% grey in the schedule simulation, 10 leaves 14%, with no slip added on
# any simulated clip (docs/BENCHMARKS.md, "Video: design", the second look's rows).
LOOK_FROM = 10
LOOK_THRESHOLD = 0.1  # RetinaFace's score on the enlarged neighbourhood that confirms a box
TARGETS = (32, 48, 64)  # px: the box's side in the enlarged crop, tried in turn until one confirms
# 64 since 2026-12-04: RetinaFace's answer on a face of 14-18 px moves with the crop's size and with a fraction of
# a pixel of the box. facenet's 14 x 18 px face in the crowd scored about LOOK_THRESHOLD at 48 px on the clip's
# last four frames: with its box moved by up to a pixel each way, 32 and 48 px confirmed 11-25 of 25 boxes a frame,
# and 64 px all of them (0.37 on the box the tracker had). With CenterFace in two 1080p tiles instead of four
# (``schedule.INT8_UNCAPPED``, a lever left off) that box came out a fraction of a pixel off and the four frames
# went unmasked: a zero in the slip table that hung on a fraction of a pixel. The third look runs only on a box
# the first two turn down (a RetinaFace run on a 192 px crop). It confirms more of what they turned down, real
# small faces (bench/small_face_look.py) and heads in a crowd seen from above: MOT20 13.3% -> 16.9% grey faces
# only. At 0.3 for this target alone 14.2%, but the facenet zero then hangs on one box again (0.37 against 0.3),
# and at 0.5 it slips (docs/BENCHMARKS.md, "Video: frames where a face slips through", the third target's note).
CONTEXT = 3.0  # the crop's side, in box sides (the head, shoulders and what is around them)
CENTRE = 0.6  # a face counts when its centre is within this many target sides of the crop's centre...
SIZES = (0.5, 2.0)  # ...and its side is within these many target sides: a crowd's far faces inside
# a big low-score box on a body do not confirm it


# Faces lying on their side (the schedule's turned rows, ``Pass.turn``): RetinaFace turned takes hands,
# fists and a revolver for faces at 0.5-0.8 (hamilton upright: 37 turned boxes kept, none a face; gps-mov:
# 11 on a game box). A turned box scored under TURNED_SURE is kept only when CenterFace, a model trained
# apart from RetinaFace, also finds a face in its neighbourhood turned the same way (TURNED_TARGET px,
# scored over TURNED_LOOK). Measured on the turned boxes video kept on the slip table's clips (upright:
# 80 boxes, one on a marked face; hamilton and facenet turned a quarter each way: 1,244 boxes on marked
# faces): 7 of the 80 pass, and 1,193 of the 1,244; no marked face of those clips turned slipped more for
# it (docs/BENCHMARKS.md, "Video: faces turned sideways").
TURNED_SURE = 0.8
TURNED_LOOK = 0.3
TURNED_TARGET = 48


def turned_look(backend, rgb: np.ndarray, box: np.ndarray, turn: int) -> bool:
    """Does ``backend`` (CenterFace) find a face on ``box``'s neighbourhood turned by ``turn`` quarter
    turns, centred on it and of its size, scored over TURNED_LOOK?"""
    crop = np.ascontiguousarray(np.rot90(neighbourhood(rgb, box, TURNED_TARGET), turn))
    return passes(findings(backend, crop, TURNED_LOOK), TURNED_TARGET, TURNED_LOOK)


# A face needs one good look, not one per frame: a turned box overlapping (IoU >= SAME_TRACK) one agreed on in
# the last AGREED_FOR seconds of its shot needs none (hamilton turned 90 degrees: 148 looks instead of 385,
# ~5 ms of CPU each; docs/BENCHMARKS.md, "Video: faces turned sideways").
AGREED_FOR = 0.5
SAME_TRACK = 0.3


class TurnedLooks:
    """Which turned boxes to keep, frame after frame in time order: sure ones (TURNED_SURE), those of a face
    agreed on within AGREED_FOR, and those CenterFace agrees with (``turned_look``). It remembers the boxes
    it kept, not pixels: a few boxes per face on screen."""

    def __init__(self) -> None:
        self._boxes = np.zeros((0, 4), np.float32)
        self._times = np.zeros(0)

    def keep(self, backend: Any, frame: Any, boxes: np.ndarray, scores: np.ndarray, turns: np.ndarray,
             since: float) -> np.ndarray:
        """Which of ``boxes`` (found turned by ``turns`` quarter turns on ``frame``, which has ``time`` and
        ``rgb``: converted only if a look is needed) to keep; ``since``: the earliest time a remembered
        box still counts (AGREED_FOR ago, or the shot's first frame)."""
        t = frame.time
        recent = self._times >= since
        known, known_t = self._boxes[recent], self._times[recent]
        ok = scores >= TURNED_SURE
        if len(known):
            ok |= box_iou(boxes, known).max(1) >= SAME_TRACK
        for i in np.flatnonzero(~ok):
            ok[i] = turned_look(backend, frame.rgb, boxes[i], int(turns[i]))
        # Remember the faces agreed on now; a known face no box of this frame matched keeps its time.
        gone = np.ones(len(known), bool)
        if ok.any() and len(known):
            gone = box_iou(known, boxes[ok]).max(1) < SAME_TRACK
        self._boxes = np.concatenate([known[gone], boxes[ok]]).astype(np.float32)
        self._times = np.concatenate([known_t[gone], np.full(int(ok.sum()), t)])
        return ok


class SecondLook:
    """``look(rgb, boxes)`` -> which of ``boxes`` (x1 y1 x2 y2 in ``rgb``'s pixels) hold a face.

    Thread-safe (onnxruntime sessions run concurrently); the RetinaFace session is the process's
    shared one (the glance's and the self-check's).
    """

    def __init__(self, backend: RetinaFace | None = None):
        self.backend = backend or RetinaFace()

    def __call__(self, rgb: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        out = np.zeros(len(boxes), bool)
        for i, box in enumerate(np.asarray(boxes, np.float32).reshape(-1, 4)):
            for target in TARGETS:
                crop = neighbourhood(rgb, box, target)
                if passes(findings(self.backend, crop, LOOK_THRESHOLD), target):
                    out[i] = True
                    break
                clearer = stretched_if_hazy(rgb, box, crop)
                if clearer is not None and passes(findings(self.backend, clearer, LOOK_THRESHOLD), target):
                    out[i] = True
                    break
        return out


def turned_down(look: SecondLook, rgb: np.ndarray, kinds: Any, boxes: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Which face boxes of one frame a video run leaves unmasked on that frame alone: scored under
    CONFIRMED_SCORE, LOOK_FROM px or larger, and turned down by ``look`` (the tracker's rule,
    ``track.Tracker.confirm_below``). The review page marks them: it drew a low-score box on a sampled
    frame as a covered face, and the video it saved left that box's pixels as they were (a hunt, 2026-12-06)."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    ask = (np.asarray(kinds) == "face") & (np.asarray(scores) < CONFIRMED_SCORE) & (side >= LOOK_FROM)
    out = np.zeros(len(boxes), bool)
    if ask.any():
        out[ask] = ~look(rgb, boxes[ask])
    return out


def findings(backend: RetinaFace, crop: np.ndarray, threshold: float) -> np.ndarray:
    """RetinaFace's faces on ``crop`` scored over ``threshold``: rows of score, side (the box's longer
    side) and the box centre's offset x, y from the crop's centre, in the crop's pixels."""
    found = backend(crop, threshold)
    if not len(found):
        return np.zeros((0, 4), np.float32)
    b = found.boxes
    side = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    middle = crop.shape[1] / 2
    return np.column_stack([found.scores, side, (b[:, 0] + b[:, 2]) / 2 - middle,
                            (b[:, 1] + b[:, 3]) / 2 - middle]).astype(np.float32)


def passes(found: np.ndarray, target: int, threshold: float = LOOK_THRESHOLD) -> bool:
    """Does one of ``findings`` on a crop made for ``target`` confirm the box: a face over ``threshold``,
    centred on the box and of the box's size? (Also applied by bench/video_tune.py to cached findings.)"""
    found = np.asarray(found, np.float32).reshape(-1, 4)
    ok = ((found[:, 0] > threshold) & (np.abs(found[:, 2]) < CENTRE * target)
          & (np.abs(found[:, 3]) < CENTRE * target)
          & (found[:, 1] >= SIZES[0] * target) & (found[:, 1] <= SIZES[1] * target))
    return bool(ok.any())


def _square(box: np.ndarray) -> tuple[int, int, int, int, float]:
    """The neighbourhood's square in the frame's pixels (x0, y0, x1, y1; it may reach past the frame)
    and the box's longer side."""
    side = max(float(box[2] - box[0]), float(box[3] - box[1]), 4.0)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half = CONTEXT * side / 2
    return math.floor(cx - half), math.floor(cy - half), math.ceil(cx + half), math.ceil(cy + half), side


def stretched_if_hazy(rgb: np.ndarray, box: np.ndarray, crop: np.ndarray) -> np.ndarray | None:
    """``crop`` (``neighbourhood(rgb, box, target)``) with the contrast of its part inside the frame
    stretched (``raster.stretched``) when that part is hazy (``raster.hazy``); None when it is not.

    Why the part inside the frame alone: the black beyond the frame's edge is no haze. Measured on the
    whole crop, a face at the edge of a hazy frame had its neighbourhood called clear and was turned
    down: the group photo under 93% of a light grey, cut 2, 10 or 30 px from each of its six faces on
    one side or two, had 29 of 72 cuts confirmed, 72 of 72 clear (a session's scratch script,
    2026-12-05). The part is mirrored out to the crop's size, so that its blocks keep the size and the
    detail they have inside the frame (measured alone, or with its edge pixels carried out, its blocks
    were too flat to count as detail: 48 and 51 of 72), stretched, and put back on black: the look that
    confirms sees what the plain look sees beyond the frame. Mirrored: 61 of 72; the 11 left are on the
    two faces the whole photo confirms at one target only."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1, _ = _square(box)
    k = crop.shape[1] / (x1 - x0)
    # the in-frame part in the crop's pixels, a pixel in from an edge the resize blended with the black
    left = 0 if x0 >= 0 else math.ceil(-x0 * k) + 1
    top = 0 if y0 >= 0 else math.ceil(-y0 * k) + 1
    right = crop.shape[1] if x1 <= w else math.floor((w - x0) * k) - 1
    bottom = crop.shape[0] if y1 <= h else math.floor((h - y0) * k) - 1
    if (left, top, right, bottom) == (0, 0, *crop.shape[1::-1]):
        filled = crop
    elif right - left < 2 or bottom - top < 2:
        return None
    else:  # the part mirrored out over the black: blocks of the size and detail they have inside the frame
        filled = np.pad(crop[top:bottom, left:right],
                        ((top, crop.shape[0] - bottom), (left, crop.shape[1] - right), (0, 0)), mode="symmetric")
    if not raster.hazy(filled):
        return None
    out = np.zeros_like(crop)
    out[top:bottom, left:right] = raster.stretched(filled)[top:bottom, left:right]
    return out


def neighbourhood(rgb: np.ndarray, box: np.ndarray, target: int) -> np.ndarray:
    """The square of CONTEXT box sides around ``box``'s centre (black outside the frame), resized so that
    the box's longer side is ``target`` px."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1, side = _square(box)
    crop = np.zeros((y1 - y0, x1 - x0, 3), np.uint8)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if sx1 > sx0 and sy1 > sy0:
        crop[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = rgb[sy0:sy1, sx0:sx1]
    out = max(32, round((x1 - x0) * target / side))
    return raster.resize(crop, out, out)
