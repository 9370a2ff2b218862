"""Could the self-check run on a smaller copy of the masked photo? (issue 11: less work, same recall)

After masking, photos are searched once more (``ensemble.CHECK_PASSES``: RetinaFace at 1x, score >=
0.5) and whatever it still finds is covered too. It is ~10% of a WIDER run's CPU ("Profile"). Its
job is a second opinion on what the main passes missed, and big faces are where it is the only one
(the 2x pass keeps boxes under 100 px), so a copy at 0.75x or 0.5x might do the same job for a half
or a quarter of the cost. Two measurements, on the crowd photos outside the benchmark at native and
half size (the calibration folders, never WIDER):

1. What each check adds on unseen's own masked output (``--cover faces``): boxes found, after the
   engine's rule that drops a box mostly inside a region already covered (``INSIDE_COVERED``), with
   the CPU of the check (one thread).
2. As a detector on the unmasked photos: of the boxes RetinaFace finds at 1x (score >= 0.5), the
   share the smaller copy finds too (IoU >= 0.3), by box side.

    python bench/self_check_scale.py [--write-md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import command_line, emit, git_revision, machine  # noqa: E402
from small_face_gate import CROWDS, DATA, crowd_photos, load  # noqa: E402

from unseen.detect.ensemble import CHECK_PASSES, Detector  # noqa: E402
from unseen.engine.image import INSIDE_COVERED, mask_frame  # noqa: E402
from unseen.options import Options  # noqa: E402
from unseen.regions import box_iou, inside_share  # noqa: E402

HEADING = "## Self-check on a smaller copy: measured, not taken (bench/self_check_scale.py)"
SCALES = (1.0, 0.75, 0.5)
SIDES = ((0, 16), (16, 32), (32, 64), (64, 100), (100, 1 << 20))


def side_label(lo: int, hi: int) -> str:
    return f">= {lo} px" if hi >= 1 << 20 else f"{lo}-{hi} px"


def measure() -> tuple[int, dict, dict, dict]:
    options = Options(cover=("face",))
    detector = options.make_detector()
    check = CHECK_PASSES[0]
    rf = detector.backend(check.backend)
    found_too = {s: {k: [0, 0] for k in SIDES} for s in SCALES[1:]}
    adds: dict[float, list[tuple[str, float, float, list[int]]]] = {s: [] for s in SCALES}
    cpu = {s: 0.0 for s in SCALES}
    images = 0
    for size in (1.0, 0.5):
        for path in crowd_photos():
            rgb = load(path, size)
            if rgb is None:
                continue
            images += 1
            raw = {s: np.asarray(Detector.run_pass(rgb, rf, s, check.threshold).boxes).reshape(-1, 4) for s in SCALES}
            best = {s: box_iou(raw[1.0], raw[s]).max(1, initial=0.0) for s in SCALES[1:]}
            for i, box in enumerate(raw[1.0]):
                side = max(box[2] - box[0], box[3] - box[1])
                key = next(k for k in SIDES if k[0] <= side < k[1])
                for s in SCALES[1:]:
                    found_too[s][key][0] += 1
                    found_too[s][key][1] += bool(best[s][i] >= 0.3)
            out, covered = mask_frame(rgb, detector.detect(rgb), options)
            for s in SCALES:
                start = time.thread_time()
                again = Detector.run_pass(out, rf, s, check.threshold)
                cpu[s] += time.thread_time() - start
                if len(again):
                    again = again[inside_share(again.boxes, covered.boxes) < INSIDE_COVERED]
                for box, score in zip(np.asarray(again.boxes).reshape(-1, 4), np.asarray(again.scores), strict=True):
                    adds[s].append((str(path.relative_to(DATA)), size, float(score), [int(v) for v in box]))
    return images, found_too, adds, cpu


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    if not crowd_photos():
        raise SystemExit(f"needs the shared data: {DATA}")
    prov = (f"Command: `{command_line()}`  \nDate: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"{machine()}; unseen git {git_revision()}")
    images, found_too, adds, cpu = measure()
    lines = [prov, "", f"{images // 2} crowd photos outside the benchmark ({', '.join(CROWDS)}), each at native "
             f"size and at half size: {images} images.", "",
             "| check on the masked output | boxes it adds | CPU s (one thread) |", "|---|---:|---:|"]
    lines += [f"| RetinaFace at {s}x, score >= 0.5{' (unseen)' if s == 1.0 else ''} | {len(adds[s])} | {cpu[s]:.2f} |"
              for s in SCALES]
    lines += ["", "On the unmasked images, boxes RetinaFace finds at 1x (score >= 0.5) that the smaller copy also "
              "finds (IoU >= 0.3), by box side:", "",
              "| copy | " + " | ".join(side_label(*k) for k in SIDES) + " |", "|---|" + "---:|" * len(SIDES)]
    for s in SCALES[1:]:
        lines.append(f"| {s}x | " + " | ".join(f"{v[1]}/{v[0]}" for v in found_too[s].values()) + " |")
    for s in SCALES:
        lines += ["", f"Boxes the check at {s}x adds (photo, size, score, box x0 y0 x1 y1):"]
        lines += [f"- `{name}` @{size:g} {score:.2f} {box}" for name, size, score, box in adds[s]] or ["- none"]
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
