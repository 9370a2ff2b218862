"""Faces turned sideways in video: does unseen still cover them, and does deface?

The photo benchmark of turned faces (``rotated_faces.py``) turns pictures; this one turns clips. Someone
held on the ground, filmed lying down, or a phone clip whose pixels were stored sideways without a
rotation tag: the detectors were trained on upright faces. Each clip of the slip table is turned a
quarter each way (``np.rot90`` of every frame, k = 1 and 3) and written losslessly (x264 at qp 0, so
the tools see the turned pixels and nothing else moved); each tool runs on each copy as a user would;
its output is turned back and scored against the turned copy (turned back too) with the slip table's
test and markers (``video_bench.py``: the markers are the upright clip's, from the cache under
bench/out/video/markers; a (frame, marked face) with < 70% of its box changed by more than 24 is a slip).

``--before SRC`` adds unseen ``--cover faces`` from another checkout's ``src`` (on PYTHONPATH) as a column.

Usage: ``python bench/video_turned.py [--clips hamilton,mot20] [--tools unseen-faces,deface] [--before SRC]
[--write-md]``
(needs ../shared/data, or UNSEEN_SHARED; markers are made on first use and cached).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import video_bench  # noqa: E402
from video_common import (  # noqa: E402
    CLIPS,
    COVER_FRACTION,
    OUT,
    changed_pixels,
    clip_path,
    frames,
    load_markers,
    marked_faces,
    marker_mask,
)

HEADING = "## Video: faces turned sideways (bench/video_turned.py)"
TURNS = (1, 3)  # quarter turns counter-clockwise (np.rot90): 90 and 270 degrees
DEFAULT_CLIPS = ("hamilton", "mot20", "facenet", "lp-s13", "lp-s18", "lp-s32")
TURNED = OUT / "turned"


def turned_copy(name: str, turn: int) -> Path:
    """The clip's frames turned by ``turn`` quarter turns, written once (lossless x264, constant rate)."""
    import av

    dst = TURNED / f"{name}-t{turn}.mp4"
    if dst.exists():
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(clip_path(name))) as c:
        rate = c.streams.video[0].average_rate
    tmp = dst.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        stream = None
        for f in frames(clip_path(name)):
            rgb = np.ascontiguousarray(np.rot90(f.rgb, turn))
            if stream is None:
                stream = out.add_stream("libx264", rate=rate)
                stream.width, stream.height = rgb.shape[1], rgb.shape[0]
                stream.pix_fmt = "yuv444p"  # no chroma subsampling: turning moves no colour between pixels
                stream.options = {"qp": "0", "preset": "ultrafast"}
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    os.replace(tmp, dst)
    return dst


BEFORE = "unseen-faces-before"  # the --before column's tool name


def run(tool: str, name: str, turn: int, before: Path | None = None) -> Path:
    """The tool's output for the turned copy (made anew each run). ``BEFORE``: unseen ``--cover faces``
    from the checkout's ``src`` folder ``before``, on PYTHONPATH."""
    src = turned_copy(name, turn)
    key = f"{name}-t{turn}"
    dst = video_bench.tool_output(tool, key)
    if tool != BEFORE:
        video_bench.run_tool(tool, key, src)
        return dst
    tmp = dst.parent / "_tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "unseen", str(src), "-o", str(tmp), "--force", "-q", "--cover", "faces"]
    p = subprocess.run(argv, capture_output=True, text=True, env={**benchlib.tool_env(), "PYTHONPATH": str(before)})
    if p.returncode != 0:
        raise SystemExit(f"{tool} failed on {key}: {p.stderr.strip()[-500:]}")
    os.replace(tmp / src.name, dst)
    return dst


def score(tool: str, name: str, turn: int, marks: dict[int, np.ndarray]) -> dict:
    """Slips and masked area of the tool's output, both pictures turned back upright first."""
    src, out = turned_copy(name, turn), video_bench.tool_output(tool, f"{name}-t{turn}")
    faces = slips = 0
    slip_frames: set[int] = set()
    outside = 0.0
    n = 0
    worst = []
    fill = video_bench.FILL.get(tool.removesuffix("-before"), (0, 0, 0))
    shown = video_bench.Matcher(out)  # deface re-times its output: the frame shown at each input time
    for f in frames(src):
        g = shown.at(f.time)
        if g is None:
            raise SystemExit(f"{tool} output of {name} turned {90 * turn} has no frames")
        shown_rgb = video_bench.at_input_size(g.rgb, f.rgb.shape, f"{tool} output of {name}")
        a, b = np.rot90(f.rgb, -turn), np.rot90(shown_rgb, -turn)
        changed = changed_pixels(a, b)
        boxes = marks.get(f.index, ())
        outside += float((changed & ~marker_mask(boxes, changed.shape)).mean())
        n += 1
        for box in boxes:
            faces += 1
            frac = video_bench.covered_fraction(a, b, box, fill)
            if frac < COVER_FRACTION:
                slips += 1
                slip_frames.add(f.index)
                worst.append((round(frac, 2), f.index, [round(float(x)) for x in box]))
    worst.sort()
    return {"marked": faces, "slips": slips, "slip_frames": len(slip_frames), "examples": worst[:5],
            "frames_with_slips": sorted(slip_frames),
            "outside_area": round(outside / max(n, 1), 4)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", default=",".join(DEFAULT_CLIPS))
    p.add_argument("--tools", default="unseen-faces,deface")
    p.add_argument("--before", type=Path, help="another checkout's src folder: its unseen --cover faces as a column")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    header = benchlib.run_header(benchlib.machine())  # when the run started, and the load then
    names = [n for n in args.clips.split(",") if n in CLIPS and clip_path(n).exists()]
    tools = ([BEFORE] if args.before else []) + [t for t in args.tools.split(",") if t]
    results: dict[str, dict] = {}
    for name in names:
        marks = marked_faces(load_markers(name))
        for turn in TURNS:
            row = results.setdefault(f"{name} {90 * turn}", {})
            for tool in tools:
                run(tool, name, turn, args.before and args.before.resolve())
                row[tool] = r = score(tool, name, turn, marks)
                print(f"{name:10s} {90 * turn:3d} {tool:13s} marked {r['marked']:5d} slips {r['slips']:4d} "
                      f"in {r['slip_frames']:3d} frames, outside {100 * r['outside_area']:.1f}% {r['examples'][:2]}",
                      flush=True)
    (OUT / "turned.json").write_text(json.dumps(results, indent=1))
    head = "| clip, turned | marked faces | " + " | ".join(f"{t}: slips (frames), outside marks" for t in tools) + " |"
    lines = [*header, "", head, "|---|---:|" + "---:|" * len(tools)]
    total = {t: 0 for t in tools}
    for key, row in results.items():
        marked = next(iter(row.values()))["marked"]
        cells = []
        for t in tools:
            total[t] += row[t]["slips"]
            cells.append(f"{row[t]['slips']} ({row[t]['slip_frames']}), {100 * row[t]['outside_area']:.1f}%")
        lines.append(f"| {key} | {marked} | " + " | ".join(cells) + " |")
    lines.append("| **all** | | " + " | ".join(f"**{total[t]}**" for t in tools) + " |")
    benchlib.emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
