"""Big photos: time and peak memory of unseen and deface on 12 MP, 24 MP and 8K (33 MP) photos.

Why a separate benchmark: the WIDER FACE images in bench/protection.py are 1024 px wide, where
start-up and model loading dominate. Phone and camera photos are 12-24 MP; an 8K frame (7680 x 4320)
is the largest video frame unseen reads by default, and the issue asks for peak RSS <= 1.5 GB there
and at 24 MP.

The 12 MP photo is real: ``img49.jpg`` from the deepface test set in shared data (4352 x 2903, one
person in front of a backdrop). No real 24 MP or 8K photo is in the shared data, so those two are
that photo enlarged with Lanczos (and the table says so): the pixel count, which drives the cost,
is real; the content is the 12 MP photo's.

Each tool gets one single-file CLI call per round, as a user would type it; rounds interleave the
tools (unseen, deface, unseen, ...) so load on the shared machine hits both alike. Reported: median
wall time, median CPU time (user + sys of the tool's process tree), and peak RSS (``ru_maxrss`` of
the child, read with ``os.wait4``, so only that run counts).

Usage: ``python bench/big_photos.py [--repeat N] [--tools unseen,deface] [--write-md]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCHMARKS_MD, machine, run_child, run_header, write_md  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Big photos: 12 MP, 24 MP, 8K (bench/big_photos.py)"
SOURCE = Path("/work/shared/data/deepface_serengil/tests/unit/dataset/img49.jpg")
OUT = REPO / "bench" / "out" / "big_photos"
UNSEEN_BIN = REPO / ".venv" / "bin" / "unseen"
DEFACE_BIN = REPO / "bench" / ".venv-deface" / "bin" / "deface"
SIZES = {"24 MP": (6000, 4000), "8K": (7680, 4320)}


def inputs(out: Path) -> list[tuple[str, Path, str]]:
    """(label, path, what it is) for the three photos."""
    if not SOURCE.exists():
        raise SystemExit(f"needs {SOURCE} (the shared data)")
    out.mkdir(parents=True, exist_ok=True)
    with Image.open(SOURCE) as im:
        w, h = im.size
        rgb = im.convert("RGB")
    rows = [("12 MP", SOURCE, f"real photo (deepface img49.jpg), {w} x {h} = {w * h / 1e6:.1f} MP")]
    for label, (tw, th) in SIZES.items():
        dst = out / f"img49_{tw}x{th}.jpg"
        if not dst.exists():
            rgb.resize((tw, th), Image.Resampling.LANCZOS).save(dst, "JPEG", quality=95)
        rows.append((label, dst, f"img49.jpg enlarged with Lanczos to {tw} x {th} = {tw * th / 1e6:.1f} MP "
                                 "(not a real photo of that size)"))
    return rows


def argv_for(tool: str, src: Path, out: Path) -> list[str]:
    if tool == "unseen":
        return [str(UNSEEN_BIN), str(src), "-o", str(out), "--force", "-q"]
    if tool == "unseen-faces":  # faces only, like deface (no plate pass)
        return [*argv_for("unseen", src, out), "--cover", "faces"]
    return [str(DEFACE_BIN), "--replacewith", "solid", str(src), "-o", str(out / src.name)]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--tools", default="unseen,deface")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", help="comma-separated labels: 12 MP,24 MP,8K")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    machine_info = machine()
    rows = inputs(OUT / "input")
    if args.only:
        rows = [r for r in rows if r[0] in args.only.split(",")]
    results: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    for label, src, _ in rows:
        for _round in range(args.repeat):
            for tool in tools:
                out = OUT / tool
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                r = run_child(argv_for(tool, src, out))
                results.setdefault((label, tool), []).append(r)
                print(f"{label:6s} {tool:7s} wall {r[0]:7.2f} s cpu {r[1]:7.2f} s rss {r[2]:7.0f} MiB rc {r[3]}",
                      file=sys.stderr, flush=True)

    def med(label: str, tool: str, i: int) -> float:
        return statistics.median(r[i] for r in results[(label, tool)])

    def ok(label: str, tool: str) -> bool:
        return all(r[3] == 0 for r in results[(label, tool)])

    head = ["photo"]
    for tool in tools:
        head += [f"{tool} wall s", f"{tool} CPU s", f"{tool} peak RSS MiB"]
    pairs = [(t, "deface") for t in tools if t != "deface" and "deface" in tools]
    for a, b in pairs:
        head += [f"{a} / {b} wall", "CPU"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, _, what in rows:
        cells = [f"{label}: {what}"]
        for tool in tools:
            if ok(label, tool):
                cells += [f"{med(label, tool, 0):.1f}", f"{med(label, tool, 1):.1f}", f"{med(label, tool, 2):.0f}"]
            else:
                cells += ["failed", "", f"{med(label, tool, 2):.0f}"]
        for a, b in pairs:
            if ok(label, a) and ok(label, b):
                cells += [f"{med(label, a, 0) / med(label, b, 0):.2f}", f"{med(label, a, 1) / med(label, b, 1):.2f}"]
            else:
                cells += ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    body = "\n".join([
        *run_header(machine_info),
        f"Medians of {args.repeat} interleaved rounds; one single-file CLI call per run (start-up and model "
        "loading included); unseen defaults (faces and plates), unseen-faces `--cover faces`, deface "
        "`--replacewith solid` (its defaults otherwise).",
        "",
        *lines,
    ])
    print(body)
    if args.write_md:
        write_md(SECTION, body)
        print(f"wrote section to {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
