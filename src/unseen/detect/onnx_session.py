"""Shared onnxruntime session set-up: one place that decides threads, memory and the device.

CPU is the default on purpose: the tool must find the same faces on every laptop, and a GPU's float
arithmetic can move a score across the threshold. ``--device cuda`` (or ``auto``) is for archives
on machines with an NVIDIA GPU and ``unseen[gpu]`` installed. The device is chosen once per process,
before any model loads; sessions are kept per (model, device).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from ..errors import UnseenError
from ..onnxrt import ort
from .weights import cpu_optimized

DEVICES = ("cpu", "cuda", "auto")
_CUDA = "CUDAExecutionProvider"
# Only these two ever: onnxruntime wheels also carry an Azure provider, which runs models remotely.
_PROVIDERS = {"cpu": ["CPUExecutionProvider"], "cuda": [_CUDA, "CPUExecutionProvider"]}

_device = "cpu"
_sessions: dict[tuple[str, str], ort.InferenceSession] = {}
_lock = threading.Lock()  # guards _model_locks
_model_locks: dict[tuple[str, str], threading.Lock] = {}


def make_session(model: bytes, device: str = "cpu") -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Single-threaded sessions: the detector runs tiles and passes on a pool of one thread per
    # core instead (detect/ensemble.py). Measured here: ORT's own two threads cost ~40% more CPU
    # for the same pass (spin-waiting), which a loaded laptop pays in wall time.
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # Memory patterns plan one arena block per input shape; with tiles and frames of many sizes
    # they pile up. Off: peak RSS of a 1080p CenterFace pass 804 -> 517 MB at the same CPU (a
    # one-off measurement when this was set; docs/BENCHMARKS.md "Video: memory" has the levers since).
    opts.enable_mem_pattern = False
    if device == "cpu":
        # One arena for every model instead of one each: an arena keeps what it grew to, so three
        # models (CenterFace, RetinaFace, the text detector) used to hold three peaks at once. Shared,
        # a 24 MP photo peaks at 1187 MiB instead of 1508 and a 1080p clip at 1017 instead of 1229,
        # at the same CPU (docs/BENCHMARKS.md, "Video: memory" and "Big photos").
        _shared_arena()
        opts.add_session_config_entry("session.use_env_allocators", "1")
    sess = ort.InferenceSession(model, sess_options=opts, providers=_PROVIDERS[device])
    if device == "cuda" and sess.get_providers()[0] != _CUDA:
        # onnxruntime falls back to CPU quietly when CUDA cannot start; a user who asked for the
        # GPU is told instead (resolve_device turns this into a note for --device auto).
        raise UnseenError("--device cuda: the CUDA provider did not start (NVIDIA driver, CUDA or cuDNN missing)")
    return sess


_arena_ready = False
_arena_lock = threading.Lock()
# The shared arena's settings (onnxruntime's OrtArenaCfg keys; max_mem 0 = no cap, extend strategy
# 0 = next power of two: the default). Measured no lower on a 1080p clip: growing by what is asked
# ("same as requested"), and powers of two capped at 32 or 64 MiB (max_power_of_two_extend_bytes).
ARENA_CFG: dict[str, int] = {"max_mem": 0, "arena_extend_strategy": 0}


def _shared_arena() -> None:
    """Register onnxruntime's process-wide CPU arena once (sessions opt in with use_env_allocators)."""
    global _arena_ready
    with _arena_lock:
        if _arena_ready:
            return
        ort.create_and_register_allocator(
            ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT),
            ort.OrtArenaCfg(ARENA_CFG))
        _arena_ready = True


def release_arena() -> bool:
    """Hand the shared arena's free blocks back (onnxruntime's arena keeps what it grew to until a run asks
    it to shrink): a tiny run of a cached model with ``memory.enable_memory_arena_shrinkage``. For a phase
    that runs no model: the writing of a video of frames larger than 4K DCI, after its analysis, held
    175 MiB of an 8K clip's arena for nothing (docs/BENCHMARKS.md, "Video: 8K memory"). Shrinking after
    every run instead made the arena grow again by doubling, 1.9 -> 3.1 GB at 8K (measured, not taken).
    True when a run shrank it."""
    if not _arena_ready:
        return False
    options = ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    tiny = np.zeros((1, 3, 32, 32), np.float32)
    for (_, device), sess in list(_sessions.items()):
        first = sess.get_inputs()[0]
        if device != "cpu" or len(first.shape) != 4 or first.type != "tensor(float)":
            continue
        try:
            sess.run(None, {first.name: tiny}, options)
        except Exception:  # noqa: BLE001 - a model that takes no 32 x 32 picture: the next one
            continue
        return True
    return False


def resolve_device(requested: str, probe_model: Callable[[], bytes]) -> tuple[str, str | None]:
    """``cpu``, ``cuda`` or ``auto`` -> the device to use and a note to print (or None).

    ``cuda`` that cannot run raises UnseenError (the user asked for it); ``auto`` falls back to the
    CPU with a note. The probe loads ``probe_model`` on the GPU once, because onnxruntime lists the
    CUDA provider whenever onnxruntime-gpu is installed, driver or not.
    """
    if requested not in DEVICES:
        raise UnseenError(f"--device takes one of {', '.join(DEVICES)} (got {requested!r})")
    if requested == "cpu":
        return "cpu", None
    try:
        if _CUDA not in ort.get_available_providers():
            # unseen[gpu] beside the CPU wheel leaves the CPU one loaded (both are the module onnxruntime)
            raise UnseenError("--device cuda: the onnxruntime loaded has no CUDA provider; on a machine with an "
                              "NVIDIA GPU: pip install 'unseen[gpu]', pip uninstall -y onnxruntime, then pip "
                              "install --force-reinstall --no-deps onnxruntime-gpu (README, GPU)")
        make_session(probe_model(), "cuda")
    except UnseenError as exc:
        if requested == "cuda":
            raise
        reason = str(exc).removeprefix("--device cuda: ")
        return "cpu", f"note: --device auto: no usable GPU, running on the CPU ({reason})"
    return "cuda", None


def use_device(device: str) -> None:
    """Make later ``session()`` calls use ``device`` (``cpu`` or ``cuda``, already resolved)."""
    global _device
    if device not in _PROVIDERS:
        raise UnseenError(f"unknown device {device!r}: resolve 'auto' with resolve_device first")
    _device = device


def current_device() -> str:
    """The device sessions are made for now (``cpu`` or ``cuda``)."""
    return _device


def session(name: str, load: Callable[[], bytes]) -> ort.InferenceSession:
    """The process's session for model ``name`` on the current device (made on first use).

    One lock per model: the detector's pool threads may ask for the same model at once (one makes
    it, the other waits), while two different models are made side by side (onnxruntime releases
    the GIL while it optimises a graph): ~25 ms less start-up for the first photo's two passes.
    """
    key = (name, _device)
    sess = _sessions.get(key)
    if sess is not None:
        return sess
    with _lock:
        lock = _model_locks.setdefault(key, threading.Lock())
    with lock:
        sess = _sessions.get(key)
        if sess is None:
            sess = _sessions[key] = _make(name, load)
    return sess


def _make(name: str, load: Callable[[], bytes]) -> ort.InferenceSession:
    """On the CPU, from the model's CPU-optimised copy when it ships one (``weights.CPU_OPTIMIZED``:
    15-35 ms of set-up instead of 75-120 ms for each int8 face model, the same outputs); otherwise, or when this
    onnxruntime cannot read that copy, from the model itself."""
    if _device == "cpu" and (ready := cpu_optimized(name)) is not None:
        try:
            return make_session(ready, "cpu")
        except Exception:  # noqa: BLE001 - an onnxruntime too old for its operators: the source model
            pass
    return make_session(load(), _device)


def pad_to_multiple(rgb, multiple: int = 32):
    """Zero-pad bottom/right so both sides divide by ``multiple`` (no resampling, no distortion)."""
    import numpy as np

    h, w = rgb.shape[:2]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph == 0 and pw == 0:
        return rgb
    return np.pad(rgb, ((0, ph), (0, pw), (0, 0)))
