"""Shared onnxruntime session set-up: CPU only, all cores, quiet."""

from __future__ import annotations

import onnxruntime as ort


def make_session(model: bytes) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Single-threaded sessions: the detector runs tiles and passes on a pool of one thread per
    # core instead (detect/ensemble.py). Measured here: ORT's own two threads cost ~40% more CPU
    # for the same pass (spin-waiting), which a loaded laptop pays in wall time.
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # Memory patterns plan one arena block per input shape; with tiles and frames of many sizes
    # they pile up. Off: peak RSS of a 1080p CenterFace pass 804 -> 517 MB at the same CPU
    # (docs/BENCHMARKS.md, "Detection core").
    opts.enable_mem_pattern = False
    # CPU only: the tool must behave the same on every laptop, and no provider may phone home.
    return ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


def pad_to_multiple(rgb, multiple: int = 32):
    """Zero-pad bottom/right so both sides divide by ``multiple`` (no resampling, no distortion)."""
    import numpy as np

    h, w = rgb.shape[:2]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph == 0 and pw == 0:
        return rgb
    return np.pad(rgb, ((0, ph), (0, pw), (0, 0)))
