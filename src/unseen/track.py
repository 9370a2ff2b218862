"""Temporal coverage for video: no frame where a face (or any tracked kind) slips through.

Per-frame detectors flicker: a face found at frame t is often missed at t+1 (motion blur, a turned
head, a hand in front of it), and the video path deliberately does not run every detector pass on
every frame. The tracker turns the detections of the analysed frames into *tracks* and then says,
for any frame, which boxes must be covered:

* **link**: each detection joins the track whose predicted box (last box moved by the track's
  velocity) it overlaps best, or whose centre is close for its size; a track and a detection left
  over that are each other's only neighbour within a reach that grows with the time since the
  track's last detection (``LINK_SPEED``: a face crossing the picture at a run) are linked too;
  any other detection starts a track. A track survives ``max_gap`` seconds without a detection.
* **bridge**: between two detections of a track at most ``HULL_GAP`` apart, the mask is the hull
  of the two boxes. That covers every position on a straight path between them, whatever the speed,
  so a face that the detector missed (or a frame that was not analysed) is still covered. Across a
  longer gap (the detector lost the face for a while) the mask is the box interpolated between the
  two, grown like a held box with the time from the nearer detection: the hull of two boxes a
  second or more apart is a band along the whole path (on a walking crowd, the largest part of the
  grey outside the faces).
* **guide** (video): boxes from a shrunk copy of the frame (the schedule's every-frame glance, marked
  ``WEAK_SOURCE``) follow big, fast faces between full-size passes, but can sit a few tens of px off the
  face. Between two full-size boxes of a track at most ``HULL_GAP`` apart, a glance box that overlaps
  their interpolation by less than ``GUIDE_IOU`` is masked together with their hull: a glance box adds
  to the mask, it never takes it away from where the full-size passes found the face.
* **hold**: a track's mask starts ``hold`` seconds before its first detection and ends ``hold``
  seconds after its last, moving with the track's velocity and growing with the time from the
  nearest detection (faces enter a scene before a detector is sure of them, and leave after).
  A track of one detection has no velocity of its own: in video it moves with the picture's
  (``camera``, a camera panning: ``detect/motion.py``), which also tells where to look for its next
  detection (a small face in a pan crosses several of its sizes between two detector runs), and a
  track's own motion is capped near the still picture or near the pan, whichever it is closer to.
* **confirm** (video, ``confirm_below`` > 0): a face track is masked only from its first box scored
  ``confirm_below`` or more, smaller than ``look_from`` px, or confirmed by a second look at the pixels
  (``detect/second_look.py``); the boxes before it are dropped, a track never confirmed is never
  masked. Its mask still starts ``hold`` before that box, so a face confirmed within ``hold`` of
  its first detection loses nothing; heads and pavement the detectors scored low stop turning grey.
* **cuts** (video): a hold never crosses a cut between shots (``Tracker.cut``, found by
  ``detect/shots.py``). After a hard cut the old shot's faces are not on screen, and before it the
  new shot's are not: a mask held across it covers whatever the other shot shows there (on an edited
  clip, half a second of grey on a curtain or a wall). A cut also ends every track last seen before
  it: a detection in the new shot starts its own track, so it is never linked to (nor confirmed by)
  a face of the old shot that stood in the same place.

Everything here works on boxes, never on pixels, so a whole clip's worth of tracks is a few
kilobytes per second of video: the video writer can analyse a clip in one pass and mask it in a
second pass without keeping frames in memory (see ``engine/video.py``).
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import kinds
from .kinds import KIND_DTYPE
from .regions import Regions, box_iou

DEFAULT_HOLD = 0.5  # seconds a mask is kept before the first / after the last detection
DEFAULT_MAX_GAP = 2.0  # seconds a track may go undetected and still be bridged
MIN_IOU = 0.2  # detection joins a track when it overlaps the prediction this much...
MAX_CENTRE_DIST = 0.8  # ...or when its centre is this close, in units of the track's box size
# ...or, when the two are each other's only neighbour (``_alone``), within LINK_SPEED x the seconds since the
# track's last detection (at most MAX_REACH sizes): a face crossing the picture at a run (a 40 px face box at
# 20 px a frame, 15 of its sizes a second) moves 1.3-2.5 of its sizes between two detections, and a track of
# one detection has no velocity of its own to predict that. Each detection started its own track, held still,
# and the face showed between two ovals (16 of 45 frames under 90% covered: tests/test_video_schedule.py;
# docs/BENCHMARKS.md, "Video: frames where a face slips through", for the shared clips). A screen recording's
# notification sliding in moves its avatar's face faster: 18 of its sizes a second (69 px in two frames, a box
# of 44 x 58 px) left four frames of the face bare at 16 (a hunt, 2026-12-06; tests/test_track.py).
LINK_SPEED = 24.0
MAX_REACH = 2.5
HOLD_GROWTH = 0.3  # a held box grows by this fraction of its size per second away from a detection
VELOCITY_WINDOW = 0.4  # seconds of detections at each end of a track used to estimate its motion
MAX_SPEED = 4.0  # sizes per second: cap on extrapolated motion (a bad estimate must not fly away)
# A held box's motion is measured against a box of about its end box's size (within SAME_SIZE) when the
# window holds one (``_end_velocity``).
SAME_SIZE = 1.25
HULL_GAP = 0.35  # s: detections at most this far apart are bridged by their hull (see the docstring)
# A box from a shrunk copy of the frame (video's every-frame glance: a face of 60 px is 18 px there) can sit a
# few tens of px off the face; between two full-size boxes of its track at most HULL_GAP apart, a glance box
# that overlaps their interpolation by less than GUIDE_IOU is masked together with their hull (``_guided``).
GUIDE_IOU = 0.5
WEAK_SOURCE = "glance"  # ``Regions.sources`` of such boxes (``detect/schedule.py`` marks them)
# A box held with the picture's motion (a track of one detection, ``camera``) grows by this share of the
# distance it moved on each side: the motion is measured to a few percent (``detect/motion.py``).
CAMERA_ERROR = 0.1


class _Timeline:
    """"Which box at time t?" for anything with increasing ``times`` and matching ``boxes``
    (lists while a track grows, arrays once it is frozen): the same answer either way."""

    times: Any
    boxes: Any
    strong_times: Any  # the times and boxes of the detections not marked WEAK_SOURCE
    strong_boxes: Any
    camera: Any  # (4,) px/s: the picture's motion at the track's newest detection (zero: unknown or still)
    lead = True  # held ``hold`` before its first detection too (``Tracker._keep_as_it_was``'s are not)

    @property
    def start(self) -> float:
        return float(self.times[0])

    @property
    def end(self) -> float:
        return float(self.times[-1])

    def _end_velocity(self, at_start: bool) -> np.ndarray:
        """Velocity (px/s per coordinate) of the box's centre over the first or last VELOCITY_WINDOW
        seconds: a held box moves, it does not change size. Each edge's own velocity also carried
        the jitter in size between passes (a fifth or more on small, low-scored faces), so held
        boxes ballooned over pavement; a face's real growth as it nears the camera is slow, and
        ``HOLD_GROWTH`` covers it.

        The motion is measured between the end box and the farthest box in the window of about its size
        (SAME_SIZE); only when the window holds none, the farthest box of any size: a box of another size
        is often another thing linked into the track. On gps-mov RetinaFace turned took a revolver for a
        face at 139 px, then a box of 83 px 58 px higher joined the track, and the box held before its
        first detection moved back along that false motion over most of the picture for half a second
        (docs/BENCHMARKS.md, "Video: held boxes replayed")."""
        n = len(self.times)
        if n < 2:  # no motion of its own: the picture's, if known
            return np.asarray(self.camera, np.float32)
        if at_start:
            end = 0
            others = range(max(1, bisect.bisect_right(self.times, self.times[0] + VELOCITY_WINDOW) - 1), 0, -1)
        else:
            end = n - 1
            others = range(min(n - 2, bisect.bisect_left(self.times, self.times[-1] - VELOCITY_WINDOW)), n - 1)
        size = _size(self.boxes[end])
        # The farthest box of about the end box's size, if the window holds one, else the farthest.
        other = next((j for j in others if 1 / SAME_SIZE <= _size(self.boxes[j]) / size <= SAME_SIZE), others[0])
        i0, i1 = sorted((end, other))
        dt = self.times[i1] - self.times[i0]
        if dt <= 0:
            return np.zeros(4, np.float32)
        v = (self.boxes[i1] - self.boxes[i0]) / dt
        v = np.array([v[0] + v[2], v[1] + v[3]] * 2, np.float32) / 2
        # Capped near the still picture or near the picture's own motion, whichever it is closer to: a
        # small face in a pan moves with the camera, one the camera follows stands still in the picture.
        cam = np.asarray(self.camera, np.float32)
        lim = MAX_SPEED * size
        still, panned = np.clip(v, -lim, lim), cam + np.clip(v - cam, -lim, lim)
        return (panned if np.abs(panned - v).sum() < np.abs(still - v).sum() else still).astype(np.float32)

    def box_at(self, t: float, hold: float, cuts: list[float] | tuple = ()) -> np.ndarray | None:
        """The box to cover at time ``t``, or None when the track is not active then (beyond its hold,
        or held across one of ``cuts``: sorted times of the first frame of each new shot)."""
        start, end = self.start, self.end
        if t < (start - hold if self.lead else start) - 1e-6 or t > end + hold + 1e-6:
            return None
        if cuts and ((t < start and _cut_between(cuts, t, start)) or (t > end and _cut_between(cuts, end, t))):
            return None
        if t <= start or t >= end:
            at_start = t <= start
            ref = self.boxes[0] if at_start else self.boxes[-1]
            dt = abs(t - (start if at_start else end))
            if dt == 0:
                return np.array(ref, np.float32)
            v = self._end_velocity(at_start)
            moved = ref + v * (t - (start if at_start else end))
            grow = HOLD_GROWTH * dt
            if len(self.times) < 2 and v.any():  # moved with the picture's motion: grown with its error too
                grow += 2 * CAMERA_ERROR * float(np.hypot(v[0], v[1])) * dt / _size(ref)
            return _grow(_hull(ref, moved), grow)
        return self._guided(t, _between(self.times, self.boxes, t))

    def _guided(self, t: float, box: np.ndarray) -> np.ndarray:
        """``box`` (the track's box at ``t``, inside its span), or its hull with the full-size boxes' when a
        glance box took the track aside between two of them (GUIDE_IOU). On facenet a boy turning away was
        found by CenterFace at full size in frames 88 and 92, while the glance put its box on his hair and
        ear, 30-35 px aside, in frames 89-90: the mask followed the glance and left his face 64-67% covered
        (docs/BENCHMARKS.md, "Video: CenterFace's int8 file on large frames")."""
        st = self.strong_times
        if len(st) < 2 or t <= st[0] or t >= st[-1]:
            return box
        j = bisect.bisect_right(st, t)
        t0, t1 = st[j - 1], st[j]
        if t0 == t or t1 - t0 > HULL_GAP:
            return box
        b0, b1 = np.asarray(self.strong_boxes[j - 1], np.float32), np.asarray(self.strong_boxes[j], np.float32)
        lerp = b0 + np.float32((t - t0) / (t1 - t0)) * (b1 - b0)
        if box_iou(box[None], lerp[None])[0, 0] >= GUIDE_IOU:
            return box
        return _hull(box, _hull(b0, b1))


def _between(times: Any, boxes: Any, t: float) -> np.ndarray:
    """The box at ``t`` (strictly inside ``times``' span) of a timeline: the box detected at ``t``, the hull
    of its neighbours at most HULL_GAP apart, or between farther ones their interpolation grown with the
    time from the nearer."""
    j = bisect.bisect_right(times, t)  # times[j-1] <= t < times[j]
    t0, t1 = times[j - 1], times[j]
    if t0 == t:
        return np.array(boxes[j - 1], np.float32)
    b0, b1 = np.asarray(boxes[j - 1], np.float32), np.asarray(boxes[j], np.float32)
    if t1 - t0 <= HULL_GAP:
        return _hull(b0, b1)
    a = (t - t0) / (t1 - t0)
    return _grow(b0 + np.float32(a) * (b1 - b0), HOLD_GROWTH * min(t - t0, t1 - t))


@dataclass
class Track(_Timeline):
    """One face (plate, text...) over time: the detections that formed it (times in seconds,
    boxes x1 y1 x2 y2). Only detections of one kind join a track."""

    id: int
    kind: str
    times: list[float] = field(default_factory=list)
    boxes: list[np.ndarray] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(4, np.float32))  # px / s, linking only
    strong_times: list[float] = field(default_factory=list)
    strong_boxes: list[np.ndarray] = field(default_factory=list)
    confirmed: bool = True  # masked; False until its first confirmed box when the tracker confirms
    camera: np.ndarray = field(default_factory=lambda: np.zeros(4, np.float32))  # px/s, ``_Timeline``

    def confirm(self) -> None:
        """Its last box is confirmed: the track is masked from it on, the boxes before it dropped."""
        if not self.confirmed:
            self.confirmed = True
            del self.times[:-1], self.boxes[:-1], self.scores[:-1]
            keep = bisect.bisect_left(self.strong_times, self.times[0])
            del self.strong_times[:keep], self.strong_boxes[:keep]

    @property
    def score(self) -> float:
        return max(self.scores)

    def add(self, t: float, box: np.ndarray, score: float, strong: bool = True) -> None:
        if self.times:
            dt = t - self.times[-1]
            if dt > 0:
                v = (box - self.boxes[-1]) / dt
                self.velocity = v if len(self.times) == 1 else 0.5 * self.velocity + 0.5 * v
        self.times.append(float(t))
        self.boxes.append(np.asarray(box, np.float32))
        self.scores.append(float(score))
        if strong:
            self.strong_times.append(float(t))
            self.strong_boxes.append(self.boxes[-1])

    def predict(self, t: float) -> np.ndarray:
        return self.boxes[-1] + self.velocity * min(t - self.end, 0.5)

    def freeze(self) -> FrozenTrack:
        return FrozenTrack(self.id, self.kind, np.asarray(self.times, np.float64),
                           np.asarray(self.boxes, np.float32), float(max(self.scores)),
                           np.asarray(self.strong_times, np.float64),
                           np.asarray(self.strong_boxes, np.float32).reshape(-1, 4), self.camera)


@dataclass(frozen=True)
class FrozenTrack(_Timeline):
    """A finished track as arrays."""

    id: int
    kind: str
    times: np.ndarray  # (n,) seconds, increasing
    boxes: np.ndarray  # (n, 4)
    score: float
    strong_times: np.ndarray = field(default_factory=lambda: np.zeros(0))  # those of a full-size pass
    strong_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    camera: np.ndarray = field(default_factory=lambda: np.zeros(4, np.float32))
    lead: bool = True


def _cut_between(cuts: list[float] | tuple, a: float, b: float) -> bool:
    """Is there a cut at a time in (a, b]: a shot that starts after ``a``, at or before ``b``?"""
    return bisect.bisect_right(cuts, b + 1e-6) > bisect.bisect_right(cuts, a + 1e-6)


def _size(box: np.ndarray) -> float:
    return float(max(box[2] - box[0], box[3] - box[1], 1.0))


def _hull(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])], np.float32)


def _grow(box: np.ndarray, frac: float) -> np.ndarray:
    w, h = box[2] - box[0], box[3] - box[1]
    return box + np.array([-w, -h, w, h], np.float32) * (frac / 2)


class Tracker:
    """Link per-frame detections into tracks, online, in time order. Keeps boxes only.

    Every kind marked ``tracked`` in ``kinds.KINDS`` is tracked; a detection only ever joins a track
    of its own kind. Other kinds (boxes a person drew with their own time range) are not the
    tracker's business and are ignored here.
    """

    def __init__(self, max_gap: float = DEFAULT_MAX_GAP, confirm_below: float = 0.0, look_from: float = 0.0):
        self.max_gap = max_gap
        self.confirm_below = confirm_below  # face boxes under this score wait for ``confirm`` (0: none do)...
        self.look_from = look_from  # ...unless their longer side is under this many px (too small to judge)
        self.unconfirmed = 0  # face tracks that ended without a confirmed box (never masked)
        self.active: list[Track] = []
        self.done: list[FrozenTrack] = []  # confirmed tracks that ended (a LiveCoverage takes them away)
        self.ended = 0  # confirmed tracks that ended, all told
        self._next = 0
        self.max_per_frame: dict[str, int] = {}  # most masked detections of each kind in one frame
        self._frame: dict[str, int] = {}  # masked detections of the newest frame, per kind
        self.t_now = float("-inf")  # time of the newest analysed frame
        self.cuts: list[float] = []  # times of the first frames of new shots (``cut``), increasing
        self.finished = False
        self._tracked = [k.name for k in kinds.KINDS.values() if k.tracked]
        self._camera = np.zeros(4, np.float32)  # the picture's motion at the newest frame (``update``)

    def update(self, t: float, regions: Regions, camera: np.ndarray | None = None) -> list[tuple[Track, np.ndarray]]:
        """Add the detections of one analysed frame at time ``t`` (seconds, increasing); ``camera``: the
        picture's motion then, (vx, vy) px/s, for the tracks its detections start or join (``Track.camera``).

        Returns the (track, box) pairs waiting for a second look: face boxes scored under
        ``confirm_below``, ``look_from`` px or larger, that joined (or started) a track not yet
        confirmed. Call ``confirm`` with the tracks whose box passed, before the next ``update``."""
        self.t_now = t
        self._frame = {}  # a new frame: its masked boxes are counted from here
        v = np.zeros(2, np.float32) if camera is None else np.asarray(camera, np.float32)
        self._camera = np.concatenate([v, v])
        still = []
        for tr in self.active:
            if t - tr.end > self.max_gap:
                self._end(tr)
            else:
                still.append(tr)
        self.active = still
        waiting: list[tuple[Track, np.ndarray]] = []
        for kind in self._tracked:
            found = regions.of_kind(kind)
            if len(found):
                masked = 0
                for tr, box, score in self._link(t, kind, found):
                    if not tr.confirmed and (score >= self.confirm_below or _size(box) < self.look_from):
                        tr.confirm()
                    if tr.confirmed:
                        masked += 1
                    else:
                        waiting.append((tr, box))
                self._count(kind, masked)
        return waiting

    def cut(self, t: float) -> None:
        """A new shot starts at ``t`` (a hard cut, ``detect/shots.py``): no hold crosses it, and the
        tracks last seen before it end (what the new shot shows is another picture: linked to an old
        track, a box there would take over its confirmation and its motion). Called in time order,
        before the ``update`` of any frame after ``t``'s."""
        if not self.cuts or t > self.cuts[-1]:
            self.cuts.append(float(t))
        still = []
        for tr in self.active:
            if tr.end < t - 1e-6:
                self._end(tr)
            else:
                still.append(tr)
        self.active = still

    def confirm(self, tracks: list[Track]) -> None:
        """Tracks whose newest box a second look confirmed (from the last ``update``'s waiting list)."""
        for tr in tracks:
            if not tr.confirmed:
                tr.confirm()
                self._count(tr.kind, 1)

    def _count(self, kind: str, n: int) -> None:
        """``max_per_frame`` counts the boxes of the newest frame that are masked (confirmed ones)."""
        self._frame[kind] = self._frame.get(kind, 0) + n
        self.max_per_frame[kind] = max(self.max_per_frame.get(kind, 0), self._frame[kind])

    def _end(self, tr: Track) -> None:
        if tr.confirmed:
            self.done.append(tr.freeze())
            self.ended += 1
        else:
            self.unconfirmed += 1

    def _link(self, t: float, kind: str, found: Regions) -> list[tuple[Track, np.ndarray, float]]:
        """Join each detection to a track or start one; returns (track, box, score) per detection."""
        boxes, scores = found.boxes, found.scores
        strong = found.sources != WEAK_SOURCE
        candidates = [tr for tr in self.active if tr.kind == kind]
        matched_det: set[int] = set()
        joined: list[tuple[Track, np.ndarray, float]] = []
        if candidates:
            pred = np.stack([tr.predict(t) for tr in candidates])
            sim = _similarity(pred, boxes)
            # A track of one detection moved with the picture's motion (``Track.camera``) may also be
            # something the camera follows, standing still in the picture: it joins a box near either.
            moving = [k for k, tr in enumerate(candidates) if len(tr.times) == 1 and tr.velocity.any()]
            if moving:
                still = _similarity(np.stack([candidates[k].boxes[-1] for k in moving]), boxes)
                sim[moving] = np.maximum(sim[moving], still)
            pairs = _greedy(sim)
            reach = np.clip([LINK_SPEED * (t - tr.end) for tr in candidates], MAX_CENTRE_DIST, MAX_REACH)
            far = _alone(_similarity(pred, boxes, reach) > 0, pairs)
            for ti, di in pairs + far:
                matched_det.add(di)
                tr = candidates[ti]
                if (ti, di) in far and tr.confirmed:
                    self._keep_as_it_was(tr)
                tr.add(t, boxes[di], float(scores[di]), bool(strong[di]))
                tr.camera = self._camera.copy()
                joined.append((tr, boxes[di], float(scores[di])))
        face = kind == "face" and self.confirm_below > 0
        for di in range(len(boxes)):
            if di not in matched_det:
                tr = self._start(kind, t, boxes[di], float(scores[di]), bool(strong[di]), confirmed=not face)
                joined.append((tr, boxes[di], float(scores[di])))
        return joined

    def _keep_as_it_was(self, tr: Track) -> None:
        """A track about to take a detection by reach alone (``_alone``), kept also as it is now, ended: held at
        its last box for ``hold`` as if that detection were another face. It may be: a face missed for a while
        and another appearing two of its sizes away became one track, and the mask left the first face (an
        adversarial review, 2026-12-06: 141 of 594 such scenes left a face bare for a frame or more with
        LINK_SPEED at 24, 92 at 16). Live coverage stays as offline: no frame it changes is written before the
        track is found again or its gap runs out (``LiveCoverage.ready``)."""
        last = np.asarray(tr.boxes[-1:], np.float32)
        self.done.append(FrozenTrack(self._next, tr.kind, np.asarray(tr.times[-1:], np.float64), last, tr.scores[-1],
                                     np.asarray(tr.times[-1:], np.float64), last, lead=False))
        self._next += 1

    def _start(self, kind: str, t: float, box: np.ndarray, score: float, strong: bool, confirmed: bool) -> Track:
        """A new active track from one detection."""
        tr = Track(self._next, kind, confirmed=confirmed, camera=self._camera.copy())
        tr.velocity = self._camera.copy()  # where to look for its next detection (``predict``)
        self._next += 1
        tr.add(t, box, score, strong)
        self.active.append(tr)
        return tr

    def finish(self) -> list[FrozenTrack]:
        """Every masked (confirmed) track, frozen, by start time."""
        for tr in self.active:
            self._end(tr)
        self.active = []
        self.finished = True
        return sorted(self.done, key=lambda tr: tr.start)


def _greedy(sim: np.ndarray) -> list[tuple[int, int]]:
    """(track, detection) pairs by ``sim`` (tracks x detections), best pair first, each used once; pairs
    scored 0 are never made. Crowds of hundreds of faces stay fast (one sort of the matrix)."""
    order = np.dstack(np.unravel_index(np.argsort(-sim, axis=None), sim.shape))[0]
    used_tr: set[int] = set()
    used_det: set[int] = set()
    pairs = []
    for ti, di in order:
        if sim[ti, di] <= 0:
            break
        if ti in used_tr or di in used_det:
            continue
        used_tr.add(int(ti))
        used_det.add(int(di))
        pairs.append((int(ti), int(di)))
    return pairs


def _alone(near: np.ndarray, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(track, detection) pairs, neither in ``pairs``, that are each other's only neighbour in ``near``
    (tracks x detections within a track's LINK_SPEED reach). A face crossing an empty stretch of the
    picture has no other; in a crowd most detections have several, and links made by reach alone took
    one face's detection for its neighbour's (on MOT20, 549 links beyond MAX_CENTRE_DIST, and 2 marked
    faces left uncovered)."""
    used_tr, used_det = {p[0] for p in pairs}, {p[1] for p in pairs}
    one_det, one_tr = near.sum(1) == 1, near.sum(0) == 1
    return [(int(ti), int(di)) for ti, di in zip(*np.nonzero(near), strict=True)
            if one_det[ti] and one_tr[di] and ti not in used_tr and di not in used_det]


def _similarity(pred: np.ndarray, det: np.ndarray, reach: np.ndarray | float = MAX_CENTRE_DIST) -> np.ndarray:
    """(tracks, detections) linking score: IoU, or a small positive score for centres within ``reach``
    (each track's, in sizes; ``MAX_CENTRE_DIST`` and up).

    Zero means "cannot be the same face": too far for its size, or a size more than 2x different.
    """
    iou = box_iou(pred, det)
    pc = (pred[:, :2] + pred[:, 2:]) / 2
    dc = (det[:, :2] + det[:, 2:]) / 2
    ps = np.maximum(pred[:, 2:] - pred[:, :2], 1).max(1)
    ds = np.maximum(det[:, 2:] - det[:, :2], 1).max(1)
    dist = np.linalg.norm(pc[:, None] - dc[None], axis=2) / np.maximum(ps[:, None], ds[None])
    ratio = np.maximum(ps[:, None], ds[None]) / np.minimum(ps[:, None], ds[None])
    reach = np.broadcast_to(np.asarray(reach, np.float64).reshape(-1, 1), dist.shape)
    near = (dist < reach) & (ratio < 2.0)
    score = np.where(iou >= MIN_IOU, 1.0 + iou, np.where(near, 1.0 - dist / reach, 0.0))
    return np.where(ratio < 2.0, score, 0.0)


class Coverage:
    """Answer, frame by frame in time order, which boxes to mask (a sweep over sorted tracks).

    Frames must be asked for in increasing time; memory is the number of tracks, not frames.
    """

    def __init__(self, tracks: list[FrozenTrack], hold: float = DEFAULT_HOLD, cuts: list[float] | tuple = ()):
        self.hold = max(0.0, float(hold))
        self.cuts = sorted(cuts)
        self._pending = sorted(tracks, key=lambda tr: tr.start)
        self._i = 0
        self._live: list[tuple[float, int, FrozenTrack]] = []  # heap by end time

    def at(self, t: float) -> Regions:
        while self._i < len(self._pending) and self._pending[self._i].start - self.hold <= t + 1e-6:
            tr = self._pending[self._i]
            heapq.heappush(self._live, (tr.end + self.hold, tr.id, tr))
            self._i += 1
        while self._live and self._live[0][0] < t - 1e-6:
            heapq.heappop(self._live)
        return _boxes_at([tr for _, _, tr in self._live], t, self.hold, self.cuts)


def _boxes_at(tracks: list, t: float, hold: float, cuts: list[float] | tuple = ()) -> Regions:
    """The boxes of ``tracks`` active at time ``t`` (bridged, or held around their detections but
    not across ``cuts``), each with its track's kind."""
    boxes, scores, names = [], [], []
    for tr in tracks:
        b = tr.box_at(t, hold, cuts)
        if b is not None:
            boxes.append(b)
            scores.append(tr.score)
            names.append(tr.kind)
    if not boxes:
        return Regions.empty()
    n = len(boxes)
    return Regions(np.stack(boxes).astype(np.float32), np.asarray(scores, np.float32),
                   np.asarray(names, dtype=KIND_DTYPE), np.array(["track"] * n, dtype="<U24"),
                   np.full((n, 5, 2), np.nan, np.float32))


def _decided(track: Track, t: float, now: float, max_gap: float, hold: float) -> bool:
    """Can no later detection change ``track``'s box at ``t`` (the tracker having seen up to ``now``)?

    Not while the track may still be found again within ``max_gap`` and then box ``t`` otherwise:
    * last seen at or before ``t``: ``t`` would be bridged, not held;
    * seen once, ``t`` within ``hold`` before it: the held box moves with the track's first motion
      (``_Timeline._end_velocity``), which its second box decides, however late it comes.
    Before the second rule the mask at ``t`` depended on how far the analyser had got when the writer
    asked: MOT20 came out different from run to run (a face first seen at 2.08 s and next at 3.68 s,
    its held box at 1.6 s 0.6 px apart). Other later boxes cannot change ``t``: ``ready``'s first rule
    keeps the analyser past ``t + hold + VELOCITY_WINDOW``, beyond any HULL_GAP (``_guided``)."""
    if now - track.end > max_gap:
        return True
    return track.end > t and not (len(track.times) < 2 and t >= track.start - hold)


class LiveCoverage:
    """The same answer as ``Coverage``, while the tracker is still being fed (video writer trailing
    the analyser). ``ready(t)`` says when no later detection can change the boxes at ``t``:

    * a new track's mask starts ``hold`` before its first detection, and its backward motion
      uses VELOCITY_WINDOW seconds of detections: the analyser must be that far past ``t``;
    * a track last seen at or before ``t`` may still be found again (then ``t`` is bridged, not
      held): wait until it is, or until ``max_gap`` has passed since it was last seen;
    * a track seen once, ``t`` within ``hold`` before it: its held box moves with the track's first
      motion, which its second box decides (``_decided``): wait for it the same way.

    So the writer usually trails by ~1 s of video and by up to ~2.5 s while a face is being missed.
    The caller serialises access with the thread that feeds the tracker.
    """

    def __init__(self, tracker: Tracker, hold: float = DEFAULT_HOLD):
        self.tracker = tracker
        self.hold = max(0.0, float(hold))
        self._live: list[FrozenTrack] = []

    def ready(self, t: float) -> bool:
        tr = self.tracker
        if tr.finished:
            return True
        if tr.t_now < t + self.hold + VELOCITY_WINDOW + 0.05:
            return False
        # Tracks not yet confirmed are not waited for: if a later box confirms one, its mask starts
        # ``hold`` before that box, past any t ready here (the first rule).
        return all(_decided(a, t, tr.t_now, tr.max_gap, self.hold) for a in tr.active if a.confirmed)

    def at(self, t: float) -> Regions:
        """The regions to mask at ``t``. The tracker's ended tracks are taken from it, and let go once no
        frame to come can need them: kept on the tracker, every track of a clip stayed in memory to its
        end (a hunt, 2026-12-06: ~3 MiB more a minute of a crowd, 1990 tracks in 37 s of one)."""
        done = self.tracker.done
        if done:
            self._live.extend(done)
            done.clear()
        self._live = [tr for tr in self._live if tr.end + self.hold >= t - 1e-6]  # never needed again
        return _boxes_at([*self._live, *(a for a in self.tracker.active if a.confirmed)], t, self.hold,
                         self.tracker.cuts)
