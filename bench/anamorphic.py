"""Video: anamorphic frames. Crowd photos stored squeezed, as anamorphic recorders store 16:9 (DV and D1 at
PAL 16:9, sample aspect ratio 64:45) or more (2:1), run through unseen with ``--cover faces``; how many of the
faces the photo detector finds on the square photo (score >= 0.5) the output covers, and the CPU it took.

    python bench/anamorphic.py [--before-src PATH] [--write-md]

``--before-src``: a ``src`` folder of another revision of unseen (a worktree's), run the same way beside this
one. Photos: the ultralight crowd folder of ../shared/data (not the WIDER benchmark set). A face counts as
covered when 70% of the middle half of its box, mapped onto the stored pixels, is the grey fill.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, SHARED, command_line, emit, git_revision, machine, tool_env  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))
from synth import squeezed_clip  # noqa: E402

HEADING = "## Video: anamorphic frames (bench/anamorphic.py)"
PHOTOS = [f"ultralight_face_linzaer/imgs/{n}.jpg" for n in (1, 10, 11, 12, 13, 15, 16, 17, 18, 19, 2, 20)]
SARS = (Fraction(64, 45), Fraction(2, 1))


def covered(out: Path, truth: np.ndarray) -> int:
    """Faces of ``truth`` (stored pixels) whose middle half is mostly the fill in the output's first frame."""
    with av.open(str(out)) as c:
        rgb = next(c.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    grey = np.abs(rgb - 128).max(2) < 12
    n = 0
    for x1, y1, x2, y2 in truth:
        cx, cy, w, h = (x1 + x2) / 2, (y1 + y2) / 2, max(1.0, (x2 - x1) / 4), max(1.0, (y2 - y1) / 4)
        n += grey[int(cy - h):int(cy + h) + 1, int(cx - w):int(cx + w) + 1].mean() > 0.7
    return int(n)


def run(src_dir: Path, clip: Path, out: Path) -> float:
    """unseen (from ``src_dir``) on ``clip``; its CPU seconds (children's user + system)."""
    env = {**tool_env(), "PYTHONPATH": str(src_dir)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "unseen", str(clip), "-o", str(out), "-q", "--force", "--cover", "faces"],
                   env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before-src", type=Path)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    from unseen.options import Options

    det = Options(cover=("face",)).make_detector()
    tools = {"unseen": REPO / "src"} | ({"before": args.before_src} if args.before_src else {})
    rows, totals = [], {(t, sar): [0, 0, 0.0] for t in tools for sar in SARS}
    with tempfile.TemporaryDirectory() as tmp:
        for rel in PHOTOS:
            photo = SHARED / rel
            if not photo.exists():
                print(f"skipped: {rel} not found", file=sys.stderr)
                continue
            cells = []
            for sar in SARS:
                clip = Path(tmp) / "clip.mp4"
                im = squeezed_clip(photo, clip, sar)
                found = det.detect(np.asarray(im))
                truth = found.boxes[found.scores >= 0.5] / np.array([float(sar), 1, float(sar), 1])
                for tool, src in tools.items():
                    out = Path(tmp) / f"{tool}.mp4"
                    cpu = run(src, clip, out)
                    n = covered(out, truth)
                    t = totals[(tool, sar)]
                    t[0], t[1], t[2] = t[0] + n, t[1] + len(truth), t[2] + cpu
                    cells.append(f"{n}/{len(truth)}, {cpu:.1f} s")
            rows.append(f"| {Path(rel).name} | " + " | ".join(cells) + " |")
    head = " | ".join(f"{tool} SAR {sar.numerator}:{sar.denominator}" for sar in SARS for tool in tools)
    lines = [HEADING, "", f"Command: `{command_line()}`  ", f"Machine: {machine()}; unseen git {git_revision()}.", "",
             "Faces covered of those found on the square photo (score >= 0.5), and the CPU of the run.",
             "", f"| photo | {head} |", "|---|" + "---:|" * (len(SARS) * len(tools)), *rows,
             "| **all** | " + " | ".join(f"**{totals[(t, s)][0]}/{totals[(t, s)][1]}**, {totals[(t, s)][2]:.1f} s"
                                        for s in SARS for t in tools) + " |"]
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    sys.exit(main())
