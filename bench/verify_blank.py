"""Verify's "still matchable" check against a blanked box: does it tell a covered face from a leaked one?

``unseen verify`` fails a face when dlib's recognizer puts the output's region within 0.6 of the
original face. On small or blurred faces that happens to grey fills too: the 150 x 150 chip the
recognizer embeds is mostly what surrounds the face (hair, collar, background) once the face is
small, and dlib matches on it. The check now also embeds the original with the face's box blanked
(mid grey, ``verify._blanked``) and fails the face only when the output is closer to the original than
that blank, by more than ``verify.BLANK_MARGIN``.

This benchmark measures that rule on photos outside the WIDER FACE benchmark (dlib's example faces,
face_recognition's examples, the ultralight crowd photos, deface's examples), for every face the
adversary's detector finds in each original (at most ``PER_PHOTO`` per photo, spread over sizes):

* unseen's outputs, ``--cover faces``: fill (the default), noise, blur, pixelate (their defaults);
* outputs that leak, made here from the original: unchanged; the face's box under a light blur
  (Gaussian sigma 0.05 x the box's height); the box's upper half blanked (the mouth and chin left);
  the box's left half blanked.

Per variant and face height: how many faces the old rule fails (distance < 0.6) and how many the new
one fails at margins 0, 0.05 and 0.1, with the largest ``blank - distance`` of the faces under 0.6.

Usage: ``python bench/verify_blank.py [--write-md]`` (needs ../shared/data, or UNSEEN_SHARED).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402

from unseen import verify  # noqa: E402

HEADING = "## Verify: the blank reference (bench/verify_blank.py)"
SETS = ("dlib_examples/examples/faces", "face_recognition_ageitgey/examples", "ultralight_face_linzaer/imgs",
        "deface_orbhd")
PER_PHOTO = 20
STYLES = ("fill", "noise", "blur", "pixelate")
BANDS = ((0, 32), (32, 64), (64, 10**6))
MARGINS = (0.0, 0.05, 0.1)


def photos(data: Path) -> list[Path]:
    out = []
    for s in SETS:
        d = data / s
        out += sorted(p for p in d.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png") and p.is_file())
    return out


def unseen_outputs(files: list[Path], work: Path) -> dict[str, dict[Path, Path]]:
    """Run the unseen command once per style over links to the photos; ``{style: {photo: output}}``."""
    src = work / "in"
    src.mkdir()
    names = {}
    for i, p in enumerate(files):
        link = src / f"{i:03d}{p.suffix.lower()}"
        link.symlink_to(p)
        names[p] = link.name
    out: dict[str, dict[Path, Path]] = {}
    for style in STYLES:
        dst = work / style
        subprocess.run([sys.executable, "-m", "unseen", str(src), "-o", str(dst), "--cover", "faces", "--style",
                        style, "-q"], check=False, env=benchlib.tool_env())
        out[style] = {p: dst / n for p, n in names.items() if (dst / n).exists()}
    return out


def leaks(rgb: np.ndarray, box: np.ndarray) -> dict[str, np.ndarray]:
    """Outputs that leak the face, made from the original."""
    h, w = rgb.shape[:2]
    x1, y1 = max(int(box[0]), 0), max(int(box[1]), 0)
    x2, y2 = min(int(np.ceil(box[2])), w), min(int(np.ceil(box[3])), h)
    blur = rgb.copy()
    sigma = max(0.5, 0.05 * (y2 - y1))
    region = Image.fromarray(rgb[y1:y2, x1:x2]).filter(ImageFilter.GaussianBlur(sigma))
    blur[y1:y2, x1:x2] = np.asarray(region)
    upper, left = rgb.copy(), rgb.copy()
    upper[y1:(y1 + y2) // 2, x1:x2] = verify.BLANK
    left[y1:y2, x1:(x1 + x2) // 2] = verify.BLANK
    return {"unchanged": rgb, "light blur": blur, "upper half blanked": upper, "left half blanked": left}


def spread(found: list[tuple[np.ndarray, float]], n: int) -> list[tuple[np.ndarray, float]]:
    """At most ``n`` faces, spread evenly over the photo's face heights."""
    if len(found) <= n:
        return found
    order = sorted(found, key=lambda f: float(f[0][3] - f[0][1]))
    return [order[round(i * (len(order) - 1) / (n - 1))] for i in range(n)]


def measure(data: Path) -> tuple[list[dict], int]:
    files = photos(data)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        outs = unseen_outputs(files, Path(tmp))
        for p in files:
            orig = np.asarray(Image.open(p).convert("RGB"))
            found = spread(verify._found(orig), PER_PHOTO)
            variants = {s: np.asarray(Image.open(outs[s][p]).convert("RGB")) for s in STYLES if p in outs[s]}
            for box, _score in found:
                height = float(box[3] - box[1])
                for name, out in {**variants, **leaks(orig, box)}.items():
                    if out.shape != orig.shape:
                        continue
                    d, blank = verify._distances(orig, out, box, always_blank=True)
                    rows.append({"variant": name, "height": height, "d": d, "blank": blank})
    return rows, len(files)


def table(rows: list[dict]) -> list[str]:
    head = ["variant", "face height px", "faces", "fail: distance < 0.6 (old rule)"]
    head += [f"fail: also closer than blank by > {m:g}" for m in MARGINS]
    head += ["largest blank - distance under 0.6", "median distance", "median blank"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    for v in variants:
        for lo, hi in BANDS:
            sel = [r for r in rows if r["variant"] == v and lo <= r["height"] < hi]
            if not sel:
                continue
            under = [r for r in sel if r["d"] < verify.MATCH_THRESHOLD]
            fails = [sum(r["d"] < r["blank"] - m for r in under) for m in MARGINS]
            gap = max((r["blank"] - r["d"] for r in under), default=float("nan"))
            band = f"{lo}-{hi}" if hi < 10**6 else f">= {lo}"
            out.append(f"| {v} | {band} | {len(sel)} | {len(under)} | " + " | ".join(map(str, fails))
                       + f" | {gap:.3f} | {np.median([r['d'] for r in sel]):.2f} | "
                       f"{np.median([r['blank'] for r in sel]):.2f} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("UNSEEN_SHARED", HERE.parent.parent / "shared"
                                                                      / "data")))
    ap.add_argument("--write-md", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows, n = measure(args.data)
    lines = benchlib.run_header(benchlib.machine())
    faces = sum(r["variant"] == "unchanged" for r in rows)
    lines += ["", f"{n} photos from {', '.join(SETS)}; every face the adversary's detector finds in each original, "
              f"at most {PER_PHOTO} per photo spread over sizes ({faces} faces); "
              f"unseen's outputs with `--cover faces`; run time {time.perf_counter() - t0:.0f} s.", ""]
    lines += table(rows)
    benchlib.emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
