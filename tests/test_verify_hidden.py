"""``verify`` on outputs from other tools that hide the unmasked picture where it did not look, or that
are not aligned with their original.

Found by a hunt (2026-12-05), each reproduced: an output showing unseen's masked photo passed while it
also held the unmasked photo as a JFIF thumbnail, as bytes after a GIF's trailer or a BMP's pixels, as
a TIFF's second page, or as an APNG's default image; and the photo mirrored or turned upside down
(an orientation tag dropped without turning the picture) passed with every face visible.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import GROUP
from PIL import Image

from unseen.media.image_check import leaks


def _rgb() -> np.ndarray:
    with Image.open(GROUP) as im:
        return np.asarray(im.convert("RGB"))


def _bytes(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_a_jfif_thumbnail_is_a_leak():
    data = _bytes(Image.fromarray(_rgb()), "JPEG")
    assert leaks(data, "JPEG") == []
    thumb = np.asarray(Image.fromarray(_rgb()).resize((32, 24))).tobytes()
    body = b"JFIF\0\x01\x01\0\0\x01\0\x01" + bytes([32, 24]) + thumb
    app0 = b"\xff\xe0" + struct.pack(">H", len(body) + 2) + body
    at = data.index(b"\xff\xe0")
    length = struct.unpack(">H", data[at + 2 : at + 4])[0]
    hidden = data[:at] + app0 + data[at + 2 + length :]
    assert any("thumbnail" in leak for leak in leaks(hidden, "JPEG")), leaks(hidden, "JPEG")


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_bytes_after_the_picture_are_a_leak(fmt: str):
    data = _bytes(Image.fromarray(_rgb()), fmt)
    assert leaks(data, fmt) == []
    assert any("after" in leak for leak in leaks(data + GROUP.read_bytes(), fmt)), leaks(data + b"x", fmt)


def test_a_second_tiff_page_is_a_leak():
    page = Image.fromarray(_rgb())
    assert leaks(_bytes(page, "TIFF"), "TIFF") == []
    two = _bytes(page, "TIFF", save_all=True, append_images=[page])
    assert any("page" in leak for leak in leaks(two, "TIFF")), leaks(two, "TIFF")


def test_an_apng_default_image_outside_the_animation_is_a_leak():
    shown = [Image.new("RGB", (40, 30), (128, 128, 128)), Image.new("RGB", (40, 30), (100, 100, 100))]
    plain = _bytes(shown[0], "PNG", save_all=True, append_images=shown[1:], duration=100, loop=0)
    assert leaks(plain, "PNG") == []
    hidden = _bytes(Image.fromarray(_rgb()).resize((40, 30)), "PNG", save_all=True, append_images=shown,
                    default_image=True, duration=100, loop=0)
    assert any("default image" in leak for leak in leaks(hidden, "PNG")), leaks(hidden, "PNG")


@pytest.mark.parametrize("turn", ["mirrored", "upside down"])
def test_an_output_mirrored_or_turned_fails(dlib_installed, tmp_path: Path, turn: str):
    from unseen import verify
    from unseen.errors import UnseenError

    rgb = _rgb()
    out = tmp_path / "out.png"
    Image.fromarray(np.ascontiguousarray(rgb[:, ::-1] if turn == "mirrored" else rgb[::-1])).save(out)
    with pytest.raises(UnseenError, match="mirrored or turned"):
        verify.verify_files(GROUP, out)
