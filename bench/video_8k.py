"""Peak memory of an 8K video (7680 x 4320, under the 35.4 MP frame limit), unseen beside deface.

Issue 11 asks for <= 1.5 GB of peak RSS "for an 8K frame, photo or video"; the photo was measured
("Big photos"), the video was not until a hunt (2026-12-06) saw 3.25 GB on a 45-frame 8K clip. The clip
here: a crowd photo of the shared corpus enlarged to 8K height, panned 4 px a frame for ``FRAMES`` frames
(x264 crf 18), made once under bench/out. Rows: unseen by default and ``--cover faces``, ``--cover faces``
with x264's B-frames kept at 8K (``video_write.BIG_FRAME`` raised out of reach: the encoder as it was
before the lever), and deface (``--replacewith solid``). Medians of ``--repeat`` interleaved rounds.
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
W, H, FRAMES, STEP = 7680, 4320, 10, 4
HEADING = "## Video: 8K memory (bench/video_8k.py)"
BEFORE = "import unseen.media.video_write as w; w.BIG_FRAME = 10**12\n"


def make_clip(dst: Path) -> None:
    """The source enlarged (Lanczos) to H px tall, panned STEP px a frame."""
    import av
    import numpy as np
    from PIL import Image

    with Image.open(SHARED / SOURCE) as im:
        im = im.convert("RGB")
        width = max(W + STEP * FRAMES, round(im.width * H / im.height))
        canvas = np.asarray(im.resize((width, H), Image.Resampling.LANCZOS))
    dst.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(dst), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        s.options = {"crf": "18", "preset": "ultrafast"}
        for k in range(FRAMES):
            x = (width - W) // 2 + STEP * (k - FRAMES // 2)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(canvas[:, x : x + W]), format="rgb24")
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def argv(tool: str, src: Path) -> list[str]:
    out = OUT / f"{tool}.mp4"
    unseen = [sys.executable, "-c", "import sys\nfrom unseen.cli import main\nsys.exit(main(sys.argv[1:]))"]
    if tool == "unseen":
        return [*unseen, str(src), "-o", str(out), "--force", "-q"]
    if tool == "unseen-faces":
        return [*unseen, str(src), "-o", str(out), "--force", "-q", "--cover", "faces"]
    if tool == "unseen-faces-bframes":
        return [sys.executable, "-c", BEFORE + "import sys\nfrom unseen.cli import main\nsys.exit(main(sys.argv[1:]))",
                str(src), "-o", str(out), "--force", "-q", "--cover", "faces"]
    if tool == "deface":
        return [str(DEFACE), "--replacewith", "solid", str(src), "-o", str(out)]
    raise SystemExit(f"unknown tool {tool}")


LABELS = {"unseen": "unseen (faces and plates)", "unseen-faces": "unseen `--cover faces`",
          "unseen-faces-bframes": "unseen `--cover faces`, x264 B-frames kept at 8K (before the lever)",
          "deface": "deface `--replacewith solid`"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tools", default="unseen,unseen-faces,unseen-faces-bframes,deface")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    if not (SHARED / SOURCE).exists():
        raise SystemExit(f"needs {SHARED / SOURCE} (../shared/data)")
    src = OUT / "crowd_8k.mp4"
    if not src.exists():
        make_clip(src)
    tools = [t for t in args.tools.split(",") if t != "deface" or DEFACE.exists()]
    runs: dict[str, list] = {t: [] for t in tools}
    for r in range(args.repeat):
        for tool in tools:
            got = run_child(argv(tool, src))
            say_run(f"round {r + 1}", tool, got)
            runs[tool].append(got)
    lines = [*run_header(machine()),
             f"{FRAMES} frames of {W} x {H} ({W * H / 1e6:.1f} MP), 30 fps: {SOURCE} enlarged to {H} px tall "
             f"and panned {STEP} px a frame; medians of {args.repeat} interleaved round(s); one CLI call per run.", "",
             "| tool | wall s / CPU s / peak RSS MiB | peak RSS range MiB |", "|---|---|---|"]
    for tool, got in runs.items():
        rss = [g[2] for g in got]
        lines.append(f"| {LABELS[tool]} | {cost_cell(got)} | {min(rss):.0f}-{max(rss):.0f} |")
    if "unseen-faces" in runs and "unseen-faces-bframes" in runs:
        a = statistics.median(g[2] for g in runs["unseen-faces"])
        b = statistics.median(g[2] for g in runs["unseen-faces-bframes"])
        lines += ["", f"Without B-frames at 8K: {a:.0f} against {b:.0f} MiB faces only ({a - b:+.0f} MiB)."]
    emit(HEADING, lines, args.write_md)


if __name__ == "__main__":
    main()
