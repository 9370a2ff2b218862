"""Where in a clip a tool's mask falls outside the marked faces: the slip table's "changed outside marked
faces" figure split by shot.

    python bench/outside_by_shot.py [--clips hamilton,mot20,gps-mov] [--tools unseen,unseen-faces,deface]
                                    [--write-md]

Why: issue 11 asks for <= 5% of each frame masked outside the padded faces the slip markers find. The
figure is a mean over a clip's frames; on an edited clip one shot can hold most of it, and the markers
(CenterFace at 2x, score >= 0.4) may see few of the faces in a dark or distant shot. This splits the
figure by shot (shots as unseen itself finds them, ``detect.shots.Cuts``) and says, for each shot,
how many of its frames hold any marked face, so that a reader can look at the frames that matter.

It scores the outputs ``video_bench.py slips`` left in bench/out/video/TOOL/CLIP.mp4 against the cached
markers, with the slip table's own pixel test (``video_bench.score_slips``: changed = largest absolute
RGB difference over TOL; outside = not within a marked face padded as unseen pads a face,
``video_common.marker_mask``). It makes no output of its own: run ``slips`` first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, machine  # noqa: E402
from video_bench import Matcher, at_input_size, tool_output  # noqa: E402
from video_common import changed_pixels, clip_path, frames, load_markers, marked_faces, marker_mask  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
from unseen.detect.shots import Cuts  # noqa: E402

HEADING = "## Video: where the mask falls outside the marked faces, by shot (bench/outside_by_shot.py)"


def by_shot(name: str, tools: list[str]) -> list[dict]:
    """One row per shot: its frames, how many hold a marked face, and each tool's outside area per frame."""
    marks = marked_faces(load_markers(name))
    outs = {t: Matcher(tool_output(t, name)) for t in tools}
    cuts, starts = Cuts(), set()
    rows = []  # (frame index, time, has a marked face, {tool: outside share})
    for f in frames(clip_path(name)):
        cut = cuts.feed(f.time, f.rgb)  # the time of the new shot's first frame, confirmed one frame later
        if cut is not None:
            starts.add(cut)
        boxes = marks.get(f.index, ())
        inside = marker_mask(boxes, f.rgb.shape[:2])
        shares = {}
        for t in tools:
            g = outs[t].at(f.time)
            if g is None:
                raise SystemExit(f"{t} output of {name} has no frames: run video_bench.py slips first")
            shown = at_input_size(g.rgb, f.rgb.shape, f"{t} output of {name}")
            changed = changed_pixels(f.rgb, shown)
            shares[t] = float((changed & ~inside).mean())
        rows.append((f.index, f.time, len(boxes) > 0, shares))
    shots: list[dict] = []
    for index, t, marked, shares in rows:
        if not shots or t in starts:
            shots.append({"frames": [], "marked": 0, **{k: [] for k in tools}})
        s = shots[-1]
        s["frames"].append(index)
        s["marked"] += int(marked)
        for k in tools:
            s[k].append(shares[k])
    return shots


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", default="hamilton,mot20,gps-mov")
    p.add_argument("--tools", default="unseen,unseen-faces,deface")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    tools = args.tools.split(",")
    lines = [
        f"Command: `{command_line()}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {machine()}.", "",
        "Outputs scored: those `video_bench.py slips` left in bench/out/video (see that section for their git); "
        "shots as unseen finds them (`detect.shots.Cuts`). Per shot: the mean share of each frame changed "
        "outside the marked faces (padded as unseen pads a face), and in brackets the points it adds to the "
        "clip's figure (its frames' share of the clip times its mean).", "",
        f"| clip | shot (frames) | frames with a marked face | {' | '.join(tools)} |",
        f"|---|---|---:|{'---:|' * len(tools)}",
    ]
    for name in args.clips.split(","):
        if not clip_path(name).exists():
            print(f"skip {name}: {clip_path(name)} missing", file=sys.stderr)
            continue
        shots = by_shot(name, tools)
        n = sum(len(s["frames"]) for s in shots)
        for s in shots:
            cells = [f"{100 * np.mean(s[t]):.1f}% ({100 * np.sum(s[t]) / n:.1f})" for t in tools]
            lines.append(f"| {name} | {s['frames'][0]}-{s['frames'][-1]} | {s['marked']} of {len(s['frames'])} | "
                         f"{' | '.join(cells)} |")
        whole = [f"**{100 * np.sum([x for s in shots for x in s[t]]) / n:.1f}%**" for t in tools]
        lines.append(f"| {name} | all ({n}) | {sum(s['marked'] for s in shots)} of {n} | {' | '.join(whole)} |")
    emit(HEADING, lines, args.write_md)


if __name__ == "__main__":
    main()
