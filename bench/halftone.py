"""Portraits printed in halftone on placards: faces covered with and without the self-check's dots passes.

A placard with a newspaper's portrait (black dots on white) held up in a crowd shows a face to an eye at a
distance, while the detectors see dots. ``ensemble.DOTS`` has the self-check also run RetinaFace on the
picture shrunk by half and blurred, ``ensemble.COARSE_DOTS`` on a quarter of it (dots 12 px apart and more:
a card held close). In process (``anonymize_image``, faces only), each setting in turn (without the dots
passes, the half-size pass alone, both as shipped):

* **placards**: 12 portraits of deepface's test set (12 people; each portrait's largest face as unseen's
  own detector finds it) in grey, contrast stretched, as cards of faces F px wide held over the crowd of
  ultralight's imgs/17.jpg (a 4 x 3 grid); printed with a dot every F/15 px (6 px at 90), F/10 and F/25,
  and the same cards without dots as the control; cards of faces 160 px wide are held over the crowd
  enlarged 2x (3200 x 1796, so that the 4 x 3 cards fit). A face is covered when >= 70% of the middle half of its
  box changed by > 24 in some channel or sits at the fill colour (bench/dithered.py's rule);
* **ordinary photos**: the 100 crowd and portrait photos outside the benchmark that the other benches
  calibrate on (ultralight, deface's examples, dlib's faces, FDDB's sample, DBFace, insightface): the share
  of the picture the pass changes (pixels that differ between the two outputs by > 24), and the CPU.

    python bench/halftone.py [--write-md]
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import emit, faces_cpu, machine, run_header
from PIL import Image, ImageOps
from plates import SHARED
from synth import halftone  # tests/, on the path bench/plates.py sets

import unseen.detect as detect
from unseen import Options
from unseen.detect.ensemble import DOTS

SECTION = "## Halftone portraits (bench/halftone.py)"
PORTRAITS = SHARED / "deepface_serengil" / "tests" / "unit" / "dataset"
PEOPLE = ("img2", "img26", "img8", "img3", "img13", "img16", "img29", "img34", "img38", "img18", "img20", "img22")
CROWD = SHARED / "ultralight_face_linzaer" / "imgs" / "17.jpg"
ORDINARY = ("ultralight_face_linzaer/imgs", "deface_orbhd/examples", "dlib_examples/examples/faces", "fddb_sample",
            "dbface_dlunion", "insightface_deepinsight")
SHIPPED = detect.CHECK_PASSES
WITHOUT = tuple(p for p in SHIPPED if not p.smooth)
SETTINGS = {"without the dots passes": WITHOUT, "half size only": (*WITHOUT, DOTS),
            "half and quarter size (shipped)": SHIPPED}


def portraits() -> list[tuple[np.ndarray, tuple[float, float, float, float]]]:
    """Each person's portrait (grey, stretched) and its largest face's box, found by unseen's detector."""
    det = Options(cover=("face",)).make_detector()
    out = []
    for name in PEOPLE:
        im = ImageOps.exif_transpose(Image.open(PORTRAITS / f"{name}.jpg")).convert("RGB")
        found = det.detect(np.asarray(im)).of_kind("face")
        box = max(found.boxes.tolist(), key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        out.append((np.asarray(ImageOps.autocontrast(ImageOps.grayscale(im), cutoff=1).convert("RGB")), box))
    return out


def placard(people: list, face: int, spacing: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The crowd with one card per person (faces ``face`` px wide; ``spacing`` 0: no dots), and each
    printed face's box (x, y, w, h)."""
    crowd = Image.open(CROWD).convert("RGB")
    if face > 100:
        crowd = crowd.resize((crowd.width * 2, crowd.height * 2), Image.Resampling.LANCZOS)
    crowd = np.asarray(crowd).copy()
    h, w = crowd.shape[:2]
    boxes = []
    for i, (rgb, (x0, y0, x1, y1)) in enumerate(people):
        k = face / (x1 - x0)
        m = 0.6 * (x1 - x0)
        card = Image.fromarray(rgb).crop((int(x0 - m), int(y0 - m), int(x1 + m), int(y1 + m)))
        card = np.asarray(card.resize((int(card.width * k), int(card.height * k)), Image.Resampling.LANCZOS))
        if spacing:
            card = halftone(card, spacing)
        cx, cy = int((i % 4 + 0.5) * w / 4 - card.shape[1] / 2), int((i // 4 + 0.5) * h / 3 - card.shape[0] / 2)
        ch, cw = min(card.shape[0], h - max(cy, 0)), min(card.shape[1], w - max(cx, 0))
        crowd[max(cy, 0) : max(cy, 0) + ch, max(cx, 0) : max(cx, 0) + cw] = card[:ch, :cw]
        boxes.append((cx + int(m * k), cy + int(m * k), int(face), int((y1 - y0) * k)))
    return crowd, boxes


def ordinary_files(n: int = 100) -> list:
    """The first ``n`` crowd and portrait photos outside the benchmark that the benches calibrate on."""
    return sorted(f for d in ORDINARY for f in (SHARED / d).rglob("*")
                  if f.suffix.lower() in (".jpg", ".jpeg", ".png") and not any(s.startswith(".") for s in f.parts))[:n]


def covered(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    x, y, w, h = x + w // 4, y + h // 4, w // 2, h // 2  # the face's middle: eyes, nose, mouth
    pa, pb = a[y : y + h, x : x + w].astype(int), b[y : y + h, x : x + w].astype(int)
    return bool(((np.abs(pa - pb).max(-1) > 24) | (np.abs(pb - 128).max(-1) <= 8)).mean() >= 0.7)


def run(rgb: np.ndarray, passes: tuple) -> tuple[np.ndarray, float]:
    detect.CHECK_PASSES = passes
    return faces_cpu(rgb)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    people = portraits()
    names = list(SETTINGS)
    rows = ["| placards (12 people over a crowd) | " + " | ".join(f"faces covered, {n}" for n in names) + " |",
            "|---|" + "---|" * len(names)]
    for face in (40, 90, 160):
        for label, spacing in (("no dots (control)", 0), ("a dot every F/25 px", round(face / 25)),
                               ("a dot every F/15 px", round(face / 15)), ("a dot every F/10 px", round(face / 10))):
            if label != "no dots (control)" and spacing < 2:
                continue
            scene, boxes = placard(people, face, spacing)
            got = [sum(covered(scene, run(scene, passes)[0], b) for b in boxes) for passes in SETTINGS.values()]
            rows.append(f"| F = {face} px, {label}" + (f" ({spacing} px)" if spacing else "") + " | "
                        + " | ".join(f"{g}/12" for g in got) + " |")
            print(rows[-1], flush=True)
    files = ordinary_files()
    changed = {n: [] for n in names[1:]}
    cpu = dict.fromkeys(names, 0.0)
    for f in files:
        rgb = np.asarray(ImageOps.exif_transpose(Image.open(f)).convert("RGB"))
        outs = {}
        for n, passes in SETTINGS.items():
            outs[n], spent = run(rgb, passes)
            cpu[n] += spent
        for n in names[1:]:
            changed[n].append(float((np.abs(outs[names[0]].astype(int) - outs[n].astype(int)).max(-1) > 24).mean()))
    detect.CHECK_PASSES = SHIPPED
    rows += ["", f"| ordinary photos ({len(files)}) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names),
             "| photos whose output changed | | " + " | ".join(str(sum(c > 0 for c in changed[n])) for n in names[1:])
             + " |",
             "| share of the picture changed, mean (worst photo) | | "
             + " | ".join(f"{100 * np.mean(changed[n]):.3f}% ({100 * max(changed[n]):.2f}%)" for n in names[1:]) + " |",
             "| CPU s, all photos (in process, detection and self-check) | "
             + " | ".join(f"{cpu[n]:.1f}" for n in names) + " |"]
    print("\n".join(rows[-5:]), flush=True)
    emit(SECTION, [*run_header(machine()), "", *rows], args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
