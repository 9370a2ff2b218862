"""--device: the GPU path falls back to the CPU (auto) or fails in one line (cuda) on a machine without one.

This machine has no GPU and the CPU build of onnxruntime, so both of onnxruntime's ways of not having
CUDA are exercised for real: the provider missing from the build, and (by making onnxruntime list it)
the provider listed but unable to start, where onnxruntime itself falls back to the CPU in silence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

from unseen.cli import main
from unseen.detect import onnx_session
from unseen.detect.weights import retinaface_onnx
from unseen.errors import UnseenError

pytestmark = pytest.mark.skipif("CUDAExecutionProvider" in ort.get_available_providers(),
                                reason="this machine has a CUDA provider: the fallback cannot be shown here")


@pytest.fixture
def cuda_listed(monkeypatch):
    """onnxruntime lists CUDA (as onnxruntime-gpu does on a machine without a driver) but cannot run it."""
    real = ort.get_available_providers()
    monkeypatch.setattr(ort, "get_available_providers", lambda: ["CUDAExecutionProvider", *real])


def test_auto_falls_back_to_cpu_with_one_note(group: Path, capsys):
    assert main([str(group), "--device", "auto", "-o", str(group.parent / "auto"), "--cover", "faces"]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "--device auto" in line]
    assert len(notes) == 1 and "running on the CPU" in notes[0] and "unseen[gpu]" in notes[0]
    # the CPU result is the default's result: same boxes, same pixels
    assert main([str(group), "-o", str(group.parent / "cpu"), "--cover", "faces", "-q"]) == 0
    a = np.asarray(Image.open(group.parent / "auto" / "group.jpg"))
    b = np.asarray(Image.open(group.parent / "cpu" / "group.jpg"))
    assert np.array_equal(a, b)


def test_cuda_without_gpu_fails_closed_in_one_line(group: Path, capsys):
    out = group.parent / "out"
    assert main([str(group), "--device", "cuda", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--device cuda" in err[0] and "Traceback" not in err[0]
    # unseen[gpu] installed beside the CPU wheel leaves the CPU one loaded: the line says how to swap
    # them (it said to install unseen[gpu], to a user who had: a hunt, 2026-12-05)
    assert "pip uninstall -y onnxruntime" in err[0]
    assert not out.exists() or not any(out.iterdir())


def test_cpu_default_prints_no_note(group: Path, capsys):
    assert main([str(group), "-o", str(group.parent / "out")]) == 0
    assert "--device" not in capsys.readouterr().err


def test_provider_listed_but_not_starting_is_caught(cuda_listed):
    # onnxruntime, given CUDA it cannot start, builds a CPU session and only warns: unseen notices.
    with pytest.warns(UserWarning):
        device, note = onnx_session.resolve_device("auto", retinaface_onnx)
    assert device == "cpu" and "did not start" in note
    with pytest.warns(UserWarning), pytest.raises(UnseenError, match="did not start"):
        onnx_session.resolve_device("cuda", retinaface_onnx)


def test_sessions_never_run_on_cpu_when_cuda_was_asked(cuda_listed):
    onnx_session.use_device("cuda")
    try:
        with pytest.warns(UserWarning), pytest.raises(UnseenError, match="did not start"):
            onnx_session.session("retinaface", retinaface_onnx)
    finally:
        onnx_session.use_device("cpu")


def test_unknown_device_is_refused():
    with pytest.raises(UnseenError, match="--device takes one of"):
        onnx_session.resolve_device("tpu", retinaface_onnx)


def test_cpu_runs_the_int8_retinaface_and_cuda_asks_for_the_float_one(group: Path, cuda_listed):
    from unseen.detect import retinaface

    assert main([str(group), "-o", str(group.parent / "out"), "-q"]) == 0
    assert ("retinaface-int8", "cpu") in onnx_session._sessions
    assert ("retinaface", "cpu") not in onnx_session._sessions
    onnx_session.use_device("cuda")
    try:
        with pytest.warns(UserWarning), pytest.raises(UnseenError, match="did not start"):
            retinaface._session()  # the float model, asked of CUDA (which cannot start here)
        assert ("retinaface-int8", "cuda") not in onnx_session._sessions
    finally:
        onnx_session.use_device("cpu")


def test_video_2x_pass_asks_cuda_for_the_float_model_not_the_folded_int8(cuda_listed, monkeypatch):
    """The folded 2x file is an int8 CPU file: on a GPU video's 2x pass enlarges and runs the float model."""
    import numpy as np

    from unseen.detect import retinaface

    rgb = np.zeros((64, 96, 3), np.uint8)
    folded = retinaface._session_x2

    def no_fold_on_cuda():
        assert onnx_session.current_device() == "cpu", "the folded int8 file was asked of CUDA"
        return folded()

    monkeypatch.setattr(retinaface, "_session_x2", no_fold_on_cuda)
    onnx_session.use_device("cuda")
    try:
        with pytest.warns(UserWarning), pytest.raises(UnseenError, match="did not start"):
            retinaface.RetinaFace(fold_2x=True)(rgb, 0.5, upscale=2.0)  # the float model, asked of CUDA
    finally:
        onnx_session.use_device("cpu")
    assert len(retinaface.RetinaFace(fold_2x=True)(rgb, 0.5, upscale=2.0)) == 0  # the CPU runs the folded file
    assert ("retinaface-int8-x2", "cpu") in onnx_session._sessions
