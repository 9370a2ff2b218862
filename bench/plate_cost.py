"""Where the plate pass's CPU goes on photos: the text detector's network, its post-processing, the reads, the
searches inside turned-down regions.

The plate pass (``detect/plates.TextBoxes``) is most of a default photo run's CPU beyond faces ("Profile: where the
CPU goes on photos" counts it as one row). This splits it, so that a lever is looked for where the time is: each
stage is wrapped with a per-thread CPU timer (``time.thread_time``; onnxruntime runs each session on the calling
thread, as unseen sets it up) and the pass is called in-process on each photo, one at a time, after one warm-up
call (model loading is not counted).

    python bench/plate_cost.py [--repeat 3] [--write-md]

Sets: the 8 WIDER FACE photos of the protection benchmark (1024 px wide) and deepface's img49.jpg (4352 x 2903,
12 MP), both in ../shared/data (or $UNSEEN_SHARED).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import SHARED, command_line, emit, git_revision, machine  # noqa: E402

from unseen.detect import plates, reader, text  # noqa: E402

SETS = {  # name -> glob pattern under SHARED
    "8 WIDER FACE photos": "widerface/images/*/*.jpg",
    "img49.jpg, 12 MP": "deepface_serengil/tests/unit/dataset/img49.jpg",
}
# (module or class, attribute, label): each call's thread CPU is added to its label, inner calls included.
STAGES = (
    (text, "probability", "the detector's network"),
    (text, "boxes_from_map", "post-processing (boxes from the map)"),
    (reader, "read_crops", "reads (the recogniser)"),
    (plates.TextBoxes, "inside", "searches inside (network, post-processing and reads in them included)"),
)
HEADING = "## Plates and text: where the plate pass's CPU goes on photos (bench/plate_cost.py)"


def timed(spent: collections.Counter, calls: collections.Counter) -> None:
    """Wrap each stage so that its thread CPU and calls are counted under its label."""
    for owner, name, label in STAGES:
        real = getattr(owner, name)

        def wrapper(*args, _real=real, _label=label, **kwargs):
            t = time.thread_time()
            try:
                return _real(*args, **kwargs)
            finally:
                spent[_label] += time.thread_time() - t
                calls[_label] += 1

        setattr(owner, name, wrapper)


def load(pattern: str) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(SHARED.glob(pattern))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write-md", action="store_true")
    args = ap.parse_args()
    started = time.time()
    sets = {name: load(pattern) for name, pattern in SETS.items()}
    if not all(sets.values()):
        print(f"the shared corpus is missing ({SHARED})")
        return 1
    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    timed(spent, calls)
    det = plates.TextBoxes()
    det(sets[next(iter(sets))][0], 0.3)  # load the models outside the timing
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in sets}
    for r in range(args.repeat):
        for name, images in sets.items():
            spent.clear()
            calls.clear()
            t = time.thread_time()
            for im in images:
                det(im, 0.3)
            total = time.thread_time() - t
            rows[name].append({"total": total, **spent, **{f"n:{k}": v for k, v in calls.items()}})
            print(f"round {r + 1} {name}: {total:.2f} s", flush=True)
    labels = [label for _, _, label in STAGES]
    lines = [f"Command: `{command_line()}`  ",
             f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}; {machine()}; "
             f"unseen git {git_revision()}", "",
             "The plate pass (`plates.TextBoxes` with the plates rule and box threshold 0.3, as a default run) "
             "called in-process on each photo, one at a time, one thread; thread CPU seconds per stage, medians of "
             f"{args.repeat} rounds (calls per round in brackets). A stage's figure includes the calls it makes: "
             "the searches inside run the network, post-processing and reads again, and those are also counted in "
             "their own rows.", "",
             "| set | whole pass | " + " | ".join(labels) + " |",
             "|---|---:|" + "---:|" * len(labels)]
    for name, runs in rows.items():
        cells = [f"{statistics.median(run.get(label, 0.0) for run in runs):.2f} "
                 f"({statistics.median(run.get('n:' + label, 0) for run in runs):g})" for label in labels]
        lines.append(f"| {name} | {statistics.median(run['total'] for run in runs):.2f} | " + " | ".join(cells) + " |")
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
