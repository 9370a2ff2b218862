"""Re-identification benchmark: can a face recognizer still tell who a masked face is?

For every person with at least two photos in the identity sets, each of their photos in turn is the
*probe*: it is anonymised by one masking style, and a face recognizer (dlib's ResNet, the adversary
``unseen verify`` uses) embeds the masked face. The *gallery* is every other photo, unmasked: the
person's other photos plus everyone else's (a person with one photo only is a distractor). Reported
per style, over all probes:

* **top-1**: the nearest gallery photo belongs to the probe's own person (identification). Chance
  is 1 / number of identities; because the gallery is unbalanced a random nearest photo would be
  right slightly more often, which the table also gives ("random photo").
* **within 0.6**: the probe is within dlib's match threshold (0.6) of at least one of the person's
  own other photos, i.e. a verification system would say "same person".
* **verify passes**: the masked face is at least 0.6 from the *same photo's* unmasked face, which
  is check (2) of ``unseen verify``.
* **median distance** from the masked probe to its own unmasked original.

The adversary is as strong as we can make it: the masked face is aligned with the landmarks of the
unmasked original (dlib's 5-point shape predictor on the original face, applied to the masked
image), since a masked face has no landmarks of its own and the attacker is assumed to know where it
was. The probe face is the highest-scoring face unseen's default detector finds in the photo; the
same regions (padded as the pipeline pads them) are masked by every unseen style, so styles differ
only in how they cover. Self-check is off in this benchmark: it only adds masks where a face is left,
and the probe face is always covered.

Photos are first downscaled to at most MAX_SIDE pixels on the longer side (speed; every probe face
stays well above the recognizer's 150 px chip or is upscaled to it the same way for every style).

Identity sets (../shared/data): dlib_examples/examples/johns (5 people x 11), face_recognition_ageitgey
(curated below: one copy of each distinct photo, no crops or resizes of the same photo, single-person
photos only) and deepface_serengil with identity_clusters_derived.json (13 people).

Embeddings live only in this process's memory (the gallery dict): nothing derived from a face is
written anywhere; the output is the table.

Usage: ``python bench/reid.py [--data DIR] [--write-md] [--limit N]``. deface's venv:
``bash bench/setup_peers.sh``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCHMARKS_MD, git_revision, write_md  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFACE_BIN = REPO / "bench" / ".venv-deface" / "bin" / "deface"
SECTION = "## Re-identification"
MAX_SIDE = 800
MATCH = 0.6

PIXELATE_SWEEP = (16, 12, 10, 8, 6, 4)  # blocks across the padded head mask
BLUR_SWEEP = (0.03, 0.05, 0.08, 0.12, 0.18, 0.25)  # Gaussian sigma as a fraction of the mask's side

AGEITGEY = {  # distinct photos only (obama-240p/480p/720p/1080p and the partial faces are obama.jpg again)
    "obama": ["examples/obama.jpg", "examples/obama2.jpg", "tests/test_images/obama3.jpg",
              "examples/knn_examples/test/obama1.jpg", "examples/obama_small.jpg"],
    "biden": ["examples/biden.jpg", "examples/knn_examples/train/biden/biden2.jpg"],
    "kit_harington": ["examples/knn_examples/test/johnsnow_test1.jpg",
                      "examples/knn_examples/train/kit_harington/john1.jpeg",
                      "examples/knn_examples/train/kit_harington/john2.jpeg"],
    "alex_lacamoire": ["examples/knn_examples/test/alex_lacamoire1.jpg", "examples/alex-lacamoire.png",
                       "examples/knn_examples/train/alex_lacamoire/img1.jpg"],
    "rose_leslie": ["examples/knn_examples/train/rose_leslie/img1.jpg",
                    "examples/knn_examples/train/rose_leslie/img2.jpg"],
    "lin_manuel_miranda": ["examples/lin-manuel-miranda.png"],
}


def identities(data: Path) -> dict[str, list[Path]]:
    """Identity label -> photos. Labels are dataset-local ids, used only to score the benchmark."""
    ids: dict[str, list[Path]] = {}
    johns = data / "dlib_examples" / "examples" / "johns"
    for person in sorted(p for p in johns.iterdir() if p.is_dir()):
        ids[f"johns/{person.name}"] = sorted(person.glob("*.jpg"))
    base = data / "face_recognition_ageitgey"
    for person, files in AGEITGEY.items():
        ids[f"ageitgey/{person}"] = [base / f for f in files]
    deep = data / "deepface_serengil"
    clusters = json.loads((deep / "identity_clusters_derived.json").read_text())["clusters"]
    for i, files in enumerate(clusters):
        ids[f"deepface/{i}"] = [deep / "tests" / "unit" / "dataset" / f for f in files]
    missing = [str(p) for files in ids.values() for p in files if not p.exists()]
    if missing:
        raise SystemExit(f"missing identity photos, e.g. {missing[0]}")
    return ids


def load(path: Path) -> np.ndarray:
    from unseen.media import image as image_io

    px = image_io.read(path).frames[0]
    scale = MAX_SIDE / max(px.shape[:2])
    if scale < 1:
        size = (round(px.shape[1] * scale), round(px.shape[0] * scale))
        px = cv2.resize(px, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(px)


@dataclass
class Photo:
    who: str
    path: Path
    pixels: np.ndarray
    regions: object  # unseen Regions found by the default detector
    main: int  # index of the probe face (highest score)


# -- the recognizer (in memory only) -------------------------------------------------------------
class Recognizer:
    def __init__(self) -> None:
        import dlib
        import face_recognition_models as frm

        from unseen.verify import _shape_box

        self.dlib, self.shape_box = dlib, _shape_box
        self.predictor = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
        self.model = dlib.face_recognition_model_v1(frm.face_recognition_model_location())

    def shape(self, pixels: np.ndarray, box: np.ndarray):
        return self.predictor(pixels, self.dlib.rectangle(*self.shape_box(box)))

    def embed(self, pixels: np.ndarray, shape) -> np.ndarray:
        return np.asarray(self.model.compute_face_descriptor(np.ascontiguousarray(pixels), shape), np.float64)


# -- styles ----------------------------------------------------------------------------------------
def unseen_style(style: str, pixelate: int | None = None, blur: float | None = None) -> Callable:
    """Mask with unseen's pipeline on the regions already found, with mask.py's constant overridden."""
    from unseen import mask
    from unseen.engine.image import mask_frame
    from unseen.options import Options

    options = Options(style=style, self_check=False)

    def run(photo: Photo) -> np.ndarray:
        saved = mask.PIXELATE_BLOCKS, mask.BLUR_SIGMA_FRACTION
        try:
            if pixelate is not None:
                mask.PIXELATE_BLOCKS = pixelate
            if blur is not None:
                mask.BLUR_SIGMA_FRACTION = blur
            out, _ = mask_frame(photo.pixels, photo.regions, options, np.random.default_rng(0))
        finally:
            mask.PIXELATE_BLOCKS, mask.BLUR_SIGMA_FRACTION = saved
        return out

    return run


def deface_outputs(photos: list[Photo], exe: Path) -> tuple[dict[Path, np.ndarray], str]:
    """Run deface's CLI with its defaults (blur, thresh 0.2, mask-scale 1.3) on PNG copies of the probes."""
    out: dict[Path, np.ndarray] = {}
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="reid-deface-") as tmp:
        inputs = []
        for i, p in enumerate(photos):
            f = Path(tmp) / f"{i:04d}.png"
            Image.fromarray(p.pixels).save(f)
            inputs.append(f)
        subprocess.run([str(exe), *map(str, inputs)], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for p, f in zip(photos, inputs, strict=True):
            with Image.open(f.with_name(f"{f.stem}_anonymized{f.suffix}")) as im:
                out[p.path] = np.asarray(im.convert("RGB")).copy()
    return out, version.removeprefix("deface ").strip()


# -- the benchmark ----------------------------------------------------------------------------------
@dataclass
class Row:
    style: str
    setting: str
    top1: int = 0
    within: int = 0
    verify_pass: int = 0
    n: int = 0
    distances: list[float] = field(default_factory=list)

    def add(self, top1: bool, within: bool, d_self: float) -> None:
        self.n += 1
        self.top1 += top1
        self.within += within
        self.verify_pass += d_self >= MATCH
        self.distances.append(d_self)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 0.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def run(data: Path, limit: int | None, deface: Path | None) -> tuple[list[Row], dict]:
    from unseen import mask
    from unseen.detect import Detector

    ids = identities(data)
    t0 = time.perf_counter()
    detector = Detector()
    rec = Recognizer()
    photos: list[Photo] = []
    for who, files in ids.items():
        for f in files:
            px = load(f)
            regions = detector.detect(px)
            if len(regions) == 0:
                print(f"  no face found, skipped: {f}", file=sys.stderr)
                continue
            photos.append(Photo(who, f, px, regions, int(np.argmax(regions.scores))))
    print(f"detected {len(photos)} photos in {time.perf_counter() - t0:.0f}s", file=sys.stderr)

    # Gallery: unmasked embeddings, in memory only.
    shapes = [rec.shape(p.pixels, p.regions.boxes[p.main]) for p in photos]
    gallery = np.stack([rec.embed(p.pixels, s) for p, s in zip(photos, shapes, strict=True)])
    who = np.array([p.who for p in photos])
    counts = {w: int((who == w).sum()) for w in set(who)}
    probes = [i for i, p in enumerate(photos) if counts[p.who] >= 2]
    if limit:
        probes = probes[::max(1, len(probes) // limit)][:limit]

    styles: list[tuple[Row, Callable[[Photo], np.ndarray]]] = [
        (Row("none", "unmasked photo"), lambda p: p.pixels),
    ]
    deface_px: dict[Path, np.ndarray] = {}
    deface_version = ""
    if deface is not None and deface.exists():
        t1 = time.perf_counter()
        deface_px, deface_version = deface_outputs([photos[i] for i in probes], deface)
        print(f"deface done in {time.perf_counter() - t1:.0f}s", file=sys.stderr)
        styles.append((Row("deface blur", "deface defaults"), lambda p: deface_px[p.path]))
    else:
        print("deface venv not found (bash bench/setup_peers.sh): deface row skipped", file=sys.stderr)
    for b in PIXELATE_SWEEP:
        cur = " (current default)" if b == mask.PIXELATE_BLOCKS else ""
        styles.append((Row("unseen pixelate", f"{b} blocks across the head{cur}"), unseen_style("pixelate", b)))
    for s in BLUR_SWEEP:
        cur = " (current default)" if math.isclose(s, mask.BLUR_SIGMA_FRACTION) else ""
        styles.append((Row("unseen blur", f"sigma {s:g} x head size{cur}"), unseen_style("blur", blur=s)))
    styles.append((Row("unseen fill", "default"), unseen_style("fill")))
    styles.append((Row("unseen noise", ""), unseen_style("noise")))

    t1 = time.perf_counter()
    for k, i in enumerate(probes):
        p = photos[i]
        others = np.arange(len(photos)) != i
        own = others & (who == p.who)
        for row, style in styles:
            e = rec.embed(style(p), shapes[i])
            d = np.linalg.norm(gallery - e, axis=1)
            d_self = float(d[i])
            d[~others] = np.inf
            row.add(bool(who[int(np.argmin(d))] == p.who), bool(d[own].min() < MATCH), d_self)
            del e
        if (k + 1) % 10 == 0:
            print(f"  {k + 1}/{len(probes)} probes, {time.perf_counter() - t1:.0f}s", file=sys.stderr)
    del gallery

    n_ids = len(counts)
    n_gallery = len(photos) - 1
    random_photo = float(np.mean([(counts[photos[i].who] - 1) / n_gallery for i in probes]))
    meta = {
        "identities": n_ids, "probe_identities": len({photos[i].who for i in probes}),
        "photos": len(photos), "probes": len(probes), "chance": 1 / n_ids, "random_photo": random_photo,
        "seconds": time.perf_counter() - t0, "deface_version": deface_version,
    }
    return [r for r, _ in styles], meta


def pct(k: int, n: int, ci: bool = False) -> str:
    if not n:
        return "-"
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.1f}% ({k}/{n})" + (f" [{100 * lo:.0f}-{100 * hi:.0f}%]" if ci else "")


def table(rows: list[Row]) -> str:
    lines = ["| style | setting | top-1 identified [95% CI] | within 0.6 of own gallery | verify check passes "
             "| median distance to original |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        med = float(np.median(r.distances)) if r.distances else float("nan")
        lines.append(f"| {r.style} | {r.setting} | {pct(r.top1, r.n, ci=True)} | {pct(r.within, r.n)} "
                     f"| {pct(r.verify_pass, r.n)} | {med:.2f} |")
    return "\n".join(lines)


def body(rows: list[Row], meta: dict, argv: list[str]) -> str:
    from unseen import __version__

    try:
        import dlib

        dlib_version = dlib.__version__
    except ImportError:  # pragma: no cover
        dlib_version = "?"
    rev = meta.get("git", "?")
    cmd = "python bench/reid.py " + " ".join(shlex.quote(a) for a in argv)
    return "\n".join([
        f"Command: `{cmd.strip()}` on {dt.date.today().isoformat()}, unseen {__version__} (git {rev}), "
        f"dlib {dlib_version}, deface {meta['deface_version'] or 'not run'}; "
        f"{platform.machine()}, Python {platform.python_version()}; {meta['seconds'] / 60:.0f} min.",
        "",
        f"Data: {meta['photos']} photos of {meta['identities']} people (dlib johns 5 x 11, "
        "face_recognition 6 people with the same photo's resizes and crops removed, deepface 13 clusters). "
        f"{meta['probes']} probes (every photo of the {meta['probe_identities']} people with two or more "
        "photos), each masked and matched against the other photos unmasked. Photos downscaled to at most "
        f"{MAX_SIDE} px. Adversary: dlib ResNet (`dlib_face_recognition_resnet_model_v1`), the masked "
        "face aligned with the unmasked original's 5-point landmarks; match threshold 0.6.",
        "",
        f"Chance level for top-1: 1/{meta['identities']} = {100 * meta['chance']:.1f}% "
        f"(a random gallery photo: {100 * meta['random_photo']:.1f}%). \"Within 0.6\" is the share a "
        "verification system would accept as the same person; \"verify check passes\" is check (2) of "
        "`unseen verify` (masked face >= 0.6 from the same photo unmasked).",
        "",
        table(rows),
        "",
        "pixelate: the padded head mask is resized down to N blocks across its longer side (INTER_AREA) and "
        "back up (nearest); blur: Gaussian with sigma = fraction x the mask's longer side. deface: its CLI "
        "with defaults (box blur of 1/3 the face box size inside an ellipse, mask scale 1.3, threshold 0.2).",
    ])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared corpus (default ../shared/data)")
    ap.add_argument("--write-md", action="store_true", help=f"replace '{SECTION}' in docs/BENCHMARKS.md")
    ap.add_argument("--limit", type=int, help="use at most this many probes (quick runs; not for publishing)")
    ap.add_argument("--no-deface", action="store_true", help="skip the deface row")
    args = ap.parse_args(argv)
    try:
        Recognizer()
    except ImportError:
        raise SystemExit("needs the recognizer: pip install -e '.[verify]'") from None
    rev = git_revision()
    rows, meta = run(args.data, args.limit, None if args.no_deface else DEFACE_BIN)
    meta["git"] = rev
    text = body(rows, meta, argv)
    print(text)
    if args.write_md:
        write_md(SECTION, text)
        print(f"wrote {SECTION!r} to {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
