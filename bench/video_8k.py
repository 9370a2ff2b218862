"""Peak memory of an 8K video (7680 x 4320, under the 35.4 MP frame limit), unseen beside deface.

Issue 11 asks for <= 1.5 GB of peak RSS "for an 8K frame, photo or video"; the photo was measured
("Big photos"), the video was not until a hunt (2026-12-06) saw 3.25 GB on a 45-frame 8K clip. Two clips,
made once under bench/out from a crowd photo of the shared corpus enlarged to 8K height and panned 4 px a
frame (x264 crf 18): ``short``, 10 frames at 30 fps (the writer starts near the analysis's end), and
``long``, 24 frames at 8 fps (a full pass every few frames, and the writer, which trails the analysis by
about a second of video, would run beside it for most of the clip). Rows: unseen by default and
``--cover faces``; ``--cover faces`` with the analysis and the writer side by side as for smaller frames
(``engine.video.BIG_FRAME`` raised out of reach: before the lever of 2026-12-06); on the short clip also
with x264's B-frames kept at 8K (``video_write.BIG_FRAME`` raised: before the lever of the day before),
and deface (``--replacewith solid``; ~4 minutes, so on the short clip only). Medians of ``--repeat``
interleaved rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from benchlib import REPO, SHARED, cost_cell, emit, machine, run_child, run_header, say_run

OUT = REPO / "bench" / "out" / "video_8k"
DEFACE = REPO / "bench" / ".venv-deface" / "bin" / "deface"  # bench/setup_peers.sh
SOURCE = "ultralight_face_linzaer/imgs/17.jpg"  # a crowd of students, faces 20-60 px in the source
W, H, STEP = 7680, 4320, 4
CLIPS = {"short": (10, 30), "long": (24, 8)}  # frames, fps
HEADING = "## Video: 8K memory (bench/video_8k.py)"
BEFORE = {"unseen-faces-bframes": "import unseen.media.video_write as w; w.BIG_FRAME = 10**12\n",
          "unseen-faces-beside": "import unseen.engine.video as v; v.BIG_FRAME = 10**12\n"}
SHORT_ONLY = ("unseen-faces-bframes", "deface")


def make_clip(dst: Path, frames: int, fps: int) -> None:
    """The source enlarged (Lanczos) to H px tall, panned STEP px a frame."""
    import av
    import numpy as np
    from PIL import Image

    with Image.open(SHARED / SOURCE) as im:
        im = im.convert("RGB")
        width = max(W + STEP * frames, round(im.width * H / im.height))
        canvas = np.asarray(im.resize((width, H), Image.Resampling.LANCZOS))
    dst.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(dst), "w") as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        s.options = {"crf": "18", "preset": "ultrafast"}
        for k in range(frames):
            x = (width - W) // 2 + STEP * (k - frames // 2)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(canvas[:, x : x + W]), format="rgb24")
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def argv(tool: str, src: Path) -> list[str]:
    out = OUT / f"{tool}-{src.stem}.mp4"
    main = "import sys\nfrom unseen.cli import main\nsys.exit(main(sys.argv[1:]))"
    faces = ["--cover", "faces"] if tool != "unseen" else []
    if tool == "deface":
        return [str(DEFACE), "--replacewith", "solid", str(src), "-o", str(out)]
    if tool not in LABELS:
        raise SystemExit(f"unknown tool {tool}")
    return [sys.executable, "-c", BEFORE.get(tool, "") + main, str(src), "-o", str(out), "--force", "-q", *faces]


LABELS = {"unseen": "unseen (faces and plates)", "unseen-faces": "unseen `--cover faces`",
          "unseen-faces-beside": "unseen `--cover faces`, analysis and writer side by side (before 2026-12-06)",
          "unseen-faces-bframes": "unseen `--cover faces`, x264 B-frames kept at 8K (before 2026-12-05)",
          "deface": "deface `--replacewith solid`"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tools", default="unseen,unseen-faces,unseen-faces-beside,unseen-faces-bframes,deface")
    p.add_argument("--clips", default="short,long")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    if not (SHARED / SOURCE).exists():
        raise SystemExit(f"needs {SHARED / SOURCE} (../shared/data)")
    tools = [t for t in args.tools.split(",") if t != "deface" or DEFACE.exists()]
    lines = run_header(machine())
    for clip in args.clips.split(","):
        frames, fps = CLIPS[clip]
        src = OUT / f"crowd_8k_{clip}.mp4"
        if not src.exists():
            make_clip(src, frames, fps)
        runs: dict[str, list] = {t: [] for t in tools if clip == "short" or t not in SHORT_ONLY}
        for r in range(args.repeat):
            for tool in runs:
                got = run_child(argv(tool, src))
                say_run(f"{clip} round {r + 1}", tool, got)
                runs[tool].append(got)
        lines += ["", f"**{clip}**: {frames} frames of {W} x {H} ({W * H / 1e6:.1f} MP), {fps} fps: {SOURCE} enlarged "
                  f"to {H} px tall and panned {STEP} px a frame; medians of {args.repeat} interleaved round(s); one "
                  "CLI call per run.", "",
                  "| tool | wall s / CPU s / peak RSS MiB | peak RSS range MiB |", "|---|---|---|"]
        for tool, got in runs.items():
            rss = [g[2] for g in got]
            lines.append(f"| {LABELS[tool]} | {cost_cell(got)} | {min(rss):.0f}-{max(rss):.0f} |")
        for before, what in (("unseen-faces-beside", "Written after the analysis"),
                             ("unseen-faces-bframes", "Without B-frames at 8K")):
            if "unseen-faces" in runs and before in runs:
                a = statistics.median(g[2] for g in runs["unseen-faces"])
                b = statistics.median(g[2] for g in runs[before])
                lines += ["", f"{what}: {a:.0f} against {b:.0f} MiB faces only ({a - b:+.0f} MiB)."]
    emit(HEADING, lines, args.write_md)


if __name__ == "__main__":
    main()
