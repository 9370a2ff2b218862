"""Only the formats unseen reads are parsed (``media.image_open.READ_FORMATS``); above all, Ghostscript never runs.

Pillow hands EPS files to Ghostscript, an outside PostScript interpreter with a long record of
code-execution bugs, and sniffs formats by content: a ".jpg" holding PostScript, or a JPEG whose EXIF
thumbnail is PostScript (the thumbnail is opened for ``unseen inspect`` and for every run's report),
reached it wherever ``gs`` is installed. Here a stand-in ``gs`` on the PATH of a child process records
any call; the command line runs as it would for a user.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from PIL import Image

PHOTO = FIXTURES / "2008_002470.jpg"


def _eps_bytes() -> bytes:
    buf = io.BytesIO()
    Image.open(PHOTO).convert("RGB").reduce(8).save(buf, "EPS")
    return buf.getvalue()


def _with_thumbnail(jpeg: bytes, thumb: bytes) -> bytes:
    """``jpeg`` with an APP1 EXIF segment whose IFD1 points at ``thumb`` as its thumbnail."""
    import struct

    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, 1) + struct.pack("<I", 26)
    ifd1 = struct.pack("<H", 2) + struct.pack("<HHII", 0x0201, 4, 1, 8 + len(ifd0) + 30) \
        + struct.pack("<HHII", 0x0202, 4, 1, len(thumb)) + struct.pack("<I", 0)
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd0 + ifd1 + thumb
    app1 = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


@pytest.fixture
def run_with_fake_gs(tmp_path: Path):
    """Run ``unseen ARGS`` in a child whose PATH starts with a ``gs`` that records being called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    called = tmp_path / "gs-was-called"
    gs = bin_dir / "gs"
    gs.write_text(f"#!/bin/sh\necho \"$@\" >> '{called}'\nexit 1\n")
    gs.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}

    def run(*args: str | Path) -> tuple[int, str, bool]:
        proc = subprocess.run([sys.executable, "-m", "unseen", *map(str, args)], capture_output=True, text=True,
                              env=env, timeout=300)
        return proc.returncode, proc.stderr, called.exists()

    return run


def test_the_fake_gs_would_be_called_by_pillow(run_with_fake_gs, tmp_path: Path):
    """The stand-in works: Pillow itself, asked to load the EPS, calls it."""
    eps = tmp_path / "x.eps"
    eps.write_bytes(_eps_bytes())
    code = "import sys; from PIL import Image\ntry: Image.open(sys.argv[1]).load()\nexcept Exception: pass"
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([sys.executable, "-c", code, str(eps)], env=env, check=True, timeout=60)
    assert (tmp_path / "gs-was-called").exists()


@pytest.mark.parametrize("name", ["figure.eps", "disguised.jpg"])
def test_postscript_is_refused_in_one_line_without_ghostscript(run_with_fake_gs, tmp_path: Path, name: str):
    src = tmp_path / name
    src.write_bytes(_eps_bytes())
    rc, err, gs_called = run_with_fake_gs(src, "-o", tmp_path / "out", "-q")
    assert not gs_called
    assert rc == 1
    reads = "JPEG, PNG, WebP, GIF, TIFF, BMP, HEIC/HEIF, AVIF, PPM, ICO, JPEG 2000, PSD and PCX"
    said = (f"unseen: {src}: PostScript document (.eps): not a photo or video unseen reads (photos: {reads}); "
            "export its pages or the photos in it as PNG or TIFF first") if name.endswith(".eps") else (
            f"unseen: {src}: EPS image: not a format unseen reads (it reads {reads}); convert it to PNG or JPEG first")
    assert err.strip().splitlines() == [said]  # by its name, as a folder's .eps is (a hunt, 2026-12-06)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_postscript_thumbnail_never_reaches_ghostscript(run_with_fake_gs, tmp_path: Path):
    """The photo itself is a JPEG: it is anonymised; its thumbnail is listed as unreadable, not rendered."""
    src = tmp_path / "photo.jpg"
    src.write_bytes(_with_thumbnail(PHOTO.read_bytes(), _eps_bytes()))
    rc, err, gs_called = run_with_fake_gs("inspect", src)
    assert (rc, gs_called) == (0, False), err
    rc, err, gs_called = run_with_fake_gs(src, "-o", tmp_path / "out", "-q", "--cover", "faces")
    assert (rc, gs_called) == (0, False), err
    assert (tmp_path / "out" / "photo.jpg").exists()
