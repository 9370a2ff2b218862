"""Bad and odd inputs: each gives one clear error line, or a correct output. Never a traceback,
never a partial file, never a changed input.

Every bad input is made at test time from the committed fixtures (truncated, renamed, re-saved as
16-bit, CMYK, palette...). The command line runs in-process (``unseen.cli.main``) with the session's
detector, so the whole file stays fast.
"""

from __future__ import annotations

import errno
import io
import os
import pathlib
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from bad_inputs import (
    HOPPER,
    IS_ROOT,
    PHOTO,
    all_files,
    assert_clean_output,
    assert_refused,
    make_clip,
    sha,
    unmasked_diff,
)
from conftest import FIXTURES
from PIL import Image

# ------------------------------------------------------------------------------------------------
# empty, truncated, wrong type
# ------------------------------------------------------------------------------------------------

def test_zero_byte_file(tmp_path, cli):
    src = tmp_path / "empty.jpg"
    src.write_bytes(b"")
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out", "empty")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image(tmp_path, cli, fmt):
    buf = io.BytesIO()
    Image.open(PHOTO).save(buf, fmt)
    data = buf.getvalue()
    src = tmp_path / f"cut.{fmt.lower()}"
    src.write_bytes(data[: len(data) // 2])
    before = sha(src)
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out", "truncated")
    assert sha(src) == before


def _planar_tiff(path: Path, rgb16: np.ndarray, deflate: bool = False) -> None:
    """A little-endian TIFF of 16-bit RGB stored plane by plane (PlanarConfiguration 2), which Pillow cannot
    write: uncompressed, or each plane deflated."""
    h, w, c = rgb16.shape
    planes = [np.ascontiguousarray(rgb16[..., i]).astype("<u2").tobytes() for i in range(c)]
    planes = [zlib.compress(p) for p in planes] if deflate else planes
    data = b"".join(planes)
    after = 8 + len(data)  # the IFD, then the tags' arrays
    starts = [8 + sum(len(p) for p in planes[:i]) for i in range(c)]
    tags = [(256, 3, [w]), (257, 3, [h]), (258, 3, [16] * c), (259, 3, [8 if deflate else 1]), (262, 3, [2]),
            (273, 4, starts), (277, 3, [c]), (278, 3, [h]), (279, 4, [len(p) for p in planes]), (284, 3, [2])]
    ifd, blobs, blob_at = struct.pack("<H", len(tags)), b"", after + 2 + 12 * len(tags) + 4
    for tag, typ, values in tags:
        payload = struct.pack("<" + ("H" if typ == 3 else "I") * len(values), *values)
        if len(payload) <= 4:
            ifd += struct.pack("<HHI", tag, typ, len(values)) + payload.ljust(4, b"\0")
        else:
            ifd += struct.pack("<HHII", tag, typ, len(values), blob_at + len(blobs))
            blobs += payload
    path.write_bytes(b"II*\0" + struct.pack("<I", after) + data + ifd + struct.pack("<I", 0) + blobs)


def test_a_16_bit_tiff_stored_plane_by_plane_is_refused(tmp_path, cli):
    """Pillow reads each 16-bit plane of such a TIFF as 8-bit: a scrambled picture (the top half's rows side
    by side), searched and written, exit 0 (a hunt, 2026-12-06). Refused in one line (fail closed)."""
    src = tmp_path / "planar.tif"
    photo = np.asarray(Image.open(PHOTO).convert("RGB"))
    _planar_tiff(src, photo.astype(np.uint16) * 257)
    with Image.open(src) as im:  # what Pillow makes of it: not the photo
        assert np.abs(np.asarray(im.convert("RGB")).astype(int) - photo).mean() > 20
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out", "plane by plane")
    # Compressed, such a TIFF goes through libtiff, which reads it right: not refused (a review, 2026-12-06).
    zipped = tmp_path / "zipped.tif"
    _planar_tiff(zipped, photo.astype(np.uint16) * 257, deflate=True)
    with Image.open(zipped) as im:
        assert np.abs(np.asarray(im.convert("RGB")).astype(int) - photo).max() <= 1
    rc, _, err = cli(zipped, "-o", tmp_path / "out2", "-q", "--cover", "faces")
    assert rc == 0, err


def test_truncated_header(tmp_path, cli):
    src = tmp_path / "head.jpg"
    src.write_bytes(PHOTO.read_bytes()[:40])
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out")


def test_text_file_named_jpg(tmp_path, cli):
    src = tmp_path / "notes.jpg"
    src.write_text("meeting at 6, bring the list\n")
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out", "not an image")


def test_png_named_jpg_is_written_as_png(tmp_path, cli, photo_rgb):
    src = tmp_path / "photo.jpg"
    Image.open(PHOTO).save(src, "PNG")
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    im = assert_clean_output(rc, err, tmp_path / "out" / "photo.png", "PNG")
    assert unmasked_diff(np.asarray(im.convert("RGB")), photo_rgb) < 2
    assert not (tmp_path / "out" / "photo.jpg").exists()


def test_jpeg_named_png_beside_input(tmp_path, cli):
    src = tmp_path / "photo.png"
    src.write_bytes(PHOTO.read_bytes())
    rc, _, err = cli(src, "-q")
    assert_clean_output(rc, err, tmp_path / "photo.unseen.jpg", "JPEG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png", "photo.unseen.jpg"]


def test_video_named_jpg(tmp_path, cli):
    src = tmp_path / "clip.jpg"
    make_clip(src, frames=3, fmt="mp4")
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out", "not an image")


# ------------------------------------------------------------------------------------------------
# decompression bombs
# ------------------------------------------------------------------------------------------------

def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_decompression_bomb_png(tmp_path, cli):
    """A 600-byte PNG that claims 50000 x 50000 pixels is refused from its header, before decoding."""
    w = h = 50_000
    idat = zlib.compress(b"\0" * (w + 1) * 16, 9)
    src = tmp_path / "bomb.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                    + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b""))
    assert src.stat().st_size < 4096
    t0 = time.perf_counter()
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out", "limit", "decompression bomb")
    assert time.perf_counter() - t0 < 10


def test_decompression_bomb_gif_frames(tmp_path, cli):
    """Many small frames add up: the limit counts every frame of an animation."""
    frames = [Image.new("L", (2000, 2000), i * 20) for i in range(6)]
    src = tmp_path / "many.gif"
    frames[0].save(src, save_all=True, append_images=frames[1:], duration=50)
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q", "--max-pixels", "20e6")
    assert_refused(rc, err, src, tmp_path / "out", "frames", "limit")


def test_a_small_pixel_limit_is_said_in_pixels(tmp_path, cli):
    """``--max-pixels 1000`` read "= 0 MP, over the 0 MP limit" (a hunt, 2026-12-05)."""
    src = tmp_path / "a.jpg"
    src.write_bytes(PHOTO.read_bytes())
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q", "--max-pixels", "1000")
    assert_refused(rc, err, src, tmp_path / "out", "= 0.2 MP, over the limit of 1000 pixels")


# ------------------------------------------------------------------------------------------------
# unusual pixel formats: correct outputs
# ------------------------------------------------------------------------------------------------

def test_16bit_grey_png(tmp_path, cli):
    grey = np.asarray(Image.open(PHOTO).convert("L"))
    src = tmp_path / "deep.png"
    Image.fromarray(grey.astype(np.uint16) * 257).save(src)
    assert Image.open(src).mode.startswith("I")
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    im = assert_clean_output(rc, err, tmp_path / "out" / "deep.png", "PNG")
    assert unmasked_diff(np.asarray(im.convert("L")), grey) <= 1


@pytest.mark.parametrize(("name", "top"), [("deep12.png", 4095), ("deep10.tif", 1023), ("float.tif", 1.0)])
def test_grey_photos_of_fewer_bits_than_their_format_are_read_at_their_own_depth(tmp_path, cli, name, top):
    """12-bit data in a 16-bit PNG was divided by 65535 (levels 0-16): faces missed, and still there in
    the output for anyone who stretches its levels; float TIFFs in 0-1 came out as two levels."""
    from conftest import dlib_boxes, filled_share

    grey = np.asarray(Image.open(PHOTO).convert("L"))
    data = grey.astype(np.float64) / 255 * top
    src = tmp_path / name
    Image.fromarray(data.astype(np.float32) if name.startswith("float") else data.round().astype(np.uint16)
                    ).save(src)
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    im = assert_clean_output(rc, err, tmp_path / "out" / name, "PNG" if name.endswith(".png") else "TIFF")
    out = np.asarray(im.convert("L"))
    assert unmasked_diff(out, grey) <= 1  # read as a full range of grey
    faces = dlib_boxes(PHOTO.name)
    assert max(filled_share(grey, box) for box in faces) < 0.3
    covered = [filled_share(out, box) for box in faces]
    assert min(covered) >= 0.7, covered


def test_16bit_rgb_png(tmp_path, cli, photo_rgb):
    """Pillow cannot write 48-bit PNG, so build one by hand: IHDR bit depth 16, colour type 2."""
    h, w, _ = photo_rgb.shape
    rows = (photo_rgb.astype(">u2") * 257).reshape(h, w * 3)
    raw = b"".join(b"\0" + r.tobytes() for r in rows)
    src = tmp_path / "rgb48.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                    + _png_chunk(b"IDAT", zlib.compress(raw)) + _png_chunk(b"IEND", b""))
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    im = assert_clean_output(rc, err, tmp_path / "out" / "rgb48.png", "PNG")
    assert unmasked_diff(np.asarray(im.convert("RGB")), photo_rgb) <= 1


def test_12bit_data_in_a_16bit_rgb_png_is_refused_not_written_black(tmp_path, cli, photo_rgb):
    """Pillow reads 16-bit colour as its top 8 bits: a scan's 12-bit data stored in 16 bits came out as levels
    0-15, written near-black and posterised with no word, exit 0 (a hunt, 2026-12-06). Full-range data is read
    (``test_16bit_rgb_png``); such data is refused in one line."""
    h, w, _ = photo_rgb.shape
    rows = (photo_rgb.astype(np.int64) * 4095 // 255).astype(">u2").reshape(h, w * 3)
    rows[:4] = 65535  # a scanner's white edge: the check goes by all but the brightest 2% (a review)
    raw = b"".join(b"\0" + r.tobytes() for r in rows)
    src = tmp_path / "scan12.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                    + _png_chunk(b"IDAT", zlib.compress(raw)) + _png_chunk(b"IEND", b""))
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert rc == 1 and not (tmp_path / "out" / "scan12.png").exists()
    line = err.strip().splitlines()[-1]
    assert "16 bits a colour channel, its levels (but the brightest 2%) under " in line, err
    assert line.endswith("of 65535 (12-bit data?): unseen keeps the top 8 bits and would write a near-black "
                         "picture; scale its levels to the full range, or save it as 8-bit, first"), err
    from unseen.cli import main

    assert main(["inspect", str(src)]) == 0  # what it carries and its faces are still listed (a review)


def test_an_arithmetic_coded_jpeg_over_64_kib_is_read(tmp_path, cli):
    """libjpeg's arithmetic decoder cannot wait for more data mid-scan, and Pillow fed it 64 KiB at a time:
    a valid arithmetic-coded JPEG over that was refused as "truncated or corrupt" (a hunt, 2026-12-06)."""
    from conftest import FIXTURES

    src = FIXTURES / "jpeg" / "2008_002470_arithmetic.jpg"
    assert src.stat().st_size > 65536
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    im = assert_clean_output(rc, err, tmp_path / "out" / src.name, "JPEG")
    baseline = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB"))
    assert im.size == (baseline.shape[1], baseline.shape[0])
    from unseen.media import image as image_io

    with image_io.read(src, image_io.DEFAULT_MAX_PIXELS) as decoded:
        assert np.array_equal(decoded.frames[0], baseline)  # the same coefficients: the same pixels


def test_a_12_bit_jpeg_is_refused_saying_so(tmp_path, cli, capsys):
    """A JPEG of 12 bits a sample (Pillow's libjpeg decodes 8 only) was "unknown or corrupt file", and
    ``inspect`` printed Pillow's "cannot identify image file 'PATH'" (a hunt, 2026-12-06)."""
    from conftest import FIXTURES

    from unseen.cli import main

    data = bytearray((FIXTURES / "2008_002470.jpg").read_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 4] = 12  # the frame header's sample precision
    src = tmp_path / "scan12.jpg"
    src.write_bytes(bytes(data))
    line = "JPEG of 12 bits a sample: unseen reads 8-bit JPEGs; convert it to 8-bit, or to PNG or TIFF, first"
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert rc == 1 and err.strip().endswith(line), err
    assert main(["inspect", str(src)]) == 1
    assert capsys.readouterr().err.strip().endswith(line)


def test_a_dark_16bit_photo_is_written(tmp_path, cli, photo_rgb):
    """A real photo exported at a quarter of its brightness in 16-bit colour was refused as 12-bit data (a review,
    2026-12-06): only levels under 4096 of 65535 are refused."""
    h, w, _ = photo_rgb.shape
    rows = (photo_rgb.astype(np.int64) * 257 * 23 // 100).astype(">u2").reshape(h, w * 3)
    raw = b"".join(b"\0" + r.tobytes() for r in rows)
    src = tmp_path / "night.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                    + _png_chunk(b"IDAT", zlib.compress(raw)) + _png_chunk(b"IEND", b""))
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_clean_output(rc, err, tmp_path / "out" / "night.png", "PNG")


def test_cmyk_jpeg(tmp_path, cli, photo_rgb):
    src = tmp_path / "print.jpg"
    Image.open(PHOTO).convert("CMYK").save(src, quality=95)
    rc, out, err = cli(src, "-o", tmp_path / "out", "-q", "--json")
    im = assert_clean_output(rc, err, tmp_path / "out" / "print.jpg", "JPEG")
    assert im.mode == "RGB"
    assert unmasked_diff(np.asarray(im), photo_rgb) < 8  # colours right, not inverted
    assert '"faces": 0' not in out  # faces still found after the colour conversion


def test_greyscale_jpeg(tmp_path, cli):
    grey = np.asarray(Image.open(PHOTO).convert("L"))
    src = tmp_path / "grey.jpg"
    Image.fromarray(grey).save(src, quality=95)
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    im = assert_clean_output(rc, err, tmp_path / "out" / "grey.jpg", "JPEG")
    assert unmasked_diff(np.asarray(im.convert("L")), grey) < 4


def test_palette_png_with_transparency(tmp_path, cli):
    pal = Image.open(PHOTO).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    src = tmp_path / "pal.png"
    pal.save(src, transparency=0)
    expect_alpha = np.asarray(Image.open(src).convert("RGBA"))[..., 3]
    assert (expect_alpha == 0).any()
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    im = assert_clean_output(rc, err, tmp_path / "out" / "pal.png", "PNG")
    got = np.asarray(im.convert("RGBA"))
    changed = got[..., 3] != expect_alpha  # transparency kept exactly, but for the opaque covers
    assert changed.any() and (got[changed][:, 3] == 255).all()
    assert (np.abs(got[changed][:, :3].astype(int) - 128) <= 1).all()  # the default fill, grey 128


def _animation(path: Path, fmt: str) -> list[Image.Image]:
    base = Image.open(PHOTO).convert("RGB").reduce(2)
    frames = [base.rotate(angle) for angle in (0, 8, 16)]
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=[80, 120, 160], loop=0)
    return frames


@pytest.mark.parametrize("fmt,ext", [("GIF", ".gif"), ("WEBP", ".webp")])
def test_animation_keeps_every_frame(tmp_path, cli, fmt, ext):
    src = tmp_path / f"anim{ext}"
    _animation(src, fmt)
    rc, out, err = cli(src, "-o", tmp_path / "out", "-q", "--json")
    im = assert_clean_output(rc, err, tmp_path / "out" / f"anim{ext}", fmt, frames=3)
    durations = []
    for i in range(3):
        im.seek(i)
        im.load()
        durations.append(im.info.get("duration"))
    assert durations == [80, 120, 160]
    assert '"frames": 3' in out


# ------------------------------------------------------------------------------------------------
# the file system fights back
# ------------------------------------------------------------------------------------------------

def test_unreadable_file(tmp_path, cli, monkeypatch):
    src = tmp_path / "locked.jpg"
    src.write_bytes(HOPPER.read_bytes())
    src.chmod(0)
    try:
        if IS_ROOT:  # root reads mode-000 files anyway: make the OS answer "permission denied" here
            real_access = os.access
            monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if Path(p) == src
                                else real_access(p, m, *a, **k))
        rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
        assert_refused(rc, err, src, tmp_path / "out", "permission denied")
    finally:
        src.chmod(0o644)


def test_read_error_while_decoding(tmp_path, cli, monkeypatch):
    """A read that fails after the permission check (e.g. EACCES/EIO on a network share)."""
    src = tmp_path / "flaky.jpg"
    src.write_bytes(HOPPER.read_bytes())
    import PIL.Image

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(src))

    monkeypatch.setattr(PIL.Image, "open", refuse)
    rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "out", "Permission denied")


def test_output_folder_not_writable(tmp_path, cli):
    src = tmp_path / "in.jpg"
    src.write_bytes(HOPPER.read_bytes())
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should be")
    rc, _, err = cli(src, "-o", blocker / "out", "-q")
    assert_refused(rc, err, src, tmp_path / "nothing-here", "cannot write")
    assert blocker.read_text().startswith("a file")


@pytest.mark.skipif(IS_ROOT, reason="root writes into mode-555 folders; the test above covers it")
def test_output_folder_read_only(tmp_path, cli):
    src = tmp_path / "in.jpg"
    src.write_bytes(HOPPER.read_bytes())
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        rc, _, err = cli(src, "-o", out, "-q")
        assert_refused(rc, err, src, out, "cannot write")
    finally:
        out.chmod(0o755)


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_disk_full(tmp_path, cli, monkeypatch, where):
    """ENOSPC half-way through writing (or when flushing to disk): no output, no temporary file."""
    src = tmp_path / "in.jpg"
    src.write_bytes(PHOTO.read_bytes())
    before = sha(src)
    out = tmp_path / "out"
    enospc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if where == "write":
        real = pathlib.Path.write_bytes

        def full(self, data):
            real(self, data[: len(data) // 3])  # a partial file really is on disk
            raise enospc

        monkeypatch.setattr(pathlib.Path, "write_bytes", full)
    else:
        def full_fsync(fd):
            raise enospc

        monkeypatch.setattr(os, "fsync", full_fsync)
    rc, _, err = cli(src, "-o", out, "-q")
    assert_refused(rc, err, src, out, "No space left on device")
    assert sha(src) == before


def test_existing_output_not_overwritten(tmp_path, cli):
    src = tmp_path / "in.jpg"
    src.write_bytes(HOPPER.read_bytes())
    (tmp_path / "in.unseen.jpg").write_bytes(b"earlier result")
    rc, _, err = cli(src, "-q")
    assert rc == 1 and "exists" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "in.unseen.jpg").read_bytes() == b"earlier result"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".unseen-tmp-")]


def test_symlink_loops_in_folders(tmp_path, cli):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "a.jpg").write_bytes(HOPPER.read_bytes())
    (tree / "sub" / "up").symlink_to("..")  # folder loop
    (tree / "self").symlink_to(".")  # folder loop
    (tree / "x.jpg").symlink_to("y.jpg")  # file loop
    (tree / "y.jpg").symlink_to("x.jpg")
    out = tmp_path / "out"
    rc, _, err = cli(tree, "-o", out, "-q")
    assert rc == 1  # the two looping links fail, the photo is done once
    assert "Traceback" not in err
    lines = sorted(err.strip().splitlines())
    assert lines == [f"unseen: {tree / 'x.jpg'}: broken symbolic link (its target is missing or it loops)",
                     f"unseen: {tree / 'y.jpg'}: broken symbolic link (its target is missing or it loops)"]
    assert [p.relative_to(out).as_posix() for p in all_files(out)] == ["sub/a.jpg"]


def test_folder_with_raw_and_other_files(tmp_path, cli):
    """A raw photo in a folder is refused out loud (it still shows every face), not skipped; files
    that are not photos or videos are left alone and named in one note line."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.jpg").write_bytes(HOPPER.read_bytes())
    (tree / "IMG_0001.CR2").write_bytes(b"II*\0 raw sensor data")
    (tree / "notes.txt").write_text("captions")
    (tree / ".hidden").write_text("")
    out = tmp_path / "out"
    rc, _, err = cli(tree, "-o", out)
    assert rc == 1 and "Traceback" not in err
    assert f"unseen: {tree / 'IMG_0001.CR2'}: raw camera file (CR2)" in err
    assert f"left 1 file(s) alone that are not photos or videos: {tree / 'notes.txt'}" in err
    assert [p.name for p in all_files(out)] == ["a.jpg"]


def test_rename_hides_input_names(tmp_path, cli):
    """--rename: outputs carry no part of the input's name or its sub-folder's, in input order."""
    tree = tmp_path / "2024-05-12 Main St march"
    (tree / "day 2").mkdir(parents=True)
    (tree / "IMG_20240512_183045.jpg").write_bytes(HOPPER.read_bytes())
    second = FIXTURES / "hopper" / "hopper_orientation_2.jpg"
    (tree / "day 2" / "PXL_20240513_101010.jpg").write_bytes(second.read_bytes())
    out = tmp_path / "out"
    rc, _, err = cli(tree, "-o", out, "--rename", "-q")
    assert rc == 0, err
    assert [p.name for p in all_files(out)] == ["unseen-0001.jpg", "unseen-0002.jpg"]
    # beside the inputs, and a second run does not take its own renamed outputs for inputs
    rc, _, err = cli(tree, "--rename", "-q")
    assert rc == 0, err
    assert (tree / "unseen-0001.jpg").exists() and (tree / "day 2" / "unseen-0002.jpg").exists()
    rc, _, err = cli(tree, "--rename", "-q", "--force")
    assert rc == 0 and not (tree / "unseen-0003.jpg").exists()


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems require UTF-8 names")
def test_non_utf8_file_names(tmp_path):
    """Latin-1 bytes in a name: processed, output named with the same bytes, messages printable."""
    import subprocess

    folder = os.fsencode(tmp_path)
    name = b"caf\xe9 \xff.jpg"
    src = os.path.join(folder, name)
    with open(src, "wb") as fh:
        fh.write(HOPPER.read_bytes())
    bad = os.path.join(folder, b"vide\xe9.jpg")
    with open(bad, "wb") as fh:
        fh.write(b"not a picture")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "unseen.cli", src, bad, "-q"], capture_output=True, env=env,
                          timeout=120)
    err = proc.stderr.decode("utf-8")  # must be valid UTF-8, whatever the names
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert os.path.exists(os.path.join(folder, b"caf\xe9 \xff.unseen.jpg"))
    assert not os.path.exists(os.path.join(folder, b"vide\xe9.unseen.jpg"))
    assert len([ln for ln in err.splitlines() if ln.startswith("unseen: ") and "vide" in ln]) == 1
    # as a folder too
    out = os.path.join(folder, b"out")
    proc = subprocess.run([sys.executable, "-m", "unseen.cli", folder, "-o", out, "-q"], capture_output=True,
                          timeout=120)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert sorted(os.listdir(out)) == [b".unseen-outputs", b"caf\xe9 \xff.jpg"]  # inside the input: marked


# ------------------------------------------------------------------------------------------------
# output files
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_output_permissions_follow_umask(tmp_path, cli, umask):
    src = tmp_path / "in.jpg"
    src.write_bytes(HOPPER.read_bytes())
    old = os.umask(umask)
    try:
        rc, _, err = cli(src, "-o", tmp_path / "out", "-q")
    finally:
        os.umask(old)
    assert rc == 0, err
    assert (tmp_path / "out" / "in.jpg").stat().st_mode & 0o777 == 0o666 & ~umask


def test_stale_temp_files_are_removed(tmp_path, cli):
    """A run killed with SIGKILL leaves a hidden .unseen-tmp-* file; a later run in that folder
    removes it once it is old (and leaves recent ones, which may belong to a run still going)."""
    from unseen.engine.output import STALE_TEMP_SECONDS

    out = tmp_path / "out"
    out.mkdir()
    old, fresh = out / ".unseen-tmp-abc123.mp4", out / ".unseen-tmp-def456.jpg"
    old.write_bytes(b"half a video")
    fresh.write_bytes(b"being written")
    past = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(old, (past, past))
    src = tmp_path / "in.jpg"
    src.write_bytes(HOPPER.read_bytes())
    rc, _, err = cli(src, "-o", out, "-q")
    assert rc == 0, err
    assert not old.exists() and fresh.exists()


def test_a_name_that_would_drive_the_terminal_is_printed_escaped(tmp_path, cli):
    """A file name is the file maker's text: ESC [ 2 J clears the screen, ESC ] 2 ; retitles the window,
    a carriage return writes over the line. The path in front of a message was escaped; the output's
    path inside the message ("output ... exists") was printed raw."""
    name = "x\x1b[2J\x1b]2;owned\x07\rred.jpg"
    src = tmp_path / name
    src.write_bytes(HOPPER.read_bytes())
    out = tmp_path / "out"
    rc, _, err = cli(src, "-o", out, "-q")
    assert rc == 0, err
    assert (out / name).is_file()
    rc, _, err = cli(src, "-o", out, "-q")
    assert rc == 1
    assert not any(c in err for c in "\x1b\x07\r"), repr(err)
    assert err.count("x\\x1b[2J\\x1b]2;owned\\x07\\rred.jpg") == 2 and len(err.strip().splitlines()) == 1, err
    from unseen.cli.common import LazyBar  # a video's frame bar shows the name as well

    assert LazyBar(name).name == "x\\x1b[2J\\x1b]2;owned\\x07\\rred.jpg"
