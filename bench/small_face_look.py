"""How often video's second look (``unseen.detect.second_look``) confirms a real face that is small.

Below ``LOOK_FROM`` px video covers a low-score box without a look, because a face of 8-12 px
enlarged 2-3x may be too blurred for RetinaFace. This measures that on real faces: the confident faces
(float CenterFace >= 0.6, 24 px and more) of the crowd photos outside the benchmark, each shrunk with
its surroundings until its box is S px, then given the look unseen would give a box of that size
(both targets, the shipped threshold and 0.2). Also after a JPEG round trip at quality 50, for the
blocking and smearing a small face has in a compressed video frame.

    bench/small_face_look.py [--sizes 8,10,12,14,16,20] [--limit N] [--write-md]

Prints, per size, the share of faces one look confirms, and of the same boxes moved to where no
face is (easy negatives: the hard ones, heads seen from behind, are in the video simulation). A face
in video is looked at once per detection until a look confirms it, so a track is missed only when
every look fails. Decided LOOK_FROM (docs/BENCHMARKS.md, "Second look on small faces").
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from benchlib import command_line, emit, git_revision, machine  # noqa: E402
from small_face_gate import CROWDS, crowd_photos, load  # noqa: E402

from unseen.detect.centerface import CenterFace  # noqa: E402
from unseen.detect.retinaface import RetinaFace  # noqa: E402
from unseen.detect.second_look import CONFIRMED_SCORE, CONTEXT, LOOK_THRESHOLD, TARGETS, findings, neighbourhood, passes  # noqa: E402
from unseen.regions import box_iou  # noqa: E402

CONFIDENT = 0.6  # faces taken as real: float CenterFace at native size scores them this high
MIN_SIDE = 24  # px: only faces that shrinking makes smaller
OUT = REPO / "bench" / "out" / "small_face_look.json"


def shrunk(rgb: np.ndarray, box: np.ndarray, size: float, jpeg: bool) -> tuple[np.ndarray, np.ndarray]:
    """The face's surroundings (CONTEXT + 1 sides each way), shrunk so that the box's longer side is
    ``size`` px, and the box in the shrunk crop's pixels."""
    h, w = rgb.shape[:2]
    side = float(max(box[2] - box[0], box[3] - box[1]))
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half = (CONTEXT + 1) * side / 2
    x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
    x1, y1 = min(w, int(np.ceil(cx + half))), min(h, int(np.ceil(cy + half)))
    s = size / side
    im = Image.fromarray(rgb[y0:y1, x0:x1]).resize(
        (max(1, round((x1 - x0) * s)), max(1, round((y1 - y0) * s))), Image.LANCZOS)
    if jpeg:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=50)
        im = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    b = (np.asarray(box, np.float32) - [x0, y0, x0, y0]) * s
    return np.asarray(im), b


def elsewhere(rng: np.random.Generator, shape: tuple, box: np.ndarray, anything: np.ndarray) -> np.ndarray | None:
    """``box`` moved to a random place where CenterFace finds nothing even at 0.05 (its neighbourhood
    clear of every such box): a box of a face's size on what is not a face. None if 50 tries fail."""
    h, w = shape[:2]
    bw, bh = float(box[2] - box[0]), float(box[3] - box[1])
    side = max(bw, bh)
    for _ in range(50):
        x, y = rng.uniform(0, max(1.0, w - bw)), rng.uniform(0, max(1.0, h - bh))
        cand = np.array([x, y, x + bw, y + bh], np.float32)
        grown = cand + np.array([-side, -side, side, side], np.float32)
        if not len(anything) or not ((anything[:, 0] < grown[2]) & (anything[:, 2] > grown[0])
                                     & (anything[:, 1] < grown[3]) & (anything[:, 3] > grown[1])).any():
            return cand
    return None


def score_at(cf: CenterFace, crop: np.ndarray, box: np.ndarray) -> float:
    """CenterFace's best score on the shrunk crop for a box overlapping ``box`` (0 when none)."""
    found = cf(crop, 0.05)
    if not len(found):
        return 0.0
    iou = box_iou(np.asarray(box, np.float32)[None], found.boxes.astype(np.float32))[0]
    return float(found.scores[iou >= 0.3].max()) if (iou >= 0.3).any() else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="8,10,12,14,16,20")
    ap.add_argument("--limit", type=int, default=0, help="photos (0 = all)")
    ap.add_argument("--write-md", action="store_true")
    args = ap.parse_args()
    started = time.time()
    sizes = [float(s) for s in args.sizes.split(",")]
    photos = crowd_photos()[: args.limit or None]
    if not photos:
        print("the shared corpus is missing (../shared/data)")
        return 1
    cf, rf = CenterFace(int8=False), RetinaFace()
    thresholds = (LOOK_THRESHOLD, 0.2)
    # "low": the faces CenterFace itself scores under CONFIRMED_SCORE at the shrunk size, the ones video
    # would actually look at
    res = {f"{s:g}/{j}{low}": {"faces": 0, **{str(t): 0 for t in thresholds}}
           for s in sizes for j in ("clean", "jpeg50") for low in ("", "/low", "/none")}
    faces = 0
    rng = np.random.default_rng(0)
    for p in photos:
        rgb = load(p)
        if rgb is None:
            continue
        found = cf(rgb, CONFIDENT)
        anything = cf(rgb, 0.05).boxes  # where a face could be, even at a low score
        for box in found.boxes:
            if max(box[2] - box[0], box[3] - box[1]) < MIN_SIDE:
                continue
            faces += 1
            away = elsewhere(rng, rgb.shape, box, anything)  # the same box where no face is
            for s in sizes:
                for jpeg in (False, True):
                    key = f"{s:g}/{'jpeg50' if jpeg else 'clean'}"
                    crop, b = shrunk(rgb, box, s, jpeg)
                    looks = [findings(rf, neighbourhood(crop, b, t), 0.05) for t in TARGETS]
                    rows = [res[key]] + ([res[key + "/low"]] if score_at(cf, crop, b) < CONFIRMED_SCORE else [])
                    if away is not None:
                        crop2, b2 = shrunk(rgb, away, s, jpeg)
                        row = res[key + "/none"]
                        row["faces"] += 1
                        for thr in thresholds:
                            row[str(thr)] += any(passes(findings(rf, neighbourhood(crop2, b2, t), 0.05), t, thr)
                                                 for t in TARGETS)
                    for row in rows:
                        row["faces"] += 1
                        for thr in thresholds:
                            row[str(thr)] += any(passes(f, t, thr) for f, t in zip(looks, TARGETS, strict=True))
    lines = [f"Command: `{command_line()}`  ",
             f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}; {machine()}; "
             f"unseen git {git_revision()}", "",
             f"{faces} confident faces (float CenterFace >= {CONFIDENT} at native size, {MIN_SIDE} px and more) on "
             f"{len(photos)} crowd photos outside the benchmark ({', '.join(CROWDS)}), each shrunk with its "
             "surroundings (Lanczos) until its box is S px, then given video's second look (RetinaFace on the "
             f"box's neighbourhood at {' then '.join(map(str, TARGETS))} px; `unseen.detect.second_look`). "
             "\"JPEG\": the shrunk crop saved at quality 50 first. \"CenterFace < 0.4\": only the faces the float "
             "CenterFace scores under 0.4 at the shrunk size, the ones video would look at. \"No face\": for "
             "each face, a box of its size moved to a random place where CenterFace finds nothing even at 0.05 "
             "(nor within a box side of it), shrunk the same way: how often the look confirms what is not a "
             f"face. Share of boxes one look confirms, at the shipped threshold {LOOK_THRESHOLD} "
             "(0.2 in brackets):", "",
             "| face side S | clean | JPEG q50 | clean, CenterFace < 0.4 | JPEG q50, CenterFace < 0.4 "
             "| no face, clean | no face, JPEG q50 |",
             "|---:|---:|---:|---:|---:|---:|---:|"]

    def cell(key: str) -> str:
        row = res[key]
        n = max(1, row["faces"])
        return (f"{100 * row[str(LOOK_THRESHOLD)] / n:.1f}% ({100 * row['0.2'] / n:.1f}%) "
                f"of {row['faces']}")

    for s in sizes:
        lines.append(f"| {s:g} px | " + " | ".join(cell(f"{s:g}/{k}") for k in
                                                  ("clean", "jpeg50", "clean/low", "jpeg50/low",
                                                                   "clean/none", "jpeg50/none")) + " |")
    emit("## Second look on small faces (bench/small_face_look.py)", lines, args.write_md)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"photos": len(photos), "faces": faces, "results": res}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
