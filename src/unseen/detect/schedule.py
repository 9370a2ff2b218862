"""Which detector passes run on which video frame, and running them two frames at a time.

A clip is not a folder of photos: faces persist from frame to frame, and the tracker
(``unseen.track``) bridges the frames between detections. So the photo ensemble's two strong
passes run on a schedule instead of on every frame (CenterFace often, the costly RetinaFace 2x
small-face pass less often), and a cheap glance on every frame follows big, fast faces. Chosen on
the video slip benchmark (docs/BENCHMARKS.md, "Video").
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from ..regions import Regions, box_iou, intersection
from ..track import WEAK_SOURCE
from . import sphere
from .ensemble import SMALL_FACE, TURNED, Detector, Pass, clamp_threshold
from .motion import CameraMotion
from .second_look import AGREED_FOR, CONFIRMED_SCORE, LOOK_FROM, SecondLook, TurnedLooks
from .shots import Cuts


class TimedFrame(Protocol):
    """What the schedule needs of a frame: its time in seconds and its upright RGB pixels."""

    time: float

    @property
    def rgb(self) -> np.ndarray: ...

    # Optional: ``fitted(max_side)``, the upright frame already shrunk (``DecodedFrame`` has it: the
    # glance then never needs the full-size RGB), and ``size`` (width, height) without converting.


# One pass to run on one frame: backend, scale, threshold, max face (px, 0: any), fit (px, 0: the pass's
# own scale) and quarter turns counter-clockwise (``Pass.turn``).
Job = tuple[str, float, float, float, int, int]


@dataclass(frozen=True)
class Schedule:
    """Detector passes run on a frame when ``period`` seconds have passed since their last run
    (first run at ``phase`` seconds, so periodic passes can take turns on different frames).
    ``fit`` > 0 overrides each pass's scale: the frame is shrunk so its longer side is ``fit`` px."""

    passes: tuple[Pass, ...]
    period: float = 0.0  # 0: every frame
    phase: float = 0.0
    fit: int = 0


CF_PERIOD = 0.15  # seconds between CenterFace passes (most faces; also what bridges big faces)
SMALL_PERIOD = 0.45  # seconds between RetinaFace 2x passes (tiny faces, which move little on screen)
GLANCE = 320  # px, longer side of the every-frame glance
TURNED_PERIOD = 0.45  # seconds between the turned passes (faces lying on their side)
TURNED_PHASE = 0.3  # first run: between the small-face pass's runs (0.075 s, then every 0.45 s)
# RetinaFace's threshold on the turned rows. Its boxes under TURNED_SURE are kept only where CenterFace turned
# the same way agrees (``merge``), so they can go lower than the photo self-check's 0.5 (``ensemble.TURNED``):
# at 0.3 facenet turned 90 degrees kept 19 marked faces uncovered instead of 26, MOT20 41 / 55 instead of
# 44 / 66 turned 90 / 270; on the upright clips one more box on gps-mov (docs/BENCHMARKS.md, "Video: faces
# turned sideways").
TURNED_THRESHOLD = 0.3
# A step between frames under STEP_FLOOR is no capture rate: repeated timestamps repaired by the reader (one
# tick apart) or a millisecond time base. With the periods in seconds a whole clip of such frames fell inside
# one period, the strong passes ran on its first and last frames only, and faces shown on the frames between
# (23-33 px on 960 x 540) were never found. The schedule counts such a step as STEP_AS, a frame at 30 fps;
# slow motion stored at its capture rate (240 fps: 4.2 ms a frame) keeps its own times.
STEP_FLOOR = 1 / 250
STEP_AS = 1 / 30
SAME_FACE = 0.3  # a turned box overlapping an upright face box by this much of the smaller one is that face
VIDEO_TILE = 1536  # detector px: two passes run at once, so a 1080p frame's passes are tiled (peak memory)
# Detector px per tile by backend (area), on top of VIDEO_TILE. CenterFace's activations are the
# largest of any pass (~2x RetinaFace's per pixel), and two passes run at once: capped at 1 MP a 1080p
# frame's CenterFace pass is three 768 x 1080 strips instead of two 1056 x 1080 tiles. With slice-threaded
# decoding (media/video_read.py) that takes the faces-only peak from ~960 to ~750 MiB; the strips cost
# ~8% wall on their own, which x264 on one thread gives back (docs/BENCHMARKS.md, "Video: memory").
# The plate/text pass (any mix of kinds) runs at TEXT_FIT px in full-width strips of at most 0.6 MP
# (``text.find``: two 1280 x 416 strips and a small overview).
VIDEO_TILE_PIXELS: dict[str, int] = {"centerface": 1_000_000,
                                     **{k: 600_000 for k in ("plate", "text", "plate+text")}}
# When the plate pass runs too (the default), a third model shares the arena and CenterFace's strips
# are capped lower: four 1056 x 636 tiles. With the plate strips above, the default's peak went
# from 827 to 707 MiB for 11% more CPU (each change alone: 782 and 807 MiB; docs/BENCHMARKS.md,
# "Video: memory"); faces only keeps the cheaper 1 MP strips, under 800 MiB on their own.
VIDEO_TILE_PIXELS_WITH_TEXT: dict[str, int] = {"centerface": 700_000}
# Both caps were measured with CenterFace's float file; frames of INT8_FROM px and more run its int8 file. Its pass in
# two 1056 x 1080 tiles (VIDEO_TILE alone, ``INT8_UNCAPPED``) was measured and is off. Last measured on 2026-12-04
# (facenet by default, 3 interleaved rounds, Intel Xeon): 35.4-36.5 s of CPU against 36.0-36.8 s capped, within the
# machine's noise (rounds of one setting 30-41 s; 0.88x on a busier machine the day before), and 714-715 MiB at the
# peak against 675-691 (medians; 746 MiB in one round, 800 MB being 763 MiB). It first let facenet's 14 x 18 px
# face slip on the clip's last four frames, its box a fraction of a pixel off where the second look said no, which
# the look's third target (``second_look.TARGETS``) mends; docs/BENCHMARKS.md, "Video: memory", last note.
INT8_UNCAPPED = False
# Backends video runs in place of the photo detector's (ensemble.BACKENDS names). RetinaFace's 2x passes run on
# the tiles as they are, the enlargement folded into the model ("retinaface-x2": no 4x larger copy of a 1080p
# frame to make and convert every SMALL_PERIOD). CenterFace runs its float file on frames under INT8_FROM px and
# its int8 file (as photos do) on larger ones, where a 1080p pass costs 0.55x on an AMD EPYC (~0.26 instead of
# ~0.46 s) and 0.69x on an Intel Xeon with AVX-512 VNNI (~0.40 instead of ~0.58 s): a whole faces-only run 0.93x there;
# on smaller frames int8 let a ~15 px MOT20 face slip that float covers (neither scores it over 0.1). On 1080p
# it first left a face turning away on facenet 64-67% covered in two frames, because the glance's boxes pulled
# its track aside; since the tracker masks such boxes with the full-size boxes around them (``track.GUIDE_IOU``)
# the slip table is 0 (docs/BENCHMARKS.md, "Video: CenterFace's int8 file on large frames").
VIDEO_BACKENDS: dict[str, str] = {"centerface": "centerface-float", "retinaface": "retinaface-x2"}
INT8_FROM = 1_500_000  # frame px (1080p is 2.1 MP)
# CenterFace's scale on frames of INT8_FROM px and more. 0.75 saves ~6% of a 1080p run's CPU (facenet), but on
# 1080p clips panning over real crowd photos 21 marked faces slipped against 14 at 1.0 (2026-12-04, before the
# tracker used the picture's motion), small faces found less often (docs/BENCHMARKS.md, "Video: CenterFace at a
# smaller scale on large frames", bench/cf_scale_video.py).
LARGE_FRAME_CF_SCALE = 1.0


def default_schedules() -> tuple[Schedule, ...]:
    """Chosen on the video slip benchmark (docs/BENCHMARKS.md, "Video"), by simulation on cached
    per-pass detections, then checked on every shared clip by running unseen itself.

    CenterFace at 1x every CF_PERIOD finds most faces and bridges the big ones; RetinaFace at 2x
    every SMALL_PERIOD, keeping only faces under 100 px as photos do, adds the tiny ones (its big
    low-score boxes put ellipses of 200 px and more on pavement and shadows when video kept them);
    a RetinaFace glance at GLANCE px on every frame follows big, close faces (the ones that move
    furthest between passes) at ~1% of the strong passes' cost.

    Faces lying on their side (someone held on the ground, a clip whose pixels were stored sideways):
    both models were trained on upright faces. The glance and a RetinaFace pass at the photo
    self-check's turned scale (``ensemble.TURNED``) look at each frame turned a quarter each way, the
    glance on every frame, the pass every TURNED_PERIOD (under the tracker's 0.5 s hold, so that a face
    it finds stays covered between its runs), both at TURNED_THRESHOLD; CenterFace turned looks at their
    boxes scored under 0.8 (``merge``). On hamilton turned 90 and 270 degrees 114 and 191 marked faces
    slipped without them, 3 and 0 with the pass alone, 0 and 0 with the glance too (docs/BENCHMARKS.md,
    "Video: faces turned sideways", bench/video_turned.py).
    """
    return (
        Schedule((Pass("retinaface", 1.0, 0.5),), 0.0, fit=GLANCE),
        Schedule(tuple(Pass("retinaface", 1.0, TURNED_THRESHOLD, turn=k) for k in (1, 3)), 0.0, fit=GLANCE),
        Schedule((Pass("centerface", 1.0, 0.1),), CF_PERIOD, 0.0),
        Schedule((Pass("retinaface", 2.0, 0.15, max_face=SMALL_FACE),), SMALL_PERIOD, CF_PERIOD / 2),
        Schedule(tuple(Pass("retinaface", TURNED[0], TURNED_THRESHOLD, turn=k) for k in (1, 3)),
                 TURNED_PERIOD, TURNED_PHASE),
    )


# Plates and text (docs/BENCHMARKS.md, "Plates and text: video cost"): the text pass runs every
# TEXT_PERIOD seconds on the frame shrunk to TEXT_FIT px; the tracker bridges between runs, and a
# plate that appears between two runs is covered from ``--hold`` (0.5 s) before its first detection,
# so the period must stay below the hold. A 1080p frame costs ~2x a 1280 px one per run; plates under
# ~12 px tall in a 1080p frame (8 px after the fit, where the detector finds 0.97 of them) are the price.
TEXT_PERIOD = 0.3
TEXT_FIT = 1280


def text_schedules(detector: Any) -> tuple[Schedule, ...]:
    """The schedule row for the detector's plate/text pass, if it has one (``Options.cover``)."""
    passes = tuple(p for p in getattr(detector, "passes", ()) if "face" not in _kinds(detector, p))
    return (Schedule(passes, TEXT_PERIOD, TEXT_PERIOD / 3, fit=TEXT_FIT),) if passes else ()


def video_schedules(detector: Any) -> tuple[Schedule, ...]:
    """The face rows (when the detector looks for faces) and the plate/text row (when it looks for those)."""
    faces = default_schedules() if "face" in getattr(detector, "kinds", ("face",)) else ()
    return faces + text_schedules(detector)


def _scale(p: Pass, shape: tuple[int, ...]) -> float:
    """A pass's scale on a frame of ``shape`` (height, width, ...): CenterFace's is LARGE_FRAME_CF_SCALE
    times its own on frames of INT8_FROM px and more."""
    if p.backend == "centerface" and shape[0] * shape[1] >= INT8_FROM:
        return p.scale * LARGE_FRAME_CF_SCALE
    return p.scale


def _size(frame: Any) -> tuple[int, int]:
    """(width, height) of a frame, upright, without converting it when it can say."""
    size = getattr(frame, "size", None)
    if size is not None:
        return size
    h, w = frame.rgb.shape[:2]
    return w, h


def _on_fitted(frame: Any, job: Job) -> bool:
    """Does this job run on the frame's own shrunk copy (a fitted schedule that shrinks a frame that
    can shrink itself) rather than on its full-size RGB?"""
    return bool(job[4] and job[1] < 1.0 and callable(getattr(frame, "fitted", None)))


def _shown(frame: Any) -> np.ndarray:
    """The frame's full-size picture shaped as shown (``DecodedFrame.shown``), or its RGB."""
    shown = getattr(frame, "shown", None)
    return frame.rgb if shown is None else shown


def _glance(frame: Any) -> np.ndarray:
    """The frame's every-frame glance copy (shrunk, already made for the glance) when it has one."""
    fitted = getattr(frame, "fitted", None)
    return fitted(GLANCE) if callable(fitted) else frame.rgb


def overlap_of_smaller(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection over the smaller box's area ``(len(a), len(b))``: near 1 when one box lies
    inside the other, whatever their sizes (IoU stays low for a small box inside a big one)."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return intersection(a, b) / np.maximum(np.minimum(area_a[:, None], area_b[None, :]), 1e-6)


def _fused(found: Regions, nms_iou: float) -> Regions:
    """``found.nms``, where a glance box that absorbed a full-size pass's box is no longer a glance box
    (``track.WEAK_SOURCE``: the tracker trusts full-size boxes over the glance's)."""
    out = found.nms(nms_iou)
    weak = np.flatnonzero(out.sources == WEAK_SOURCE)
    strong = found.boxes[found.sources != WEAK_SOURCE]
    if not (len(weak) and len(strong)):
        return out
    sources = out.sources.copy()
    sources[weak[box_iou(out.boxes[weak], strong).max(1) >= nms_iou]] = ""
    return replace(out, sources=sources)


def _turns(jobs: list[Job]) -> list[int]:
    """Each job's quarter turns (0: upright)."""
    return [job[5] for job in jobs]


def _kinds(detector: Any, p: Pass) -> tuple[str, ...]:
    return tuple(getattr(detector.backend(p.backend), "kinds", ("face",)))


class VideoDetector:
    """Run a schedule of detector passes over a frame sequence; returns Regions per frame.

    ``detector`` is unseen's ensemble ``Detector`` (its threshold shift and NMS apply to every
    pass). Any other object with ``detect(rgb) -> Regions`` (a test double) is simply called on
    every frame; ``scheduled`` says which of the two happened, and the video report shows it.

    With ``second_look`` (the default) the tracker masks a face track only from its first box scored
    CONFIRMED_SCORE or more or confirmed by ``look`` (``detect/second_look.py``): ``confirm_below``.
    """

    def __init__(self, detector: Any, schedules: Iterable[Schedule] | None = None, second_look: bool = True):
        self.detector = detector
        self.scheduled = isinstance(detector, Detector)
        self.shift = float(getattr(detector, "threshold_shift", 0.0))
        self.nms_iou = float(getattr(detector, "nms_iou", 0.35))
        self.schedules = tuple(schedules) if schedules else video_schedules(detector)
        self.with_text = self.scheduled and any("face" not in _kinds(detector, p)
                                                for s in self.schedules for p in s.passes)
        self._last = [-1e9] * len(self.schedules)  # each row's last run, on the schedule's clock (``_clock``)
        self._newest: tuple[float, float] | None = None  # the newest frame's time and its clock
        self.runs = 0  # passes run, for the report
        # id(frame) -> (its passes, the rows they come from, the time of a cut ``prepare`` confirmed on it)
        self._prepared: dict[int, tuple[list, frozenset[int], float | None]] = {}
        self._shots = Cuts()
        self.cuts: list[float] = []  # first frames of new shots, in time order, appended by ``prepare``
        self.motion = CameraMotion()  # the picture's own motion, fed by ``prepare`` (``camera``)
        faces = self.scheduled and any("face" in _kinds(detector, p) for s in self.schedules for p in s.passes)
        self.look = SecondLook() if second_look and faces else None
        self.turned_looks = TurnedLooks()  # which turned boxes to keep (``merge``)

    @property
    def confirm_below(self) -> float:
        """The tracker's ``confirm_below``: face boxes under it wait for ``look`` (0: no second look)."""
        return CONFIRMED_SCORE if self.look is not None else 0.0

    @property
    def look_from(self) -> float:
        """The tracker's ``look_from``: smaller face boxes are confirmed without a look."""
        return float(LOOK_FROM) if self.look is not None else 0.0

    def due(self, t: float, shape: tuple[int, ...]) -> list[Job]:
        """The passes to run on the frame at ``t``: (backend, scale, threshold, max face, fit px or 0,
        quarter turns). Call in time order."""
        return self._due(t, shape)[0]

    def _due(self, t: float, shape: tuple[int, ...], every: bool = False) -> tuple[list[Job], frozenset[int]]:
        """``due``'s passes and the rows (indices into ``schedules``) they come from; ``every``: every periodic
        row, whenever it last ran."""
        if not self.scheduled:
            self.runs += 1
            return [("", 1.0, 0.0, 0.0, 0, 0)], frozenset()
        jobs, rows = [], set()
        t = self._clock(t)
        for k, s in enumerate(self.schedules):
            if s.period > 0 and not every and (t - self._last[k] < s.period - 1e-6 or t < s.phase - 1e-6):
                continue
            self._last[k] = t
            rows.add(k)
            jobs += self._jobs(s, shape)
        self.runs += len(jobs)
        return jobs, frozenset(rows)

    def _clock(self, t: float) -> float:
        """The schedule's time for the next frame, at ``t`` s: its own, but a step under STEP_FLOOR from the
        frame before counts as STEP_AS (frames whose times say nothing of how far apart they were shot)."""
        if self._newest is None:
            clock = t
        else:
            step = t - self._newest[0]
            clock = self._newest[1] + (step if step >= STEP_FLOOR else STEP_AS)
        self._newest = (t, clock)
        return clock

    def _jobs(self, s: Schedule, shape: tuple[int, ...]) -> list[Job]:
        """A row's passes as jobs for a frame of ``shape`` (height, width, ...)."""
        return [(p.backend, min(1.0, s.fit / max(shape[:2])) if s.fit else _scale(p, shape),
                 clamp_threshold(p.threshold + self.shift), p.max_face, s.fit, p.turn) for p in s.passes]

    def final(self, frame: TimedFrame, ran: frozenset[int] | None = None) -> list[Job]:
        """The passes of every periodic row that did not run on ``frame`` (``ran``: the rows that did;
        default: those whose last run was at its time, true of the newest frame decided), the last of a
        clip or of a shot: nothing after it finds what appeared since a row's last run.
        Between runs, a face the next run finds is covered back to ``hold`` before it; in a clip's last
        period there is no next run, and at a cut the hold stops (``track.Tracker.cut``).

        On MOT20's last 0.2 s a ~20 px face that RetinaFace at 2x scores 0.47-0.70 in frames 123-125
        and the row last ran on frame 122 went uncovered (``unseen verify`` found it, docs/BENCHMARKS.md,
        "Verify: videos")."""
        if not self.scheduled:
            return []
        if ran is None:
            newest = self._newest
            clock = newest[1] if newest is not None and newest[0] == frame.time else frame.time
            ran = frozenset(k for k, last in enumerate(self._last) if last >= clock - 1e-6)
        width, height = _size(frame)
        jobs = [job for k, s in enumerate(self.schedules) if s.period > 0 and k not in ran
                for job in self._jobs(s, (height, width))]
        self.runs += len(jobs)
        return jobs

    def run(self, rgb: np.ndarray, job: Job) -> Regions:
        """One pass on one frame (thread-safe: ONNX Runtime sessions may run concurrently)."""
        if not self.scheduled:
            return self.detector.detect(rgb)
        backend, scale, thr, max_face = job[:4]
        pixels = rgb.shape[0] * rgb.shape[1]
        return Detector.run_pass(rgb, self.backend(backend, pixels), scale, thr, max_face,
                                 VIDEO_TILE, self.tile_pixels(backend, pixels), turn=job[5])

    def backend(self, name: str, pixels: int = 0):
        """The detector's backend a video pass runs on a frame of ``pixels`` (VIDEO_BACKENDS swaps some for
        another; CenterFace's int8 file from INT8_FROM px). The turned boxes' look passes 0: float, as measured."""
        if name == "centerface" and pixels >= INT8_FROM:
            return self.detector.backend("centerface")
        return self.detector.backend(VIDEO_BACKENDS.get(name, name))

    def tile_pixels(self, backend: str, pixels: int = 0) -> int:
        """The cap on one run's detector pixels for ``backend`` on a frame of ``pixels`` (0: none), read at
        each call so that benchmarks can change the tables. With INT8_UNCAPPED (off) CenterFace's int8 file (from
        INT8_FROM px) is not capped."""
        if backend == "centerface" and pixels >= INT8_FROM and INT8_UNCAPPED:
            return 0
        caps = {**VIDEO_TILE_PIXELS, **VIDEO_TILE_PIXELS_WITH_TEXT} if self.with_text else VIDEO_TILE_PIXELS
        return caps.get(backend, 0)

    def run_frame(self, frame: TimedFrame, job: Job) -> Regions:
        """``run`` on a frame: a fitted pass takes the frame's own shrunk copy when it has one (so the
        full-size RGB is converted only for frames a full pass needs), boxes mapped back to the frame.
        The glance's boxes are marked ``track.WEAK_SOURCE``: the tracker does not let them take a track
        away from its full-size boxes."""
        width, height = _size(frame)  # a 360 video's frame is searched across its seam (``sphere.searched``)
        if not _on_fitted(frame, job):
            pic = _shown(frame)  # shaped as a player shows it (an anamorphic frame widened): boxes mapped back
            found = sphere.searched(lambda a: self.run(a, job), pic, (width, height))
        else:
            pic = frame.fitted(job[4])
            fitted = (job[0], 1.0, *job[2:4], 0, *job[5:])
            found = sphere.searched(lambda a: self.run(a, fitted), pic, (width, height))
        if pic.shape[:2] != (height, width):
            found = found.scaled(width / pic.shape[1], height / pic.shape[0])
        if job[4] != GLANCE:
            return found
        return replace(found, sources=np.full(len(found), WEAK_SOURCE, "<U24"))

    def prepare(self, frame: TimedFrame) -> None:
        """Decide a frame's passes and convert the pixels they need, in the thread that decodes
        (``video_read.prefetch`` calls this on every frame, in order). Only the glance's shrunk copy
        is made for most frames; the full-size RGB only when a full pass is due. Converting here
        keeps that work beside the decoder rather than on the detection threads, and converts each
        frame once before its passes start (``DecodedFrame`` also locks its conversions: two threads
        converting one frame at once hung or crashed FFmpeg).

        Cuts between shots are found here too, in order and ahead of detection (``detect/shots.py``,
        on the glance's copy): ``cuts`` for the tracker, and the last frame of a shot runs every row
        (``final``) before its regions are handed on. So is the picture's own motion (``camera``)."""
        width, height = _size(frame)
        glance = _glance(frame)
        cut = self._shots.feed(frame.time, glance)
        self.motion.feed(frame.time, glance, (width, height))
        if cut is not None:
            self.cuts.append(cut)
            self.motion.cut(cut)
        # A frame unlike the one before it (a cut, a hyperlapse's jump, a timelapse) runs every row: the tracks
        # and the glance's small copy say nothing of where its faces are. A hunt (2026-12-06) found a
        # hyperlapse's front row of 43-54 px faces uncovered on a frame between full passes, the masks left
        # where the faces had been a frame before.
        jobs, rows = self._due(frame.time, (height, width), every=self._shots.jumped)
        for job in jobs:
            if _on_fitted(frame, job):
                frame.fitted(job[4])
            else:
                _shown(frame)  # converted here, cached on the frame
        self._prepared[id(frame)] = (jobs, rows, cut)

    def camera(self, t: float) -> np.ndarray:
        """The picture's own motion at the frame of time ``t`` (px/s, ``motion.CameraMotion``; zero when
        unknown), for the tracker's tracks of one detection (``track.Tracker.update``)."""
        return self.motion.velocity(t)

    def merge(self, found: list[Regions], turns: list[int] | None = None, frame: TimedFrame | None = None) -> Regions:
        """One frame's passes as one set of regions (``turns``: each pass's quarter turns, default none).

        A turned pass only adds faces no upright pass found: its box of a face an upright pass found
        too is dropped, never fused with the upright boxes (NMS makes the survivor the mean of the boxes
        it suppresses, ``Regions.nms``). RetinaFace draws a face it sees turned differently; fused in,
        its boxes left faces of the facenet clip turned a quarter 38-65% covered in four frames that
        were covered before (docs/BENCHMARKS.md, "Video: faces turned sideways"). With ``frame``, a
        turned box scored under TURNED_SURE stays only if CenterFace agrees (``second_look.turned_look``:
        hands and fists are faces to RetinaFace turned), and is then scored at least CONFIRMED_SCORE so that
        the tracker masks it without an upright second look."""
        turns = turns or [0] * len(found)
        upright = _fused(Regions.concat([r for r, k in zip(found, turns, strict=True) if not k]), self.nms_iou)
        by_turn = [(r, k) for r, k in zip(found, turns, strict=True) if k and len(r)]
        turned = _fused(Regions.concat([r for r, _ in by_turn]), self.nms_iou)
        if not len(turned):
            return upright
        faces = upright.boxes[(upright.kinds == "face") & (upright.scores >= CONFIRMED_SCORE)]
        if len(faces):
            turned = turned[overlap_of_smaller(turned.boxes, faces).max(1) <= SAME_FACE]
        if frame is not None and len(turned) and self.scheduled:
            turned = turned[self._agreed(turned, by_turn, frame)]
            # CenterFace's agreement is this box's second look (``SecondLook`` looks upright): confirmed.
            turned.scores[:] = np.maximum(turned.scores, CONFIRMED_SCORE)
        return Regions.concat([upright, turned])

    def _agreed(self, turned: Regions, by_turn: list[tuple[Regions, int]], frame: TimedFrame) -> np.ndarray:
        """Which of ``turned`` (fused turned boxes) to keep (``second_look.TurnedLooks``), each looked at
        turned the way the pass that found it (most overlapping) was, remembered within its shot."""
        t = frame.time
        since = max([t - AGREED_FOR, *(c - 1e-6 for c in self.cuts if c <= t + 1e-6)])
        iou = np.stack([box_iou(turned.boxes, r.boxes).max(1) for r, _ in by_turn], axis=1)
        turn_of = np.array([k for _, k in by_turn])[iou.argmax(1)]
        return self.turned_looks.keep(self.backend("centerface"), frame, turned.boxes, turned.scores, turn_of, since)

    def detect_all(self, frames: Iterable[TimedFrame], workers: int = 2,
                   window: int = 4) -> Iterator[tuple[Any, Regions]]:
        """``(frame, regions)`` in order, with the passes of up to ``window`` frames running on
        ``workers`` threads: a CenterFace pass on one frame overlaps a RetinaFace pass on the next,
        which keeps both cores busy where one pass alone leaves gaps (its Python pre/post-processing,
        the ends of ONNX Runtime's parallel loops). Memory: at most ``window`` + 2 frames."""
        pending: deque = deque()  # [frame, futures, rows run on it, each future's quarter turns]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unseen-detect") as pool:
            try:
                for f in frames:
                    if id(f) not in self._prepared:  # not prepared by the decoder: here, one frame at a time
                        self.prepare(f)
                    jobs, rows, cut = self._prepared.pop(id(f))
                    pending.append([f, [pool.submit(self.run_frame, f, job) for job in jobs], rows, _turns(jobs)])
                    if cut is not None:  # confirmed one frame after the cut: the shot's last frame is pending
                        self._end_of_shot(pool, pending, cut)
                    while len(pending) > window:
                        g, futs, _, turns = pending.popleft()
                        yield g, self.merge([x.result() for x in futs], turns, g)
                if pending:  # the clip's last frame: every row that did not run on it runs now
                    if (maybe := self._shots.unconfirmed) is not None:  # ... and on the frame before a cut
                        self._end_of_shot(pool, pending, maybe)  # no later frame confirms (a hunt, 2026-12-06)
                    self._end_of_shot(pool, pending, float("inf"))
                while pending:
                    g, futs, _, turns = pending.popleft()
                    yield g, self.merge([x.result() for x in futs], turns, g)
            finally:
                for _, futs, *_ in pending:
                    for x in futs:
                        x.cancel()

    def _end_of_shot(self, pool: ThreadPoolExecutor, pending: deque, cut: float) -> None:
        """Run ``final`` on the newest pending frame before ``cut`` (the first frame of a new shot).
        ``window`` >= 2 keeps it pending: a cut is confirmed on the frame after it."""
        for entry in reversed(pending):
            g, futs, rows, turns = entry
            if g.time < cut - 1e-6:
                jobs = self.final(g, rows)
                futs += [pool.submit(self.run_frame, g, job) for job in jobs]
                turns += _turns(jobs)
                entry[2] = frozenset(range(len(self.schedules)))
                return
