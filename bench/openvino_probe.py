"""Would OpenVINO pay as an optional engine (issue 11's ``unseen[openvino]`` lever)? Speed and boxes.

unseen does not depend on OpenVINO; this runs in a separate venv that has it:

    python3.11 -m venv /tmp/ov && /tmp/ov/bin/pip install openvino onnxruntime numpy pillow
    /tmp/ov/bin/python bench/openvino_probe.py [--write-md]

For each model unseen runs on the CPU (CenterFace, the int8 RetinaFace, the PP-OCRv6 text detector;
the same files from ``src/unseen/detect/models``): single-threaded latency on one input size
(unseen runs one pass per core on its own pool), median of 7, for onnxruntime with unseen's own
session settings and OpenVINO at f32 and, where the CPU has AVX512-BF16 or AMX, at bf16. Then the
boxes: each engine replaces unseen's session inside unseen's own detector code (decoding, NMS,
tiling unchanged) on 30 crowd photos that are not the benchmark, and every box onnxruntime finds
is looked for among OpenVINO's (IoU >= 0.5). "The same boxes" is the issue's condition.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, machine  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
from unseen.detect import centerface, retinaface, text  # noqa: E402
from unseen.detect.ensemble import Detector  # noqa: E402
from unseen.detect.onnx_session import make_session  # noqa: E402
from unseen.regions import box_iou  # noqa: E402

MODELS = REPO / "src" / "unseen" / "detect" / "models"
SHARED = REPO.parent / "shared" / "data"
PHOTOS = ("ultralight_face_linzaer/imgs", "dbface_dlunion", "deface_orbhd")
# name -> (module whose _session() unseen calls, file, input shape for timing: a 1024x704 photo,
# RetinaFace at the 2x of its small-face pass)
CASES = {
    "CenterFace 1x": (centerface, "centerface.onnx", (1, 3, 704, 1024)),
    "RetinaFace int8 2x": (retinaface, "retinaface-mobilenet0.25-int8.onnx", (1, 3, 1408, 2048)),
    "PP-OCRv6 text detector": (text, "PP-OCRv6_det_small.onnx", (1, 3, 704, 1024)),
}
NOT_TAKEN = (
    "Not taken. At f32 OpenVINO is no faster than onnxruntime on this CPU, and on the int8 RetinaFace it "
    "computes other integer sums (boxes differ). bf16 is faster where the CPU has AVX512-BF16 or AMX (this "
    "EPYC does; most laptops do not), but it changes which boxes are found, so the same file would get "
    "other masks on another machine, and recall was measured with onnxruntime's float results. The "
    "`openvino` wheel also requires `openvino-telemetry` (used by its model converter), a package a tool "
    "that promises no network should not install. `unseen[openvino]` is therefore not offered.")
HEADING = "## OpenVINO: measured, not taken (bench/openvino_probe.py)"


class OVSession:
    """Enough of onnxruntime's InferenceSession for unseen's detectors, backed by OpenVINO."""

    def __init__(self, core, path: Path, precision: str):
        self.model = core.compile_model(core.read_model(str(path)), "CPU",
                                        {"INFERENCE_NUM_THREADS": "1", "INFERENCE_PRECISION_HINT": precision})
        self._name = self.model.inputs[0].any_name

    def get_inputs(self):
        return [type("Input", (), {"name": self._name})()]

    def run(self, names, feed):
        out = self.model(next(iter(feed.values())))
        if names is None:
            return [out[o] for o in self.model.outputs]
        return [out[self.model.output(n)] for n in names]


def latency(run, x: np.ndarray, n: int = 7) -> float:
    run(x)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        run(x)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def detections(rgb: np.ndarray) -> list[np.ndarray]:
    """unseen's face passes (as in the photo ensemble) and the text detector's quads as boxes."""
    cf = Detector.run_pass(rgb, centerface.CenterFace(), 1.0, 0.1).boxes
    rf = Detector.run_pass(rgb, retinaface.RetinaFace(), 2.0, 0.15).boxes
    q, _ = text.find(rgb)
    tx = np.concatenate([q.min(1), q.max(1)], axis=1) if len(q) else np.zeros((0, 4), np.float32)
    return [cf, rf, tx]


def lost(base: list[list[np.ndarray]], got: list[list[np.ndarray]], k: int) -> tuple[int, int]:
    total = missing = 0
    for a, b in zip(base, got, strict=True):
        total += len(a[k])
        if len(a[k]) and len(b[k]):
            missing += int((box_iou(a[k], b[k]).max(1) < 0.5).sum())
        else:
            missing += len(a[k])
    return total, missing


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    import openvino as ov

    core = ov.Core()
    caps = core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    precisions = ["f32"] + (["bf16"] if "BF16" in caps else [])
    prov = (f"Command: `{command_line()}` (OpenVINO {ov.get_version().split('-')[0]}, in its own venv)  \n"
            f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {machine()}; "
            f"OpenVINO CPU capabilities: {', '.join(caps)}.")
    rows = []
    for label, (_, fname, shape) in CASES.items():
        x = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
        sess = make_session((MODELS / fname).read_bytes())
        name = sess.get_inputs()[0].name
        t_ort = latency(lambda a, s=sess, n=name: s.run(None, {n: a}), x)
        row = [label, t_ort]
        for prec in precisions:
            ovs = OVSession(core, MODELS / fname, prec)
            row.append(latency(lambda a, s=ovs: s.run(None, {"x": a}), x))
        rows.append(row)
        print(*row, flush=True)
    paths = sorted({q for d in PHOTOS for e in ("jpg", "png") for q in (SHARED / d).rglob(f"*.{e}")})[:30]
    photos = [np.asarray(ImageOps.exif_transpose(Image.open(q)).convert("RGB")) for q in paths]
    base = [detections(rgb) for rgb in photos]
    agree = {}
    for prec in precisions:
        for mod, fname, _ in CASES.values():
            s = OVSession(core, MODELS / fname, prec)
            mod._session = lambda s=s: s
        got = [detections(rgb) for rgb in photos]
        agree[prec] = [lost(base, got, k) for k in range(3)]
        print(prec, agree[prec], flush=True)
    head = ("| model (one thread) | onnxruntime ms | "
            + " | ".join(f"OpenVINO {p} ms | ratio" for p in precisions) + " |")
    lines = [prov, "", head, "|---|---:|" + "---:|---:|" * len(precisions)]
    for label, t_ort, *t_ov in rows:
        lines.append(f"| {label} | {1000 * t_ort:.0f} | "
                     + " | ".join(f"{1000 * t:.0f} | {t / t_ort:.2f}x" for t in t_ov) + " |")
    lines += ["", f"Boxes on {len(photos)} crowd photos outside the benchmark (unseen's detector code, the engine "
              "swapped underneath): onnxruntime's boxes with no OpenVINO box at IoU >= 0.5.", "",
              "| engine | " + " | ".join(CASES) + " |", "|---|" + "---:|" * len(CASES)]
    for prec, res in agree.items():
        lines.append(f"| OpenVINO {prec} | " + " | ".join(f"{m} of {t}" for t, m in res) + " |")
    lines += ["", NOT_TAKEN]
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
