"""No network, ever.

The whole suite runs with sockets blocked by pytest-socket (pyproject: ``--disable-socket``, only
loopback allowed, for the review page's tests). pytest-socket only guards this process, so the
command line is also run in child processes in which every network call fails loudly and is
recorded: a photo, a folder, a video when video support is present, and ``unseen inspect``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
from conftest import FIXTURES

GUARD = r'''
import os, socket, sys

LOG = os.environ["UNSEEN_NET_LOG"]


def _record(what):
    with open(LOG, "a") as fh:
        fh.write(what + "\n")
    raise OSError("network use blocked by test_no_network: " + what)


_real_socket = socket.socket


class GuardedSocket(_real_socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if family in (socket.AF_INET, socket.AF_INET6):
            _record(f"socket({family})")
        super().__init__(family, type, proto, fileno)


socket.socket = GuardedSocket
socket.getaddrinfo = lambda *a, **k: _record(f"getaddrinfo{a[:2]}")
socket.create_connection = lambda *a, **k: _record(f"create_connection{a[:1]}")

from unseen.cli import main

sys.exit(main(sys.argv[1:]))
'''


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_sockets_are_blocked_in_this_suite():
    pytest.importorskip("pytest_socket")
    with pytest.raises(Exception) as info:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("192.0.2.1", 80))
    assert "Socket" in type(info.value).__name__ or "blocked" in str(info.value).lower()


def _run_guarded(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess:
    guard = tmp_path / "guarded_unseen.py"
    guard.write_text(GUARD)
    log = tmp_path / "network.log"
    env = dict(os.environ, UNSEEN_NET_LOG=str(log))
    proc = subprocess.run([sys.executable, str(guard), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert not log.exists(), f"network use: {log.read_text()}"
    return proc


def test_photo_and_folder_without_network(tmp_path):
    photos = tmp_path / "in"
    photos.mkdir()
    (photos / "a.jpg").write_bytes((FIXTURES / "2008_002470.jpg").read_bytes())
    (photos / "b.jpg").write_bytes((FIXTURES / "hopper" / "hopper.jpg").read_bytes())
    proc = _run_guarded(tmp_path, photos, "-o", tmp_path / "out", "-q")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.jpg", "b.jpg"]
    proc = _run_guarded(tmp_path, "inspect", photos / "a.jpg")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(find_spec("unseen.engine.video") is None, reason="video support not in this tree yet")
def test_video_without_network(tmp_path):
    av = pytest.importorskip("av")
    import numpy as np

    clip = tmp_path / "clip.mp4"
    with av.open(str(clip), "w") as box:
        stream = box.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 40, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)
    proc = _run_guarded(tmp_path, clip, "-o", tmp_path / "out", "-q")
    assert proc.returncode == 0, proc.stderr
    proc = _run_guarded(tmp_path, "inspect", "--no-faces", clip)
    assert proc.returncode == 0, proc.stderr


def test_onnxruntime_telemetry_is_off(tmp_path):
    """onnxruntime >= 1.29 sends usage telemetry from Linux in C++ (invisible to the Python guards
    above) and writes a persistent device identifier under ~/.cache/Microsoft. unseen switches it off
    itself: the child gets a fresh home and no ORT_DISABLE_TELEMETRY of ours, runs every detector
    (faces, plates and text) and the speech model, and must leave that home empty."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME")}
    env["HOME"] = str(home)
    photo = tmp_path / "a.jpg"
    photo.write_bytes((FIXTURES / "2008_002470.jpg").read_bytes())
    code = ("import sys, time\nfrom unseen.cli import main\nrc = main(sys.argv[1:])\n"
            "from unseen.audio import speech\nspeech.session()\n"
            "time.sleep(1)\nsys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, str(photo), "-o", str(tmp_path / "out"), "-q",
                           "--cover", "faces,plates,text"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert left == [], f"onnxruntime wrote {left} (telemetry on)"
