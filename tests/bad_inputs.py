"""Helpers shared by the bad-input tests (test_bad_inputs.py, test_bad_inputs_media.py): the
fixture files, the checks every refusal and every output must pass, and a small clip maker."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from conftest import FIXTURES
from PIL import Image

PHOTO = FIXTURES / "2008_002470.jpg"  # 500x332, 6 faces
HOPPER = FIXTURES / "hopper" / "hopper.jpg"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0



def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()) if folder.exists() else []


def assert_refused(rc: int, err: str, src: Path | str, out_dir: Path, *words: str) -> str:
    """Exit 1, exactly one line ``unseen: SRC: cause``, no traceback, nothing written."""
    assert "Traceback" not in err
    lines = err.strip("\n").splitlines()
    assert rc == 1, err
    assert len(lines) == 1, err
    prefix = f"unseen: {src}: "
    assert lines[0].startswith(prefix) and len(lines[0]) > len(prefix), lines[0]
    cause = lines[0][len(prefix):]
    for w in words:
        assert w in cause, cause
    assert all_files(out_dir) == [], all_files(out_dir)  # no output, no .unseen-tmp-* either
    return cause


def assert_clean_output(rc: int, err: str, out: Path, fmt: str, frames: int = 1) -> Image.Image:
    assert rc == 0, err
    assert "Traceback" not in err
    assert out.is_file(), (out, list(out.parent.iterdir()))
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".unseen-tmp-")]
    from unseen.media.image_check import leaks as image_leaks

    assert image_leaks(out.read_bytes(), fmt) == []
    im = Image.open(out)
    assert im.format == fmt
    assert getattr(im, "n_frames", 1) == frames
    im.load()
    return im


def unmasked_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Median absolute pixel difference: masks cover a minority of pixels, the median ignores them."""
    return float(np.median(np.abs(a.astype(float) - b.astype(float))))


def make_clip(path: Path, frames: int = 30, fmt: str | None = None, size: tuple[int, int] = (320, 212)) -> None:
    """A short H.264 clip of the fixture photo, panned, written with PyAV."""
    import av

    base = Image.open(PHOTO).convert("RGB").resize((size[0] + 40, size[1]))
    with av.open(str(path), "w", format=fmt) as box:
        stream = box.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(frames):
            x = i % 40
            frame = av.VideoFrame.from_ndarray(np.asarray(base.crop((x, 0, x + size[0], size[1]))), format="rgb24")
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)
