"""A clip long enough to interrupt, and waiting on and listing an output folder while unseen runs
(shared by the kill-safety and cluster tests)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES
from PIL import Image

PHOTO = FIXTURES / "2008_002470.jpg"
TMP_PREFIX = ".unseen-tmp-"


def make_clip(path: Path, frames: int, size: tuple[int, int] = (320, 212)) -> None:
    """An H.264 clip of the fixture photo, panned, written with PyAV (long enough to kill mid-way)."""
    import av

    base = Image.open(PHOTO).convert("RGB").resize((size[0] + 40, size[1]))
    with av.open(str(path), "w") as box:
        stream = box.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(frames):
            x = i % 40
            frame = av.VideoFrame.from_ndarray(np.asarray(base.crop((x, 0, x + size[0], size[1]))),
                                               format="rgb24")
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)


def wait_for(predicate, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"unseen finished (exit {proc.returncode}) before it could be interrupted: {err[-500:]!r}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.communicate()
            pytest.fail("unseen did not reach the point to interrupt in time")
        time.sleep(0.05)


def temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(TMP_PREFIX)] if folder.exists() else []


def finals(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(TMP_PREFIX)) \
        if folder.exists() else []
