"""Faces turned sideways or upside down: does unseen still cover them, and does deface?

People lie on the ground (a protester held down, someone hurt), lean, hang upside down, or a photo is
stored sideways without an orientation tag. The detectors were trained mostly on upright faces. This
benchmark turns photos by 90, 180 and 270 degrees (their face boxes turned with them), runs each tool
once over every copy, and counts a face as covered with the protection table's pixel test (>= 70% of
its box changed by more than 24/255 in some channel, ``protection.py``). Two sets, both outside the
WIDER FACE benchmark:

* **labelled**: dlib's example faces (``dlib_examples/examples/faces``, the boxes of ``training.xml``
  and ``testing.xml``, "ignore" boxes left out: 43 faces in 9 photos);
* **crowds**: the crowd folders without ground truth (ultralight, DBFace, insightface examples), with
  unseen's own confident upright detections as the reference (score >= 0.5, at least 20 px tall:
  ``reference``). Only faces unseen finds upright count there, so the set asks one question: does
  turning the picture lose them? (It cannot show faces no tool finds upright.)

Copies are PNG so that no re-encoding moves a pixel before the tools see it. ``--before SRC`` adds
unseen's code from another checkout's ``src`` (``--cover faces``, on PYTHONPATH) for a before/after.

Usage: ``python bench/rotated_faces.py [--tools unseen,unseen-faces,deface] [--before SRC] [--write-md]``
(needs ../shared/data, or UNSEEN_SHARED).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import anonymisers  # noqa: E402
import benchlib  # noqa: E402
import protection  # noqa: E402

HEADING = "## Faces turned sideways or upside down (bench/rotated_faces.py)"
LABELLED = "dlib_examples/examples/faces"
CROWDS = ("ultralight_face_linzaer/imgs", "dbface_dlunion", "insightface_deepinsight")
ANGLES = (0, 90, 180, 270)  # counter-clockwise, as PIL's rotate
REFERENCE_SCORE, REFERENCE_HEIGHT = 0.5, 20
MAX_SIDE = 2000  # crowd photos larger than this are left out (time)
Box = tuple[int, int, int, int]  # x, y, w, h
Copies = dict[str, tuple[str, int, list[Box]]]  # copy name -> (set, angle, face boxes in the copy)


def labelled(folder: Path) -> dict[Path, list[Box]]:
    """Photo -> its labelled face boxes (dlib's imglab XML; boxes marked ignore left out)."""
    out: dict[Path, list[Box]] = {}
    for name in ("training.xml", "testing.xml"):
        for image in ET.parse(folder / name).getroot().iter("image"):
            boxes = [(int(b.get("left", 0)), int(b.get("top", 0)), int(b.get("width", 0)), int(b.get("height", 0)))
                     for b in image.iter("box") if b.get("ignore") != "1"]
            if boxes:
                out[folder / image.get("file", "")] = boxes
    return out


def reference(data: Path) -> dict[Path, list[Box]]:
    """Crowd photo -> unseen's confident upright face boxes (the reference of the crowd set)."""
    from unseen.detect import Detector

    detector = Detector()
    out: dict[Path, list[Box]] = {}
    for folder in CROWDS:
        for p in sorted((data / folder).rglob("*")):
            if p.suffix.lower() not in (".jpg", ".jpeg", ".png") or not p.is_file():
                continue
            with Image.open(p) as im:
                rgb = np.asarray(im.convert("RGB"))
            if max(rgb.shape[:2]) > MAX_SIDE:
                continue
            found = detector.detect(rgb)
            keep = (found.scores >= REFERENCE_SCORE) & (found.heights >= REFERENCE_HEIGHT)
            boxes = [(round(x1), round(y1), round(x2 - x1), round(y2 - y1)) for x1, y1, x2, y2 in found.boxes[keep]]
            if boxes:
                out[p] = boxes
    return out


def turned(box: Box, width: int, height: int, quarter_turns: int) -> Box:
    """``box`` after the picture turns counter-clockwise by 90 degrees ``quarter_turns`` times
    (PIL's ``rotate(90 * k, expand=True)``): a point (x, y) goes to (y, width - x)."""
    x, y, w, h = box
    for _ in range(quarter_turns):
        x, y, w, h, width, height = y, width - x - w, h, w, height, width
    return x, y, w, h


def make_copies(sets: dict[str, dict[Path, list[Box]]], dst: Path) -> Copies:
    """Every photo of every set at every angle as PNG in ``dst``."""
    copies: Copies = {}
    for set_name, photos in sets.items():
        for i, (photo, boxes) in enumerate(photos.items()):
            with Image.open(photo) as im:
                rgb = im.convert("RGB")
            for k, angle in enumerate(ANGLES):
                copy = f"{set_name}_{i:03d}_r{angle}.png"
                rgb.rotate(angle, expand=True).save(dst / copy)
                copies[copy] = (set_name, angle, [turned(b, rgb.width, rgb.height, k) for b in boxes])
    return copies


def before_tool(src: Path) -> anonymisers.Tool:
    """unseen from another checkout's ``src`` with ``--cover faces``."""
    base = anonymisers.make_tool("unseen")
    return anonymisers.Tool(
        name="unseen-faces-before", exe=Path(sys.executable),
        argv=lambda e, t, o: ["env", f"PYTHONPATH={src}", str(e), "-m", "unseen", *map(str, t), "-o", str(o),
                              "--force", "-q", "--cover", "faces"],
        targets=base.targets, output_for=base.output_for, version_argv=lambda e: [str(e), "--version"],
        settings=f"`--cover faces`, the code in `{src}`")


def covered(tool: anonymisers.Tool, copies: Copies, src: Path, work: Path,
            ) -> tuple[dict[tuple[str, int], list[bool]], float]:
    """Run ``tool`` once over the copies; per (set, angle), whether each face came out covered, and the
    run's CPU seconds."""
    sources = {name: src / name for name in copies}
    run = protection.run_tool(tool, sources, 1, work / tool.name)
    found: dict[tuple[str, int], list[bool]] = {}
    for name, (set_name, angle, boxes) in copies.items():
        mask = protection.changed_mask(protection.load_rgb(src / name), protection.load_rgb(run.outputs[name]))
        for x, y, w, h in boxes:
            face = protection.Face(name, x, y, w, h, 0)
            hit = protection.box_changed_fraction(mask, face) >= protection.COVER_FRACTION
            found.setdefault((set_name, angle), []).append(hit)
    return found, run.cpu[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("UNSEEN_SHARED", HERE.parent.parent / "shared"
                                                                      / "data")))
    ap.add_argument("--tools", default="unseen,unseen-faces,deface")
    ap.add_argument("--before", type=Path, help="another checkout's src folder: its unseen --cover faces as a column")
    ap.add_argument("--write-md", action="store_true")
    args = ap.parse_args()
    if not (args.data / LABELLED).is_dir():
        raise SystemExit(f"no {args.data / LABELLED}: this benchmark needs ../shared/data (or UNSEEN_SHARED)")
    tools = [anonymisers.make_tool(t.strip()) for t in args.tools.split(",") if t.strip()]
    if args.before:
        tools.insert(0, before_tool(args.before.resolve()))
    lines = benchlib.run_header(benchlib.machine())
    sets = {"labelled": labelled(args.data / LABELLED), "crowds": reference(args.data)}
    with tempfile.TemporaryDirectory(prefix="bench-rotated-") as tmp:
        src = Path(tmp) / "copies"
        src.mkdir()
        copies = make_copies(sets, src)
        results = {t.name: covered(t, copies, src, Path(tmp) / "out") for t in tools}
    lines += ["", f"Sets: labelled, {len(sets['labelled'])} photos of `{LABELLED}` with "
              f"{sum(map(len, sets['labelled'].values()))} labelled faces; crowds, {len(sets['crowds'])} photos of "
              f"{', '.join(f'`{c}`' for c in CROWDS)} (at most {MAX_SIDE} px a side) with "
              f"{sum(map(len, sets['crowds'].values()))} reference faces (unseen's own upright detections scored "
              f">= {REFERENCE_SCORE}, >= {REFERENCE_HEIGHT} px tall). Each photo turned by "
              f"{', '.join(map(str, ANGLES))} degrees (PNG copies); one run of each tool over all {len(copies)} "
              "copies. "
              "Tools: " + "; ".join(f"{t.name}: {t.settings}" for t in tools)
              + ". A face is covered when >= 70% of its box changed by more than 24/255.", ""]
    names = [t.name for t in tools]
    lines += ["| set | turned by | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(names)]
    for set_name in sets:
        for angle in ANGLES:
            cells = [f"{sum(results[n][0][set_name, angle])}/{len(results[n][0][set_name, angle])}" for n in names]
            lines.append(f"| {set_name} | {angle} degrees | " + " | ".join(cells) + " |")
    lines.append("| all | CPU s, the whole run | " + " | ".join(f"{results[n][1]:.1f}" for n in names) + " |")
    benchlib.emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
