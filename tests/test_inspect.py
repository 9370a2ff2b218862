"""``unseen inspect`` on photos: the faces it counts and the metadata it lists, in any frame or block."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from conftest import GROUP, run
from PIL import Image


def test_inspect_counts_confident_faces_apart(group: Path, capsys):
    """``unseen inspect`` says how many of the faces it finds are scored >= 0.5 (the self-check's
    threshold): on an output of unseen, faint candidates on the grey fill are not faces left."""
    from unseen.detect.ensemble import CHECK_PASSES
    from unseen.inspect.findings import CONFIDENT

    assert CHECK_PASSES[0].threshold == CONFIDENT
    assert run("inspect", group, "--json") == 0
    before = json.loads(capsys.readouterr().out)
    assert before["faces"] >= 6 and 6 <= before["faces_confident"] <= before["faces"]
    assert run(group, "-q") == 0
    capsys.readouterr()
    assert run("inspect", group.with_name("group.unseen.jpg"), "--json") == 0
    after = json.loads(capsys.readouterr().out)
    assert after["faces_confident"] == 0
    assert run("inspect", group) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if "faces found by unseen" in x][0]
    assert f"({before['faces_confident']} at score >= 0.5;" in line


def test_inspect_lists_what_a_gif_carries_in_any_frame(tmp_path: Path, capsys):
    """A GIF's comment can sit with any frame; Pillow shows it only once that frame is reached, and
    shows no XMP packet at all, so ``unseen inspect`` said "no metadata found" for a name and address
    in frame 2 and an XMP creator in frame 3. The run's report lists both among what was dropped, and
    the output carries neither."""
    a = Image.open(GROUP).convert("RGB").reduce(4)
    buf = io.BytesIO()
    a.save(buf, "GIF", save_all=True, append_images=[a.rotate(30), a.rotate(60)], duration=50)
    data = buf.getvalue()
    controls = [i for i in range(len(data)) if data.startswith(b"\x21\xf9\x04", i)]
    second, third = controls[1], controls[2]  # frames 2 and 3's control blocks
    comment = b"Jane Doe, 5 Main St"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Jane Reporter</dc:creator></x:xmpmeta>'
    src = tmp_path / "anim.gif"
    src.write_bytes(data[:second] + b"\x21\xfe" + bytes([len(comment)]) + comment + b"\x00" + data[second:third]
                    + b"\x21\xff\x0bXMP DataXMP" + bytes([len(xmp)]) + xmp + b"\x00" + data[third:])
    assert Image.open(src).info.get("comment") is None  # not visible at frame 0
    assert run("inspect", src, "--json", "--no-faces") == 0
    found = json.loads(capsys.readouterr().out)
    assert {"comment", "XMP"} <= set(found["blocks"]) and found["people"]["Comment"] == comment.decode()
    assert run(src, "--json", "-q", "--cover", "faces") == 0
    assert {"comment", "XMP"} <= set(json.loads(capsys.readouterr().out)["metadata_dropped"])
    out = (tmp_path / "anim.unseen.gif").read_bytes()
    assert comment not in out and b"Jane Reporter" not in out


def test_inspect_lists_a_motion_photos_video_and_makers_segments(tmp_path: Path, capsys):
    """A phone's motion photo keeps a short video after the JPEG's end (every face in it unmasked), and
    makers write APP segments Pillow does not show (a GoPro's GPS track in APP6): ``unseen inspect``
    listed neither, nor did a run's list of what it dropped. The output carries neither."""
    import av

    clip = tmp_path / "clip.mp4"
    with av.open(str(clip), "w") as box:
        stream = box.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.asarray(Image.open(GROUP).convert("RGB").resize((64, 48))),
                                           format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode()]:
            box.mux(packet)
    jpeg = GROUP.read_bytes()
    gopro = b"GoPro\0" + b"GPS5 52.52 13.40" * 4
    src = tmp_path / "motion.jpg"
    src.write_bytes(jpeg[:2] + b"\xff\xe6" + (len(gopro) + 2).to_bytes(2, "big") + gopro + jpeg[2:]
                    + clip.read_bytes())
    assert run("inspect", src, "--json", "--no-faces") == 0
    blocks = json.loads(capsys.readouterr().out)["blocks"]
    video = f"a video after the picture ({clip.stat().st_size} bytes; a phone's motion photo)"
    assert {"APP6 segment (GoPro)", video} <= set(blocks)
    assert run(src, "--json", "-q", "--cover", "faces") == 0
    assert {"APP6 segment (GoPro)", video} <= set(json.loads(capsys.readouterr().out)["metadata_dropped"])
    out = (tmp_path / "motion.unseen.jpg").read_bytes()
    assert b"ftyp" not in out and b"GoPro" not in out


def test_inspect_lists_a_pngs_time_and_private_chunks(tmp_path: Path, capsys):
    """A PNG's last-modified time (tIME) and makers' private chunks, and a WebP's, are not in Pillow's
    ``info``: ``unseen inspect`` did not list them."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    buf = io.BytesIO()
    Image.open(GROUP).convert("RGB").reduce(4).save(buf, "PNG")
    data = buf.getvalue()
    src = tmp_path / "shot.png"
    src.write_bytes(data[:33] + chunk(b"tIME", bytes([7, 234, 5, 1, 12, 0, 0])) + chunk(b"prVW", b"preview")
                    + data[33:])
    assert run("inspect", src, "--json", "--no-faces") == 0
    blocks = json.loads(capsys.readouterr().out)["blocks"]
    assert {"PNG chunk tIME (last-modified time)", "PNG chunk prVW"} <= set(blocks)
    # the same for a WebP: a private chunk after the picture (EXIF is named once, from Pillow's reading)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    buf = io.BytesIO()
    Image.open(GROUP).convert("RGB").reduce(4).save(buf, "WEBP", exif=exif.tobytes())
    body = b"GPS 52.52 13.40 "
    data = buf.getvalue() + b"gPsT" + len(body).to_bytes(4, "little") + body
    webp = tmp_path / "shot.webp"
    webp.write_bytes(data[:4] + (len(data) - 8).to_bytes(4, "little") + data[8:])
    assert run("inspect", webp, "--json", "--no-faces") == 0
    blocks = json.loads(capsys.readouterr().out)["blocks"]
    assert "WebP chunk gPsT" in blocks and blocks.count("EXIF") == 1


def test_inspect_prints_a_tag_that_would_drive_the_terminal_escaped(tmp_path: Path, capsys):
    """An EXIF Artist of ESC ] 2 ; ... BEL retitled the terminal's window and a newline in it broke the
    listing's lines: what ``inspect`` prints of a tag value is escaped (JSON escapes it by itself)."""
    exif = Image.Exif()
    exif[0x013B] = "Jane\x1b]2;owned\x07\nDoe"  # Artist
    exif[0x010E] = "caption\rover"  # ImageDescription
    p = tmp_path / "tagged.jpg"
    Image.new("RGB", (64, 48), (90, 120, 150)).save(p, exif=exif)
    assert run("inspect", p, "--no-faces") == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\r"), repr(out)
    assert "Jane\\x1b]2;owned\\x07\\nDoe" in out
    assert run("inspect", p, "--no-faces", "--json") == 0
    raw = capsys.readouterr().out
    assert "\x1b" not in raw and json.loads(raw)["people"]["Artist"] == "Jane\x1b]2;owned\x07\nDoe"


def test_inspect_lists_a_preview_inside_the_maker_notes(tmp_path: Path, capsys):
    """Cameras keep a larger preview than the EXIF thumbnail inside their maker notes (a Sigma DP1's 640 x 480,
    a Nikon's, a Casio's): inspect named only "maker notes" and never looked at it for faces (hunt of
    2026-12-05). Here a camera's maker note holds a 250 px preview of the group photo."""
    buf = io.BytesIO()
    with Image.open(GROUP) as im:
        im.convert("RGB").resize((250, 166)).save(buf, "JPEG", quality=85)
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    exif.get_ifd(0x8769)[0x927C] = b"MAKER\0\0\0" + buf.getvalue()
    src = tmp_path / "camera.jpg"
    Image.new("RGB", (320, 240), (90, 120, 150)).save(src, exif=exif.tobytes())
    assert run("inspect", src, "--json") == 0
    found = json.loads(capsys.readouterr().out)["thumbnails"]
    shown = [(t["kind"], tuple(t["size"]), t["face"]) for t in found]
    assert shown == [("preview in the EXIF block", (250, 166), True)]


def test_inspect_searches_an_animations_later_frames(tmp_path: Path, capsys):
    """It looked at the first frame only: an animation whose faces come later was said to have none."""
    base = Image.open(GROUP).convert("RGB")
    frames = [Image.new("RGB", base.size, colour) for colour in ("white", "grey", "black")] + [base]
    p = tmp_path / "later.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert run("inspect", p, "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert found["frames"] == 4 and found["faces_confident"] >= 6
    assert run("inspect", p) == 0
    assert "4 frames" in capsys.readouterr().out.splitlines()[0]


def test_inspect_lists_an_apngs_default_image(tmp_path: Path, capsys):
    """An APNG's default image is no part of its animation, but viewers that do not play APNG show it."""
    from PIL import PngImagePlugin  # noqa: F401 - registers the APNG writer's options

    blank = Image.new("RGB", Image.open(GROUP).size, "white")
    p = tmp_path / "default.png"
    Image.open(GROUP).convert("RGB").save(p, save_all=True, append_images=[blank, blank.rotate(1)],
                                         default_image=True, duration=100)
    assert run("inspect", p, "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert [t["kind"].startswith("APNG default image") and t["face"] for t in found["thumbnails"]] == [True]


def test_inspect_counts_faces_carried_by_transparency(tmp_path: Path, capsys):
    """Black pixels whose alpha draws the people (six faces over white): anonymising covered them, inspect
    searched the colour alone and said "faces found by unseen: 0"."""
    grey = np.asarray(Image.open(GROUP).convert("L"))
    ink = np.zeros((*grey.shape, 4), np.uint8)
    ink[..., 3] = 255 - grey
    p = tmp_path / "ink.png"
    Image.fromarray(ink, "RGBA").save(p)
    assert run("inspect", p, "--json") == 0
    assert json.loads(capsys.readouterr().out)["faces_confident"] >= 6


def test_the_gps_version_reads_as_dotted_numbers():
    """GPSVersionID is four bytes: inspect printed "GPSVersionID=\\x02\\x03" (a hunt, 2026-12-06)."""
    from unseen.inspect.contents import tag_text

    assert tag_text("GPSVersionID", b"\x02\x03\x00\x00") == "2.3.0.0"
    assert tag_text("GPSVersionID", (2, 2, 0, 0)) == "2.2.0.0"


def test_inspect_says_what_provenance_and_people_tags_hold(tmp_path: Path, capsys):
    """What inspect listed as bare blocks or not at all (a hunt, 2026-12-06): Content Credentials in a JPEG
    (APP11), a PNG (caBX) and an MP4 (its uuid box), a GIF's XMP (its GPS and creator), DNG's camera serial
    and raw file name carried into a JPEG, and the XMP fields that name the people in a picture."""
    import zlib

    import av

    from unseen.inspect.findings import C2PA, C2PA_UUID

    small = Image.open(GROUP).convert("RGB").reduce(4)
    jumbf = b"JP\0\x01\0\0\0\x01" + b"\0\0\0\x40jumb\0\0\0\x18jumdc2pa\0\x11\0\x10" + b"Jane Doe, Canon R5 " * 2
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[50735], exif[50827] = "SN 9876543", "/Users/jane/DSC_0001.DNG"  # CameraSerialNumber, OriginalRawFileName
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description><MPReg:PersonDisplayName>Bob Organizer'
           b'</MPReg:PersonDisplayName><photoshop:History>opened /Users/jane/raw.psd</photoshop:History>'
           b'</rdf:Description></rdf:RDF></x:xmpmeta>')
    small.save(buf, "JPEG", exif=exif.tobytes(), xmp=xmp)
    data = buf.getvalue()
    jpg = tmp_path / "c2pa.jpg"
    jpg.write_bytes(data[:2] + b"\xff\xeb" + (len(jumbf) + 2).to_bytes(2, "big") + jumbf + data[2:])
    assert run("inspect", jpg, "--json", "--no-faces") == 0
    found = json.loads(capsys.readouterr().out)
    assert C2PA in found["blocks"] and not any(b.startswith("APP11") for b in found["blocks"]), found["blocks"]
    assert found["device"]["CameraSerialNumber"] == "SN 9876543", found["device"]
    assert found["people"]["OriginalRawFileName"] == "/Users/jane/DSC_0001.DNG", found["people"]
    assert found["people"]["XMP PersonDisplayName"] == "Bob Organizer", found["people"]
    assert "/Users/jane/raw.psd" in found["people"]["XMP History"], found["people"]

    buf = io.BytesIO()
    small.save(buf, "PNG")
    body = b"jumb c2pa Jane Doe"
    png = tmp_path / "c2pa.png"
    png.write_bytes(buf.getvalue()[:33] + len(body).to_bytes(4, "big") + b"caBX" + body
                    + zlib.crc32(b"caBX" + body).to_bytes(4, "big") + buf.getvalue()[33:])
    assert run("inspect", png, "--json", "--no-faces") == 0
    assert C2PA in json.loads(capsys.readouterr().out)["blocks"]

    buf = io.BytesIO()
    small.save(buf, "GIF")
    gxmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="53,54.0N" '
            b'exif:GPSLongitude="27,34.0E"><dc:creator>Jane Doe</dc:creator></rdf:Description></x:xmpmeta>')
    gif = tmp_path / "xmp.gif"  # the packet raw, as XMP's own GIF form writes it, then its magic trailer
    gif.write_bytes(buf.getvalue()[:-1] + b"\x21\xff\x0bXMP DataXMP" + gxmp + b"\x01" + bytes(range(255, -1, -1))
                    + b"\x00\x3b")
    assert run("inspect", gif, "--json", "--no-faces") == 0
    found = json.loads(capsys.readouterr().out)
    assert found["people"]["XMP creator"] == "Jane Doe" and found["gps"]["position"] == "53.9, 27.566667", found

    clip = tmp_path / "clip.mp4"
    with av.open(str(clip), "w") as box:
        stream = box.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode()]:
            box.mux(packet)
    data = clip.read_bytes()
    after_ftyp = int.from_bytes(data[:4], "big")
    uuid = C2PA_UUID + b"\0\0\0\0c2pa manifest: Jane Doe"
    clip.write_bytes(data[:after_ftyp] + (len(uuid) + 8).to_bytes(4, "big") + b"uuid" + uuid + data[after_ftyp:])
    assert run("inspect", clip, "--json", "--no-faces") == 0
    assert C2PA in json.loads(capsys.readouterr().out)["blocks"]
