"""The CPU-optimised copies of the int8 face models (``weights.CPU_OPTIMIZED``, made by
tools/make_cpu_optimized.py) compute what their source models compute, on a real photo, and are the
ones unseen's CPU sessions load."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FIXTURES
from PIL import Image

from unseen.detect import onnx_session, weights

PHOTO = FIXTURES / "2008_007676.jpg"  # 500 x 334, six faces, public domain (dlib's examples)


def _input(sess) -> dict[str, np.ndarray]:
    """The photo as the network's input (padded to 32 px, channels first), whatever it calls it."""
    rgb = onnx_session.pad_to_multiple(np.asarray(Image.open(PHOTO).convert("RGB")))
    x = rgb.transpose(2, 0, 1)[None].astype(np.float32) - 110.0
    return {sess.get_inputs()[0].name: x}


@pytest.mark.parametrize("name", sorted(weights.CPU_OPTIMIZED))
def test_optimised_copy_computes_the_same_outputs(name):
    source = getattr(weights, weights.CPU_OPTIMIZED[name][0])()
    ref = onnx_session.make_session(source)
    fast = onnx_session.make_session(weights.cpu_optimized(name))
    x = _input(ref)
    outs_ref, outs_fast = ref.run(None, x), fast.run(None, x)
    assert [o.shape for o in outs_ref] == [o.shape for o in outs_fast]
    for a, b in zip(outs_ref, outs_fast, strict=True):
        assert np.allclose(a, b, rtol=1e-3, atol=1e-3), float(np.abs(a - b).max())


def test_cpu_sessions_load_the_optimised_copy(monkeypatch):
    """The session is made from the shipped copy, and from the source model when it cannot be read."""
    made: list[bytes] = []
    real = onnx_session.make_session
    monkeypatch.setattr(onnx_session, "_sessions", {})

    def recorded(model, device="cpu"):
        made.append(model)
        return real(model, device)

    monkeypatch.setattr(onnx_session, "make_session", recorded)
    onnx_session.session("retinaface-int8", weights.retinaface_int8_onnx)
    assert made == [weights.cpu_optimized("retinaface-int8")]

    def unreadable(model, device="cpu"):
        made.append(model)
        if model == weights.cpu_optimized("centerface-int8"):
            raise RuntimeError("[ONNXRuntimeError] : 1 : FAIL : unknown operator")
        return real(model, device)

    made.clear()
    monkeypatch.setattr(onnx_session, "make_session", unreadable)
    sess = onnx_session.session("centerface-int8", weights.centerface_int8_onnx)
    assert made == [weights.cpu_optimized("centerface-int8"), weights.centerface_int8_onnx()]
    assert sess.get_inputs()[0].name
