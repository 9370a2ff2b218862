"""The text recogniser's folded file (tools/fold_recogniser.py) against the file it replaced, on the
crops unseen's plate/text pass really reads.

    python bench/recogniser_fold.py [--before REV] [--repeat 5] [--write-md]

The crops: every crop the plate/text pass (``TextBoxes(("plate", "text"))``, so that large boxes of
signs and captions are read too) hands the reader on shared photos that are not the benchmark set
(the plate photos, the ultralight crowds, the EXIF samples, dbface's photos) and on every ninth frame
of two shared clips cut as video cuts them (fitted to 1280 px, in strips). The file before: the
recogniser as commit ``--before`` shipped it (``git show``; the denormal-free file the fold starts
from). Both run in unseen's own session settings (``onnx_session.make_session``) through unseen's own
batching (``reader.read_crops``), in interleaved rounds; time is the thread's CPU time, medians.
Reads are compared crop by crop: the string, the mean confidence, and the plate and text rules'
verdicts (``plates.plate_like``, ``plates.text_like``). What is read is never printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, machine  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
from unseen import raster  # noqa: E402
from unseen.detect import onnx_session, plates, reader  # noqa: E402
from unseen.detect.weights import text_rec_onnx  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
MODEL = "src/unseen/detect/models/ch_PP-OCRv4_rec_infer.onnx"
HEADING = "## Plates and text: the recogniser's folded file (bench/recogniser_fold.py)"
PHOTOS = [("plates_openalpr_eu", "*.jpg", None), ("ultralight_face_linzaer/imgs", "*.jpg", None),
          ("exif_samples_ianare", "**/*.jpg", 40), ("dbface_dlunion", "**/*.jpg", 20)]
CLIPS = ["facenet_pytorch_timesler/examples/video.mp4", "face_recognition_ageitgey/examples/short_hamilton_clip.mp4"]


def crops() -> tuple[list[np.ndarray], int, int]:
    """Every crop the plate/text pass reads on the photos and clip frames; how many photos and frames."""
    got: list[np.ndarray] = []
    real = reader.read_crops

    def spy(cs: list[np.ndarray]) -> list[tuple[str, float]]:
        got.extend(np.ascontiguousarray(c) for c in cs)
        return real(cs)

    reader.read_crops = spy
    finder = plates.TextBoxes(("plate", "text"))
    photos = frames = 0
    try:
        for folder, pattern, most in PHOTOS:
            for path in sorted((SHARED / folder).glob(pattern))[:most]:
                with Image.open(path) as im:
                    finder(np.asarray(im.convert("RGB")), 0.5)
                photos += 1
        import av

        for clip in CLIPS:
            with av.open(str(SHARED / clip)) as c:
                for i, frame in enumerate(c.decode(video=0)):
                    if i % 9 == 0:
                        small, _ = raster.fit(frame.to_ndarray(format="rgb24"), 1280)
                        finder(small, 0.5, strip_pixels=600_000)
                        frames += 1
    finally:
        reader.read_crops = real
    return got, photos, frames


def reads(model: bytes, cs: list[np.ndarray]) -> tuple[list[tuple[str, float]], float]:
    """The reads of ``cs`` through ``model`` in unseen's batching, and the thread CPU they took."""
    sess = onnx_session.make_session(model, "cpu")
    chars = reader._alphabet(sess)
    real = reader._model
    reader._model = lambda: (sess, chars)
    try:
        t = time.thread_time()
        out = reader.read_crops(cs)
        return out, time.thread_time() - t
    finally:
        reader._model = real


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="6034c93", help="commit whose recogniser file is the 'before'")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write-md", action="store_true")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"needs {SHARED}")
    before = subprocess.run(["git", "show", f"{args.before}:{MODEL}"], cwd=REPO, capture_output=True,
                            check=True).stdout
    after = text_rec_onnx()
    cs, photos, frames = crops()
    times: dict[str, list[float]] = {"before": [], "after": []}
    outs: dict[str, list[tuple[str, float]]] = {}
    for _ in range(args.repeat):
        for name, model in (("before", before), ("after", after)):
            outs[name], cpu = reads(model, cs)
            times[name].append(cpu)
    a, b = outs["before"], outs["after"]
    same = sum(x[0] == y[0] for x, y in zip(a, b, strict=True))
    conf = max((abs(x[1] - y[1]) for x, y in zip(a, b, strict=True)), default=0.0)
    flips = sum(plates.plate_like(*x) != plates.plate_like(*y) or plates.text_like(*x) != plates.text_like(*y)
                for x, y in zip(a, b, strict=True))
    med = {k: statistics.median(v) for k, v in times.items()}
    widths = [c.shape[1] * reader.HEIGHT / max(c.shape[0], 1) for c in cs]
    lines = [
        f"Command: `{command_line()}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {machine()}.", "",
        f"{len(cs)} crops the plate/text pass read on {photos} shared photos and {frames} clip frames "
        f"(widths at the reader's 48 px height: median {statistics.median(widths):.0f} px); "
        f"before = the file at git {args.before}, after = the shipped file; {args.repeat} interleaved rounds.", "",
        "| file | median CPU s (all crops) | per crop ms |",
        "|---|---:|---:|",
        *(f"| {k} | {v:.2f} | {1000 * v / max(1, len(cs)):.1f} |" for k, v in med.items()),
        "",
        f"After / before: **{med['after'] / med['before']:.2f}x** the CPU. Reads: {same} of {len(cs)} the same "
        f"string; mean confidence differs by at most {conf:.1e}; the plate or text rule's verdict changes on "
        f"{flips} crops.",
    ]
    emit(HEADING, lines, args.write_md)


if __name__ == "__main__":
    main()
