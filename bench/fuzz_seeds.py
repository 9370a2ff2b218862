"""The seed files bench/fuzz_readers.py mutates: small, valid files made at start-up from the committed
fixtures, in every format unseen reads (JPEG with EXIF/GPS and a thumbnail, MPO-like JPEG, PNG with text
chunks, 16-bit and palette PNG, animated GIF, WebP and APNG, TIFF, BMP, HEIC, AVIF; MP4, MOV, MKV, WebM,
AVI, MPEG-TS).

Why a module of its own: building the media is apart from the fuzzing itself (mutations, targets, runner,
report), and kept here it leaves fuzz_readers.py under the project's 600 lines.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


# ------------------------------------------------------------------------------------------------
# seeds
# ------------------------------------------------------------------------------------------------

def image_seeds() -> dict[str, bytes]:
    from PIL import Image

    from unseen.media.image_open import open_image

    with open_image(FIXTURES / "2008_002470.jpg"):  # loads the HEIF plugin the seeds are written with
        pass

    photo = Image.open(FIXTURES / "2008_002470.jpg").convert("RGB").reduce(5)  # 100 x 66
    seeds: dict[str, bytes] = {}

    def save(name: str, im: Image.Image, fmt: str, **kw) -> None:
        buf = io.BytesIO()
        im.save(buf, fmt, **kw)
        seeds[name] = buf.getvalue()

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation
    exif[0x010F], exif[0x0110] = "FuzzCam", "Model 1"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 1.0)})
    thumb = io.BytesIO()
    photo.reduce(4).save(thumb, "JPEG")
    save("exif.jpg", photo, "JPEG", exif=exif, comment=b"a comment")
    seeds["exif_thumb.jpg"] = _jpeg_with_thumbnail(seeds["exif.jpg"], thumb.getvalue())
    save("progressive.jpg", photo, "JPEG", progressive=True, icc_profile=_srgb_icc())
    save("cmyk.jpg", photo.convert("CMYK"), "JPEG")
    save("mpo.jpg", photo, "MPO", save_all=True, append_images=[photo.rotate(90)])
    save("text.png", photo, "PNG", pnginfo=_pnginfo())
    save("grey16.png", Image.fromarray(np.asarray(photo.convert("L")).astype(np.uint16) * 257), "PNG")
    save("palette.png", photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG", transparency=0)
    frames = [photo, photo.rotate(10), photo.rotate(20)]
    save("anim.gif", frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    save("anim.webp", frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=50, exif=exif)
    save("lossless.webp", photo.convert("RGBA"), "WEBP", lossless=True)
    save("photo.tif", photo, "TIFF", tiffinfo=exif, compression="tiff_deflate")
    save("photo.bmp", photo, "BMP")
    save("apng.png", frames[0], "PNG", save_all=True, append_images=frames[1:], duration=50)
    # Frames an animation repeats, and frames alike once masked (the writers fold them; engine.image)
    save("boomerang.gif", frames[0], "GIF", save_all=True, append_images=[frames[1], frames[2], frames[1]],
         duration=[40, 50, 60, 70], loop=0)
    save("twice.png", frames[0], "PNG", save_all=True, append_images=[frames[1], frames[0]], duration=[30, 40, 50])
    with contextlib.suppress(Exception):
        save("photo.heic", photo, "HEIF", exif=exif.tobytes(), quality=50)
    with contextlib.suppress(Exception):
        save("photo.avif", photo, "AVIF", exif=exif, quality=50)
    return seeds


def _srgb_icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _pnginfo():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>gps</x:xmpmeta>")
    return info


def _jpeg_with_thumbnail(jpeg: bytes, thumb: bytes) -> bytes:
    """Insert an APP1 EXIF segment whose IFD1 points at an embedded JPEG thumbnail."""
    import struct

    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, 1) + struct.pack("<I", 26)
    ifd1_entries = struct.pack("<HHII", 0x0201, 4, 1, 0) + struct.pack("<HHII", 0x0202, 4, 1, len(thumb))
    ifd1 = struct.pack("<H", 2) + ifd1_entries + struct.pack("<I", 0)
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd0 + ifd1
    offset = len(tiff)
    tiff = tiff.replace(struct.pack("<HHII", 0x0201, 4, 1, 0), struct.pack("<HHII", 0x0201, 4, 1, offset)) + thumb
    app1 = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


def video_seeds(tmp: Path) -> dict[str, bytes]:
    import av
    from PIL import Image

    base = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB").resize((64, 48)))
    seeds: dict[str, bytes] = {}
    for name, fmt, codec, audio in (("clip.mp4", "mp4", "libx264", True), ("clip.mov", "mov", "libx264", False),
                                    ("clip.mkv", "matroska", "libx264", True), ("clip.webm", "webm", "libvpx-vp9",
                                                                                  False),
                                    ("clip.avi", "avi", "mpeg4", False), ("clip.ts", "mpegts", "mpeg2video", False)):
        path = tmp / name
        try:
            with av.open(str(path), "w", format=fmt) as box:
                box.metadata["title"] = "fuzz seed"
                box.metadata["location"] = "+52.5200+013.4050/"
                vs = box.add_stream(codec, rate=10)
                vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
                a = box.add_stream("aac", rate=16000) if audio else None
                for i in range(6):
                    fr = av.VideoFrame.from_ndarray(np.roll(base, i * 3, axis=1).copy(), format="rgb24")
                    for pkt in vs.encode(fr):
                        box.mux(pkt)
                if a is not None:
                    samples = np.zeros((1, 1024 * 4), dtype=np.float32)
                    af = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
                    af.sample_rate = 16000
                    for pkt in a.encode(af):
                        box.mux(pkt)
                    for pkt in a.encode():
                        box.mux(pkt)
                for pkt in vs.encode():
                    box.mux(pkt)
            seeds[name] = path.read_bytes()
        except Exception as exc:  # an encoder missing from this PyAV build: fuzz the rest
            print(f"fuzz: no {name} seed ({exc})", file=sys.stderr)
    return seeds
