"""Time unseen and deface on one ~12 MP photo, the size a phone camera produces.

Why a separate benchmark: the WIDER FACE images in bench/protection.py are 1024 px wide, where
start-up and model loading dominate. A 12 MP photo shows the per-image cost users actually meet
(unseen tiles and upscales for small faces; deface runs CenterFace once at full resolution).

Each tool gets a single-file CLI call, as a user would type it, timed wall clock (start-up
included), median of --repeat runs. The photo is a real one by default: ``img49.jpg`` from the
deepface test set in shared data (4352 x 2903 = 12.6 MP, one person in front of a backdrop, no
EXIF rotation). No real 12 MP *crowd* photo is available, so ``--upscale`` instead enlarges a
WIDER FACE crowd (marching band, ~100 faces) to 4000 x 3000 with Lanczos, and the report says so;
the same fallback is used when the default photo is missing.

Usage: ``python bench/time_12mp.py [--image PATH | --upscale] [--repeat N] [--write-md]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protection import (  # noqa: E402  (bench/ is not a package; share the runner, not copies of it)
    BENCHMARKS_MD,
    DEFAULT_DATA,
    REPO,
    command_line,
    machine,
    make_tool,
    run_tool,
    tool_version,
    write_md,
)

SECTION = "## 12 MP photo (bench/time_12mp.py)"
DEFAULT_IMAGE = Path("/work/shared/data/deepface_serengil/tests/unit/dataset/img49.jpg")
CROWD = DEFAULT_DATA / "images" / "0--Parade" / "0_Parade_marchingband_1_465.jpg"
UPSCALED_SIZE = (4000, 3000)
DEFAULT_OUT = REPO / "bench" / "out" / "time_12mp"


def upscale_crowd(src: Path, dst: Path, size: tuple[int, int] = UPSCALED_SIZE) -> Path:
    """Centre-crop ``src`` to the target aspect ratio and enlarge it with Lanczos (JPEG q95)."""
    with Image.open(src) as im:
        rgb = im.convert("RGB")
    tw, th = size
    w, h = rgb.size
    if w * th > h * tw:  # too wide: crop width
        cw = round(h * tw / th)
        box = ((w - cw) // 2, 0, (w - cw) // 2 + cw, h)
    else:
        ch = round(w * th / tw)
        box = (0, (h - ch) // 2, w, (h - ch) // 2 + ch)
    dst.parent.mkdir(parents=True, exist_ok=True)
    rgb.crop(box).resize(size, Image.Resampling.LANCZOS).save(dst, "JPEG", quality=95)
    return dst


def pick_image(args: argparse.Namespace) -> tuple[Path, str]:
    """The photo to time and a sentence saying what it is (real, or upscaled and from what)."""
    if args.image:
        path = args.image
        kind = f"photo `{path.name}` given with --image"
    elif not args.upscale and DEFAULT_IMAGE.exists():
        path = DEFAULT_IMAGE
        kind = "real photo (deepface test set img49.jpg, one person)"
    else:
        path = upscale_crowd(CROWD, args.out / "input" / f"{CROWD.stem}_4000x3000.jpg")
        kind = (f"NOT a real 12 MP photo: WIDER FACE crowd `{CROWD.name}` ({_size(CROWD)}) centre-cropped "
                f"to 4:3 and upscaled with Lanczos")
    return path, f"{kind}, {_size(path)}"


def _size(path: Path) -> str:
    with Image.open(path) as im:
        w, h = im.size
    return f"{w} x {h} = {w * h / 1e6:.1f} MP"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    src = p.add_mutually_exclusive_group()
    src.add_argument("--image", type=Path, help="time this photo instead of the default real one")
    src.add_argument("--upscale", action="store_true", help="time an upscaled 4000x3000 WIDER FACE crowd")
    p.add_argument("--tools", default="unseen,deface", help="comma-separated: unseen,deface")
    p.add_argument("--repeat", type=int, default=3, help="runs per tool; the median is reported")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where inputs/outputs are kept")
    p.add_argument("--write-md", action="store_true", help=f"write the section into {BENCHMARKS_MD}")
    p.add_argument("--unseen-bin", type=Path, help="unseen executable (default: the venv's console script)")
    p.add_argument("--deface-bin", type=Path, help="deface executable (default: bench/.venv-deface)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    overrides = {"unseen": args.unseen_bin, "deface": args.deface_bin}
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    machine_info = machine()  # before the runs, so the load average is not our own
    image, described = pick_image(args)
    medians: dict[str, float] = {}
    versions: dict[str, str] = {}
    for name in names:
        # Single-file call for every tool, so both pay the same per-call cost for one photo.
        tool = dataclasses.replace(make_tool(name, overrides.get(name)), targets=lambda d, files: list(files))
        print(f"running {name} x{args.repeat} on {image.name} ...", file=sys.stderr)
        run = run_tool(tool, {image.name: image}, args.repeat, args.out / name)
        medians[name] = run.median
        versions[name] = tool_version(tool)
        print(f"{name} wall times (s): {', '.join(f'{t:.2f}' for t in run.times)}", file=sys.stderr)

    head = ["photo", *(f"{n} median of {args.repeat} (s)" for n in names)]
    row = [described, *(f"{medians[n]:.2f}" for n in names)]
    if "unseen" in medians and "deface" in medians:
        head.append("unseen / deface")
        row.append(f"{medians['unseen'] / medians['deface']:.2f}")
    body = "\n".join([
        f"Command: `{command_line()}`  ",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {machine_info}  ",
        "Tools: " + "; ".join(f"{n} {versions[n]}" for n in names)
        + " (defaults; deface `--replacewith solid`). One single-file CLI call per run, wall clock "
        "including start-up.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        "| " + " | ".join(row) + " |",
    ])
    print(body)
    if args.write_md:
        write_md(SECTION, body)
        print(f"wrote section to {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
