"""Animations: peak memory of many large frames, before and after frames are read a few at a time.

Why: the photo budget counts an animation's frames together (200 MP by default), and unseen used
to decode every frame, cover every frame and hand every frame to Pillow's writer (which keeps its
own copy of each) before writing: a 628 KiB APNG of six 8K frames, under the budget, peaked at
3.5 GB, where the issue asks <= 1.5 GB for an 8K frame, photo or video. Since then a file's frames
are decoded, covered and written a few at a time (``media.image._Animation``, ``engine.image.
cover_frames``, ``media.apng``, ``media.image_write._Pulled``).

Inputs: hostile animations made here (small files of many large frames, each frame one flat colour
so the file stays small, as a decompression bomb would), two frames of a real photo enlarged to 8K
(deepface's ``img49.jpg``, as ``big_photos.py`` enlarges it, the second frame mirrored: a flat frame
holds no text, so since the text detector skips one colour it no longer measures the plate pass's
memory) and the shared data's largest real GIF, ``animated.gif`` (34 frames of 1917 x 1533). Each
input: ``unseen FILE -o DIR -q`` at its defaults (faces and plates), once with the code before
(``--before SRC``: another checkout's ``src``, on PYTHONPATH) and once with this checkout's,
interleaved; wall, CPU (user + sys) and peak RSS (``ru_maxrss`` of the child) of each run, and
whether both wrote the same bytes.

With ``--verify`` every run checks its output too (``unseen FILE -o DIR --verify``), written to its own
section: the checks decoded every frame of the original and the output before they ran.

Usage: ``python bench/animation_memory.py --before /path/to/old/src [--repeat N] [--only a,b] [--verify]
[--write-md]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import cost_cell, emit, machine, run_header, run_into, say_run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Animations: memory (bench/animation_memory.py)"
SECTION_VERIFY = "## Animations with --verify: memory (bench/animation_memory.py --verify)"
OUT = REPO / "bench" / "out" / "animation_memory"
PYTHON = REPO / ".venv" / "bin" / "python"
SHARED = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))


def _flat_frames(size: tuple[int, int], n: int) -> list[Image.Image]:
    return [Image.new("RGB", size, ((37 * i) % 256, 100 + (i % 50), (200 - 3 * i) % 256)) for i in range(n)]


def inputs(out: Path) -> list[tuple[str, Path]]:
    """(label, path): made animations, then the real GIF when the shared data has it."""
    out.mkdir(parents=True, exist_ok=True)
    made = {"six 8K frames, APNG": ("8k6.png", (7680, 4320), 6),
            "66 frames of 3 MP, APNG": ("3mp66.png", (2000, 1500), 66),
            "66 frames of 3 MP, GIF": ("3mp66.gif", (2000, 1500), 66),
            "66 frames of 3 MP, WebP": ("3mp66.webp", (2000, 1500), 66)}
    rows = []
    for label, (name, size, n) in made.items():
        dst = out / name
        if not dst.exists():
            frames = _flat_frames(size, n)
            extra = {"lossless": True} if name.endswith(".webp") else {}
            frames[0].save(dst, save_all=True, append_images=frames[1:], duration=100, loop=0, **extra)
        rows.append((label, dst))
    photo = SHARED / "deepface_serengil" / "tests" / "unit" / "dataset" / "img49.jpg"
    if photo.is_file():  # flat frames skip the plate pass's network since d6088c4: a photo's do not
        dst = out / "8k2photo.png"
        if not dst.exists():
            with Image.open(photo) as im:
                big = im.convert("RGB").resize((7680, 4320), Image.Resampling.LANCZOS)
            big.save(dst, save_all=True, append_images=[big.transpose(Image.Transpose.FLIP_LEFT_RIGHT)],
                     duration=100, loop=0)
        rows.append(("two 8K photo frames, APNG", dst))
    real = sorted(SHARED.rglob("animated.gif")) if SHARED.is_dir() else []
    if real:
        rows.append(("animated.gif (shared data, real)", real[0]))
    return rows


def argv_for(src: Path, out: Path, verify: bool = False) -> list[str]:
    return [str(PYTHON), "-m", "unseen", str(src), "-o", str(out), "--force", "-q", *(["--verify"] if verify else [])]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--before", required=True, help="the src folder of a checkout with the code before")
    p.add_argument("--after", default=str(REPO / "src"),
                   help="the src folder with the code after (default: this checkout's)")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--only", help="comma-separated words a label must contain (e.g. 8K,GIF)")
    p.add_argument("--verify", action="store_true", help="run with --verify (its own section)")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    machine_info = machine()
    rows = inputs(OUT / "input")
    if args.only:
        rows = [r for r in rows if any(w in r[0] for w in args.only.split(","))]
    versions = {"before": str(Path(args.before).resolve()), "after": str(Path(args.after).resolve())}
    results: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    same: dict[str, bool] = {}
    for label, src in rows:
        for k in range(args.repeat):
            outputs = {}
            for version in (("before", "after") if k % 2 == 0 else ("after", "before")):
                os.environ["PYTHONPATH"] = versions[version]
                r, outputs[version] = run_into(argv_for(src, OUT / version, args.verify), OUT / version)
                results.setdefault((label, version), []).append(r)
                say_run(label, version, r)
            same[label] = same.get(label, True) and outputs["before"] is not None and \
                outputs["before"] == outputs["after"]
    os.environ.pop("PYTHONPATH", None)

    def med(label: str, version: str, i: int) -> float:
        return statistics.median(r[i] for r in results[(label, version)])

    head = ["animation", "file KB", "frames", "before: wall s / CPU s / peak RSS MiB",
            "after: wall s / CPU s / peak RSS MiB", "after / before: RSS", "same bytes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, src in rows:
        with Image.open(src) as im:
            shape = f"{getattr(im, 'n_frames', 1)} x {im.size[0]} x {im.size[1]}"
        cells = [label, f"{src.stat().st_size / 1024:.0f}", shape]
        cells += [cost_cell(results[(label, version)]) for version in ("before", "after")]
        cells += [f"{med(label, 'after', 2) / med(label, 'before', 2):.2f}x", "yes" if same[label] else "no"]
        lines.append("| " + " | ".join(cells) + " |")
    emit(SECTION_VERIFY if args.verify else SECTION, [
        *run_header(machine_info),
        f"Medians of {args.repeat} run(s) each, before and after interleaved; `python -m unseen FILE -o DIR -q` "
        f"(defaults: faces and plates){' with `--verify`' if args.verify else ''}, the code before from "
        f"`{args.before}` on PYTHONPATH; a run that fails its verify writes nothing (\"same bytes\" then says so).",
        "",
        *lines,
    ], args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
