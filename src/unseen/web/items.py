"""The files under review: what the page shows of each (detections, sampled video frames, thumbnails).

Pure work on files and pixels, no HTTP: ``web.server`` owns the items and ``web.http`` answers the
page. Every video is opened through ``media.ffmpeg.open_input`` (absolute path, ``file`` protocol
only), like everywhere else in unseen: a file named ``http:host:80.mp4`` in a reviewed folder is a
file, never a connection.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .. import raster
from ..detect import sphere
from ..detect.second_look import SecondLook, turned_down
from ..detect.shown import detect_shown
from ..engine.plan import SIDECAR_SUFFIX, Job
from ..errors import UnseenError
from ..media import image as image_io
from ..media.deinterlace import whole
from ..media.video_read import Orientation, open_input, video_stream
from ..media.video_write import output_extension
from ..options import Options
from ..regions import Regions, inside_share
from ..track import Tracker
from . import words

VIDEO_MAX_SAMPLES = 60  # frames sampled for the timeline (1 per second for short clips)
VIDEO_FRAME_SIDE = 1280  # sampled frames are shown and searched at this size at most
THUMB_SIDE = 200
# "Places to check": a second opinion (RetinaFace at native size, at a lower score than the
# self-check's) for what no detection covers, shown one by one; it never covers anything by itself.
# About a tenth of detection's time (1.2 s on a 2 MP crowd of ~1,800 faces). CenterFace at a lower
# score was tried and dropped: on that crowd it returns ~16,000 boxes and its NMS needs ~1 GB.
WIDE_PASS = ("retinaface", 1.0, 0.2)
MAX_MAYBE = 60


@dataclass
class Item:
    """One photo or video under review. The client knows it only by ``id``."""

    id: str
    job: Job
    kind: str  # image | video
    uploaded: bool
    state: str = "new"  # new | queued | detecting | ready | error
    error: str | None = None
    width: int = 0
    height: int = 0
    animated: bool = False
    regions: list[dict] = field(default_factory=list)  # detected (photo)
    maybe: list[dict] | None = None  # photo: what a wider search found uncovered (None: still looking)
    notes: list[str] = field(default_factory=list)
    dest: Path | None = None  # the output's path, once the file's format is known
    # video
    duration: float = 0.0
    sample_total: int = 0
    samples: list[dict] = field(default_factory=list)  # {"k", "t", "regions"}
    tracks: list[dict] = field(default_factory=list)
    frame_scale: float = 1.0  # sampled frame pixels per video pixel
    frames: dict[int, bytes] = field(default_factory=dict)  # JPEG of each sampled frame
    thumbs: dict[int, bytes] = field(default_factory=dict)
    has_audio: bool = False
    # the review: what was saved (this session, or an earlier one's sidecar), and unsaved work
    review: dict | None = None  # {"regions", "mode", "source": "session" | "earlier", "output", "sha256"}
    draft: list[dict] | None = None  # the page's regions since the last save (on disk too: web.drafts)
    # Counts every draft the page sends: a save clears only the draft it was made from, never one
    # sent while it ran (a region drawn during a long video save).
    draft_gen: int = 0
    sidecar_saved: bool | None = None  # before the file is opened: its sidecar names a written output
    draft_waiting: bool | None = None  # before the file is opened: an earlier session left a draft of it
    # The input as it was opened (``file_identity``): a save refuses a file replaced since, whose
    # pixels the reviewer never saw.
    identity: tuple[int, int] | None = None
    # saving
    save: dict = field(default_factory=lambda: {"state": "idle"})
    output: Path | None = None
    output_sha: str | None = None  # SHA-256 of the output this session wrote
    sidecar: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def src(self) -> Path:
        return self.job.src

    def summary(self) -> dict:
        saved = self.save.get("state") == "done"
        # Before the file is opened, a sidecar beside it is enough; once opened, it must be this file's.
        opened = self.state in ("ready", "error")
        if not opened and self.sidecar_saved is None:
            self.sidecar_saved = saved_before(review_sidecar(self.job))
        if not opened and self.draft_waiting is None:
            # Unsaved work an earlier session left is opened with the file (``drafts.reopen``): until then the
            # list said nothing of it, and a reviewer back after a crash could not tell which files had any.
            self.draft_waiting = not self.uploaded and is_file(draft_path(self.job))
        earlier = not saved and (self.review is not None if opened else bool(self.sidecar_saved))
        draft = self.draft is not None if opened else bool(self.draft_waiting)
        return {"id": self.id, "name": self.src.name, "kind": self.kind, "state": self.state,
                "uploaded": self.uploaded, "saved": saved, "saved_earlier": earlier,
                "draft": draft, "path": None if self.uploaded else str(self.src)}

    def detail(self) -> dict:
        d = self.summary()
        dest = destination(self)
        d.update(error=self.error, width=self.width, height=self.height, animated=self.animated,
                 notes=words.notes(self.notes), save=self.save, review=_public(self.review),
                 draft=self.draft, draft_gen=self.draft_gen,
                 destination={"name": dest.name, "folder": None if self.uploaded else str(dest.parent)})
        if self.kind == "video":
            d.update(duration=self.duration, sample_total=self.sample_total, samples=self.samples,
                     tracks=self.tracks, audio=self.has_audio)
        else:
            d.update(regions=self.regions, maybe=self.maybe)
        return d


def _public(review: dict | None) -> dict | None:
    return None if review is None else {k: v for k, v in review.items() if k != "sha256"}


def file_identity(path: Path) -> tuple[int, int] | None:
    """The input's size in bytes and modification time (ns), or None when it cannot be read now.
    Cheap enough for every save and every look at the file; a copy over it, an edit or a new
    picture of the same name changes it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


# What a file replaced on disk keeps when it is opened again (``ReviewServer.reopen_if_changed``):
# who it is, and what this session wrote (so that replacing that output needs no question).
KEPT_ON_REOPEN = frozenset({"id", "job", "kind", "uploaded", "lock", "output", "output_sha", "sidecar",
                            "draft_gen"})


def name_too_long(path: Path) -> bool:
    """True when the last part of ``path`` is longer than its file system allows (NAME_MAX, 255
    bytes on most). A reviewed file named with ~246 characters leaves no room for ``.unseen.json``,
    and asking the file system about such a name raises (ENAMETOOLONG) instead of answering."""
    folder = path.parent
    with contextlib.suppress(OSError):
        while not folder.is_dir() and folder != folder.parent:  # an -o folder not made yet
            folder = folder.parent
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    return len(os.fsencode(path.name)) > limit


def is_file(path: Path) -> bool:
    """``path.is_file()``, False where the name itself is refused (too long): one odd name in a
    folder must not fail every answer about the folder."""
    try:
        return path.is_file()
    except OSError:
        return False


def _sidecar_doc(side: Path) -> dict:
    """A sidecar's JSON object, or {} (missing, unreadable, not an object)."""
    if not is_file(side):
        return {}
    try:
        doc = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _image_of(side: Path) -> str | None:
    """The ``image`` a sidecar names, or None (missing, unreadable, not a review sidecar)."""
    image = _sidecar_doc(side).get("image")
    return image if isinstance(image, str) else None


DRAFT_SUFFIX = ".unseen-draft.json"


def draft_path(job: Job) -> Path:
    """Where this file's draft is kept (``web.drafts``): beside its sidecar, under the input's whole name
    (``a.jpg``'s ``a.jpg.unseen-draft.json``). The sidecar's own name depends on the other inputs of the run
    (``a`` or ``a.jpg`` beside an ``a.png``): a draft under it was not found by the next session, or taken
    by another file of that stem, which replaced it."""
    return job.sidecar.parent / (job.src.name + DRAFT_SUFFIX)


def review_sidecar(job: Job) -> Path:
    """The sidecar to read for this input: its own (``Job.sidecar``, the one a save writes), else
    the other form of its name when that one records this very file (its ``image``): a
    ``NAME.unseen.json`` written by an earlier version for one of two inputs of one stem, or a
    review of this file made with (or without) its twin in the run. Never another file's."""
    own = job.sidecar
    if is_file(own):
        return own
    for other in (job.out_dir / (job.src.stem + SIDECAR_SUFFIX), job.out_dir / (job.src.name + SIDECAR_SUFFIX)):
        if other != own and _image_of(other) == job.src.name:
            return other
    return own


def saved_before(side: Path) -> bool:
    """Whether a sidecar records a finished save (it names the output written). The sidecar is
    written before the output, so one without an output is a save that failed (or a boxes file
    written by hand): that file was never saved. Read before the file is opened, for the file list."""
    output = _sidecar_doc(side).get("output")
    return isinstance(output, dict) and isinstance(output.get("name"), str)


def destination(item: Item) -> Path:
    """Where saving writes this file's output (its format decides the extension)."""
    if item.dest is not None:
        return item.dest
    if item.kind == "video":
        return item.job.destination(output_extension(Options().codec))
    return item.job.destination(item.job.planned_ext)


def jpeg(pixels: np.ndarray, quality: int = 90) -> bytes:
    """A brand-new JPEG from pixels alone: no EXIF, ICC or thumbnail can come along."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), "RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def detect_photo(item: Item, detector: Any) -> np.ndarray:
    """Decode a photo's first frame, detect on what a viewer shows of it, fill the item; returns the
    upright pixels as the page shows them (``raster.shown``)."""
    with image_io.read(item.src, lazy=True) as img:  # an animation's first frame is all this keeps
        frame, alpha = img.frames[0], img.alpha[0]
    item.height, item.width = frame.shape[:2]
    item.dest = item.job.destination(image_io.EXTENSION[img.output_format])
    item.animated = img.animated
    item.notes = list(img.notes) + list(img.warnings)  # a multi-page TIFF's pages dropped: said before a save
    if img.animated:
        item.notes.append(f"animation of {len(img.frames)} frames: the first is shown; the "
                          "detector still runs on every frame when saving")
    item.regions = detect_shown(detector, frame, alpha, span=img.sphere).to_json()
    return raster.shown(frame, alpha)


def likely_missed(detector: Any, rgb: np.ndarray, found: list[dict]) -> list[dict]:
    """Places a wider search finds that no detection covers, best first: the page walks them one by
    one. A detector may bring its own ``candidates(rgb)``; unseen's runs ``WIDE_PASS``."""
    search = getattr(detector, "candidates", None)
    if search is not None:
        wide = search(rgb)
    elif hasattr(detector, "run_pass") and hasattr(detector, "backend"):
        backend, scale, threshold = WIDE_PASS
        wide = detector.run_pass(rgb, detector.backend(backend), scale, threshold)
    else:
        return []
    h, w = rgb.shape[:2]
    wide = wide.clipped(w, h)
    known = Regions.from_json(found, source="review", default_kind="face")
    if len(wide) and len(known):
        wide = wide[inside_share(wide.boxes, known.boxes) < 0.5]
    return wide[np.argsort(-wide.scores, kind="stable")[:MAX_MAYBE]].to_json() if len(wide) else []


def timeline_tracks(samples: list[dict], step: float) -> list[dict]:
    """The page's timeline: detections on the sampled frames linked by the video tracker itself
    (``unseen.track``), a track surviving two missed samples."""
    tracker = Tracker(max_gap=2 * step + 1e-3)
    k_at: dict[float, int] = {}
    for s in samples:
        k_at[s["t"]] = s["k"]
        tracker.update(s["t"], Regions.from_json(s["regions"], source="review", default_kind="face"))
    tracks = sorted(tracker.finish(), key=lambda tr: (tr.start, tr.id))
    return [{"id": i + 1, "kind": tr.kind, "t0": tr.start, "t1": tr.end, "samples": [k_at[float(t)] for t in tr.times]}
            for i, tr in enumerate(tracks)]


def sample_video(item: Item, detector: Any) -> None:
    """Sample up to VIDEO_MAX_SAMPLES frames spread over the clip; detect on each (shown size)."""
    with open_input(item.src) as container:
        vs = video_stream(container)
        vs.thread_type = "AUTO"
        tb = float(vs.time_base) if vs.time_base else 1 / 90000
        start = vs.start_time or 0
        if vs.duration:
            duration = float(vs.duration * vs.time_base)
        elif container.duration:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        n = 1 if duration <= 0 else min(VIDEO_MAX_SAMPLES, max(1, math.ceil(duration)))
        step = duration / n if n else 0.0
        times = [round(i * step + (step / 2 if n > 1 and duration > VIDEO_MAX_SAMPLES else 0), 3)
                 for i in range(n)]
        item.duration, item.sample_total = round(duration, 3), n
        item.has_audio = bool(container.streams.audio)
        look = SecondLook()  # the run's own check of low-score faces (``second_look.turned_down``)
        first_pts = None
        for k, t in enumerate(times):
            frame = _frame_at(container, vs, start, tb, t)
            if frame is None:
                continue
            if frame.pts is not None:
                # Times count from the first frame, as the writer's (and the sidecar's) do.
                first_pts = frame.pts if first_pts is None else first_pts
                t = round(max(0.0, (frame.pts - first_pts) * tb), 3)
            if item.samples and t <= item.samples[-1]["t"]:
                continue  # a very short clip: the same frame again
            rgb = frame.to_ndarray(format="rgb24")
            if frame.interlaced_frame:  # made whole, as the run reads it (``media/deinterlace.py``)
                rgb = whole(rgb)
            rgb = Orientation.from_frame(frame).apply(rgb)
            if not item.width:
                item.height, item.width = rgb.shape[:2]
            small, s = raster.fit(rgb, VIDEO_FRAME_SIDE)
            item.frame_scale = s
            found = sphere.searched(detector.detect, small, (rgb.shape[1], rgb.shape[0]))  # as the run does
            found = found.scaled(1 / s) if s != 1 else found
            item.frames[k] = jpeg(small, 85)
            item.thumbs[k] = _thumb(small, found.scaled(s) if s != 1 else found)
            found = found.clipped(item.width, item.height)
            regions = found.to_json()
            for i in np.flatnonzero(turned_down(look, rgb, found.kinds, found.boxes, found.scores)):
                regions[i]["unsure"] = True  # drawn apart, left out of the preview: the save may not cover it
            item.samples.append({"k": k, "t": t, "regions": regions})
            item.tracks = timeline_tracks(item.samples, step or 1.0)
        if not item.samples:
            raise UnseenError("no frame could be decoded")


def _frame_at(container: Any, vs: Any, start: int, tb: float, t: float) -> Any:
    """The first frame at or after ``t`` seconds from the start (seek to the keyframe before)."""
    try:
        container.seek(int(start + t / tb), stream=vs, backward=True, any_frame=False)
    except Exception:  # noqa: BLE001 - unseekable: decode from the start (or from where we are)
        with contextlib.suppress(Exception):
            container.seek(0)
    last = None
    try:
        for frame in container.decode(vs):
            last = frame
            if frame.pts is None or (frame.pts - start) * tb >= t - 1e-3:
                return frame
    except Exception:  # noqa: BLE001 - a damaged tail: keep what decoded
        pass
    return last


def _thumb(pixels: np.ndarray, regions: Regions) -> bytes:
    small, s = raster.fit(pixels, THUMB_SIDE)
    small = small.copy()
    for b in regions.boxes * s:
        raster.outline(small, int(b[0]), int(b[1]), int(b[2]), int(b[3]), (255, 200, 0))
    return jpeg(small, 80)


def sampled_frame_pixels(item: Item, k: int) -> np.ndarray | None:
    """The pixels of sampled frame ``k`` as the page shows it, or None when there is no such frame."""
    data = item.frames.get(k)
    if data is None:
        return None
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:  # the page's own JPEG (``jpeg``)
        return np.asarray(im.convert("RGB")).copy()
