"""onnxruntime levers issue 11 lists that no run had written down: the graph optimisation level, IO binding,
and batching tiles of one size; and one session option it does not list, flushing denormals to zero.

    python bench/ort_levers.py [--repeat 9] [--write-md]

Each case runs unseen's own sessions (``detect.*._session``: the same files and session settings a run
uses) on real inputs: a WIDER FACE photo (1024 px, the size of the benchmark's photos) fed as unseen
feeds each model, and a 1080p frame of the facenet clip cut as video cuts it (CenterFace in three
768 x 1080 strips, the text detector in two 1280 x 416 strips of the frame fitted to 1280 px).

* **Graph optimisation level**: a session per level on each model's shipped file (the int8 ones before
  their CPU-optimised copy, which is the same graph at the extended level), unseen's own settings
  otherwise; unseen runs ``all``, which adds the CPU layout transformations (NCHWc blocked convolutions).
  At ``basic`` an int8 file runs its quantise/dequantise pairs around float kernels instead of int8
  ones, so its outputs differ (the difference column); the float files agree to rounding.
* **IO binding**: the input bound once as an OrtValue and the outputs bound to arrays allocated once,
  against ``session.run`` with a numpy feed (what unseen does). On the CPU, onnxruntime already reads a
  numpy input in place; binding can only save the output allocations and the feed's checks.
* **Batching tiles of one size**: the strips of one frame in one run of batch N, against N runs of
  batch 1, on one thread (unseen's sessions are single-threaded: its pool runs tiles side by side, one
  per core), so the CPU is comparable. The batched run also gives up running strips on two cores at
  once, which the wall column of the pool shows.
* **Denormals as zero** (``session.set_denormal_as_zero``): the session's threads flush denormal floats
  to zero, which is faster when a network's float layers produce them (a layer's tiny activations,
  a sigmoid's tail). Each model at unseen's settings with and without it, on the same inputs as the
  level rows; the outputs change only where a denormal was. Caveat found on 2026-12-03: onnxruntime
  applies this option once per process, from the first session made, to the thread that made it
  (later sessions' setting is ignored), so these rows compare two identical runs. Where denormals did
  cost (the text detector's weights on an Intel Xeon, ~3x), unseen zeroes them in the model instead
  (tools/flush_denormals.py; docs/BENCHMARKS.md, "Plates and text: the text models' denormal weights").

Timings are thread CPU (``time.thread_time``) of the run alone, medians of ``--repeat`` interleaved
rounds; outputs are compared with the plain run's (max absolute difference).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, machine  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
from unseen import raster  # noqa: E402
from unseen.detect import centerface, retinaface, text  # noqa: E402
from unseen.detect.tiling import split  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
PHOTO = SHARED / "widerface" / "images" / "0--Parade" / "0_Parade_marchingband_1_465.jpg"
CLIP = SHARED / "facenet_pytorch_timesler" / "examples" / "video.mp4"
RATIOS: dict[str, list[float]] = {"level": [], "io": [], "batch": [], "batch_wall": [], "daz": []}
HEADING = "## onnxruntime: graph level, IO binding and batched tiles (bench/ort_levers.py)"


def photo() -> np.ndarray:
    p = PHOTO if PHOTO.exists() else sorted((SHARED / "widerface" / "images").rglob("*.jpg"))[0]
    with Image.open(p) as im:
        return np.asarray(im.convert("RGB"))


def frame() -> np.ndarray:
    import av

    with av.open(str(CLIP)) as c:
        for f in c.decode(video=0):
            return f.to_ndarray(format="rgb24")
    raise SystemExit(f"no frame in {CLIP}")


def cf_input(rgb: np.ndarray) -> np.ndarray:
    return centerface.network_input(rgb)


def rf_input(rgb: np.ndarray) -> np.ndarray:
    """RetinaFace's input as its folded 2x pass makes it (the tile as it is)."""
    h, w = rgb.shape[:2]
    return retinaface._network_input(rgb, (w, h))


def text_input(rgb: np.ndarray) -> np.ndarray:
    return text.network_input(rgb)


class Bound:
    """One session with its input and outputs bound once (IO binding)."""

    def __init__(self, sess, x: np.ndarray):
        self.sess = sess
        self.io = sess.io_binding()
        ref = sess.run(None, {sess.get_inputs()[0].name: x})
        self.outs = [np.empty_like(r) for r in ref]
        self.x = x
        self.io.bind_cpu_input(sess.get_inputs()[0].name, x)
        for o, a in zip(sess.get_outputs(), self.outs, strict=True):
            self.io.bind_output(o.name, "cpu", 0, a.dtype, list(a.shape), a.ctypes.data)

    def __call__(self) -> list[np.ndarray]:
        self.sess.run_with_iobinding(self.io)
        return self.outs


def cpu_of(fn) -> float:
    t = time.thread_time()
    fn()
    return time.thread_time() - t


def wall_of(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def max_diff(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))


LEVELS = {"basic": "ORT_ENABLE_BASIC", "extended": "ORT_ENABLE_EXTENDED", "all (unseen)": "ORT_ENABLE_ALL"}


def model_cases() -> list[tuple[str, object, np.ndarray]]:
    """(label, model loader, input) for each model on the input unseen feeds it."""
    from unseen.detect import weights

    rgb = photo()
    return [
        ("CenterFace int8 (photos), 1024 px photo", weights.centerface_int8_onnx, cf_input(rgb)),
        ("RetinaFace int8, folded 2x, 1024 px photo", weights.retinaface_int8_x2_onnx, rf_input(rgb)),
        ("PP-OCRv6 text detector, 1024 px photo", weights.text_det_onnx, text_input(rgb)),
        ("CenterFace float (video), 768 x 1080 strip", weights.centerface_onnx,
         cf_input(np.ascontiguousarray(frame()[:, :768]))),
    ]


def plain_session(model: bytes, level: str = "ORT_ENABLE_ALL", config: dict[str, str] | None = None):
    """A session with unseen's settings (one thread, no memory patterns) at ``level``, plus ``config``."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.enable_mem_pattern = False
    opts.log_severity_level = 3
    for key, value in (config or {}).items():
        opts.add_session_config_entry(key, value)
    return ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


def level_rows(repeat: int) -> list[str]:
    rows = []
    for label, load, x in model_cases():
        sessions = {name: plain_session(load(), level) for name, level in LEVELS.items()}
        inp = next(iter(sessions.values())).get_inputs()[0].name
        ref = sessions["all (unseen)"].run(None, {inp: x})
        diff = max(max_diff(s.run(None, {inp: x}), ref) for s in sessions.values())
        t: dict[str, list[float]] = {k: [] for k in sessions}
        for _ in range(repeat):
            for k, s in sessions.items():
                t[k].append(cpu_of(lambda s=s, n=inp, a=x: s.run(None, {n: a})))
        med = {k: statistics.median(v) * 1000 for k, v in t.items()}
        RATIOS["level"].append(med["all (unseen)"] / min(med["basic"], med["extended"]))
        rows.append(f"| {label} | " + " | ".join(f"{med[k]:.0f}" for k in LEVELS) + f" | {diff:.1e} |")
        print(rows[-1], flush=True)
    return rows


def denormal_rows(repeat: int) -> list[str]:
    rows = []
    for label, load, x in model_cases():
        plain = plain_session(load())
        flushed = plain_session(load(), config={"session.set_denormal_as_zero": "1"})
        inp = plain.get_inputs()[0].name
        diff = max_diff(flushed.run(None, {inp: x}), plain.run(None, {inp: x}))
        a, b = [], []
        for _ in range(repeat):
            a.append(cpu_of(lambda s=plain, n=inp, v=x: s.run(None, {n: v})))
            b.append(cpu_of(lambda s=flushed, n=inp, v=x: s.run(None, {n: v})))
        ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
        RATIOS["daz"].append(mb / ma)
        rows.append(f"| {label} | {ma:.0f} | {mb:.0f} | {mb / ma:.3f} | {diff:.1e} |")
        print(rows[-1], flush=True)
    return rows


def io_binding_rows(repeat: int) -> list[str]:
    rgb = photo()
    cases = [
        ("CenterFace int8 (photos), 1024 px photo", centerface._session(True), cf_input(rgb)),
        ("RetinaFace int8, folded 2x (photos' small-face pass), 1024 px photo", retinaface._session_x2(),
         rf_input(rgb)),
        ("PP-OCRv6 text detector, 1024 px photo", text._session(), text_input(rgb)),
        ("CenterFace float (video), 768 x 1080 strip", centerface._session(False),
         cf_input(np.ascontiguousarray(frame()[:, :768]))),
    ]
    rows = []
    for label, sess, x in cases:
        name = sess.get_inputs()[0].name
        plain = lambda s=sess, n=name, a=x: s.run(None, {n: a})  # noqa: E731
        bound = Bound(sess, x)
        diff = max_diff(plain(), [o.copy() for o in bound()])
        a, b = [], []
        for _ in range(repeat):
            a.append(cpu_of(plain))
            b.append(cpu_of(bound))
        ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
        rows.append(f"| {label} | {ma:.0f} | {mb:.0f} | {mb / ma:.3f} | {diff:.1e} |")
        RATIOS["io"].append(mb / ma)
        print(rows[-1], flush=True)
    return rows


def strips_of(rgb: np.ndarray, n: int, overlap: int, axis: int) -> list[np.ndarray]:
    length = rgb.shape[axis]
    parts = split(length, n, overlap)
    if axis == 1:
        return [np.ascontiguousarray(rgb[:, s : s + k]) for s, k in parts]
    return [np.ascontiguousarray(rgb[s : s + k]) for s, k in parts]


def batching_rows(repeat: int) -> list[str]:
    f = frame()
    fitted, _ = raster.fit(f, 1280)
    cases = [
        ("CenterFace float, 1080p frame in 3 strips of 768 x 1080 (video, faces only)", centerface._session(False),
         [cf_input(s) for s in strips_of(f, 3, 192, 1)]),
        ("PP-OCRv6 text detector, 1280 x 720 fitted frame in 2 strips of 1280 x 416 (video's plate pass)",
         text._session(), [text_input(s) for s in strips_of(fitted, 2, 112, 0)]),
    ]
    rows = []
    pool = ThreadPoolExecutor(2)
    for label, sess, xs in cases:
        if len({x.shape for x in xs}) != 1:
            raise SystemExit(f"{label}: strips of different shapes {[x.shape for x in xs]}")
        name = sess.get_inputs()[0].name
        batch = np.concatenate(xs)
        one = lambda s=sess, n=name, xs=xs: [s.run(None, {n: x}) for x in xs]  # noqa: E731
        many = lambda s=sess, n=name, b=batch: s.run(None, {n: b})  # noqa: E731
        singles = one()
        batched = many()
        diff = max(max_diff([o[k : k + 1] for o in batched], singles[k]) for k in range(len(xs)))

        def two_cores(s=sess, n=name, xs=xs):
            list(pool.map(lambda tile: s.run(None, {n: tile}), xs))

        a, b, wa, wb = [], [], [], []
        for _ in range(repeat):
            a.append(cpu_of(one))
            b.append(cpu_of(many))
            wa.append(wall_of(two_cores))
            wb.append(wall_of(many))
        ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
        wma, wmb = statistics.median(wa) * 1000, statistics.median(wb) * 1000
        rows.append(f"| {label} | {ma:.0f} | {mb:.0f} | {mb / ma:.3f} | {wma:.0f} | {wmb:.0f} | {diff:.1e} |")
        RATIOS["batch"].append(mb / ma)
        RATIOS["batch_wall"].append(wmb / wma)
        print(rows[-1], flush=True)
    pool.shutdown()
    return rows


def verdict() -> str:
    """The conclusion, from this run's numbers: a lever ships only if it saves CPU (same outputs)."""
    io, b, bw, daz = RATIOS["io"], RATIOS["batch"], RATIOS["batch_wall"], RATIOS["daz"]
    lv = RATIOS["level"]
    pays = min(io) < 0.97 or min(b) < 0.97 or max(lv) > 1.03 or min(daz) < 0.97
    return (f"{'Worth a closer look' if pays else 'Not taken'}: unseen's level (all) costs "
            f"{min(lv):.2f}-{max(lv):.2f}x the CPU of the better of basic and extended; IO binding costs "
            f"{min(io):.2f}-{max(io):.2f}x the CPU of a plain run (the outputs are the same), batching one "
            f"frame's strips {min(b):.2f}-{max(b):.2f}x, and a batch runs on one core where unseen's pool runs "
            f"the strips on two: {min(bw):.2f}-{max(bw):.2f}x the wall of the pass; flushing denormals to zero "
            f"{min(daz):.2f}-{max(daz):.2f}x. The time is in the convolutions, not in what surrounds a run.")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    if not PHOTO.parent.parent.exists() or not CLIP.exists():
        raise SystemExit(f"needs the shared data: {PHOTO.parent.parent} and {CLIP}")
    prov = (f"Command: `{command_line()}`  \nDate: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"machine: {machine()}; medians of {args.repeat} interleaved rounds, thread CPU of one run.")
    lvl_rows = level_rows(args.repeat)
    io_rows = io_binding_rows(args.repeat)
    batch_rows = batching_rows(args.repeat)
    daz_rows = denormal_rows(args.repeat)
    lines = [prov, "", __doc__.split("\n\n", 2)[2].strip(), "",
             "| model, input | basic ms | extended ms | all ms (unseen) | max output difference |",
             "|---|---:|---:|---:|---:|", *lvl_rows, "",
             "| model, input | run() ms | IO binding ms | ratio | max output difference |",
             "|---|---:|---:|---:|---:|", *io_rows, "",
             "| pass | N runs of batch 1, CPU ms | one run of batch N, CPU ms | ratio | "
             "strips on 2 threads, wall ms | batch on 1 thread, wall ms | max output difference |",
             "|---|---:|---:|---:|---:|---:|---:|", *batch_rows, "",
             "| model, input | plain ms | denormals as zero ms | ratio | max output difference |",
             "|---|---:|---:|---:|---:|", *daz_rows, "", verdict()]
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
