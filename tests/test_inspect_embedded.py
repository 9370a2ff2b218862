"""``unseen inspect`` on what a file keeps beside the picture it shows, and inside the blocks it used to
name only: a HEIF's other pictures, a Photoshop file's resources and layers, XMP and IPTC contents, a
JPEG 2000's XML, a video's XMP and user data, EXIF text in other encodings (hunt of 2026-12-06: each
said "no metadata found", "faces found by unseen: 0" or only a block's name)."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES, GROUP, ROOT, run, shared_path
from PIL import Image
from synth import grey_clip

XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
       b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Springfield" '
       b'exif:GPSLatitude="48,51.504N" exif:GPSLongitude="2,17.67E">'
       b'<dc:creator><rdf:Seq><rdf:li>Jane Q Doe</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>'
       b'</x:xmpmeta>')


def _iim(*fields: tuple[int, bytes]) -> bytes:
    """A raw IPTC-IIM stream of application-record (2) datasets."""
    return b"".join(b"\x1c\x02" + bytes([n]) + struct.pack(">H", len(v)) + v for n, v in fields)


def _resource(rid: int, data: bytes) -> bytes:
    """One Photoshop image resource: signature, id, an empty Pascal name (padded), size, data (padded)."""
    return b"8BIM" + struct.pack(">H", rid) + b"\0\0" + struct.pack(">I", len(data)) + data + b"\0" * (len(data) & 1)


def _group_jpeg(width: int = 250) -> bytes:
    buf = io.BytesIO()
    with Image.open(GROUP) as im:
        im.convert("RGB").resize((width, round(width * im.height / im.width))).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _inspect(capsys, path: Path, *flags: str) -> dict:
    capsys.readouterr()
    assert run("inspect", path, "--json", *flags) == 0
    return json.loads(capsys.readouterr().out)


def test_inspect_lists_a_heifs_other_picture_and_thumbnail(tmp_path: Path, capsys):
    """A HEIF holds more than the picture viewers show: here a grey primary picture, a second picture of
    six people and a thumbnail. inspect said "faces found by unseen: 0" and named neither."""
    import pillow_heif

    heif = pillow_heif.from_pillow(Image.new("RGB", (320, 240), (120, 120, 120)))
    heif.add_from_pillow(Image.open(GROUP).convert("RGB"))
    src = tmp_path / "two.heic"
    heif.save(src, quality=70, thumbnails=[96])
    found = _inspect(capsys, src)
    shown = {t["kind"]: (tuple(t["size"]), t["face"]) for t in found["thumbnails"]}
    assert shown["HEIF picture 2 of 2 (not the one viewers show)"] == ((500, 332), True)
    assert shown["HEIF thumbnail"][1] is False and max(shown["HEIF thumbnail"][0]) == 96
    assert found["faces"] == 0  # the picture shown is grey: the faces are in the one it hides
    quick = _inspect(capsys, src, "--no-faces")
    assert [t["face"] for t in quick["thumbnails"]] == [None, None]


def test_inspect_looks_at_an_mpos_second_picture(tmp_path: Path, capsys):
    """An MPO (a stereo camera's, a phone's) whose first picture is grey and second holds six people: inspect
    named only "multi-picture (MPF) extra images", "faces found by unseen: 0" (a hunt, 2026-12-06)."""
    src = tmp_path / "pair.mpo"
    grey = Image.new("RGB", (320, 240), (120, 120, 120))
    grey.save(src, "MPO", save_all=True, append_images=[Image.open(GROUP).convert("RGB")])
    found = _inspect(capsys, src)
    shown = {t["kind"]: (tuple(t["size"]), t["face"]) for t in found["thumbnails"]}
    assert shown["the file's second picture (MPF)"] == ((500, 332), True), found
    assert found["faces"] == 0


def test_inspect_reads_a_photoshop_files_resources(tmp_path: Path, capsys):
    """A PSD's IPTC, XMP, URL and thumbnail live in its image resources: inspect named only "ICC profile"."""
    resources = b"".join([_resource(1028, _iim((80, b"Jane Q Doe"), (90, b"Springfield"),
                                                (120, b"Jane at home, 12 Elm St"))),
                          _resource(1060, XMP), _resource(1035, b"https://example.org/jane"),
                          _resource(1036, b"\0" * 28 + _group_jpeg())])
    w, h = 8, 6
    head = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, h, w, 8, 3)  # version 1, 3 channels, 8 bits, RGB
    pixels = struct.pack(">H", 0) + bytes(3 * w * h)  # raw, planar
    src = tmp_path / "edit.psd"
    src.write_bytes(head + struct.pack(">I", 0) + struct.pack(">I", len(resources)) + resources
                    + struct.pack(">I", 0) + pixels)
    found = _inspect(capsys, src)
    assert found["people"]["IPTC By-line"] == "Jane Q Doe" and found["people"]["IPTC City"] == "Springfield"
    assert found["people"]["IPTC Caption"] == "Jane at home, 12 Elm St"
    assert found["people"]["XMP creator"] == "Jane Q Doe" and found["people"]["XMP City"] == "Springfield"
    assert found["people"]["Photoshop URL"] == "https://example.org/jane"
    assert found["gps"]["position"] == "48.8584, 2.2945"
    assert [(t["kind"], tuple(t["size"]), t["face"]) for t in found["thumbnails"]] == \
        [("Photoshop thumbnail", (250, 166), True)]


def test_inspect_lists_a_photoshop_files_layers(capsys):
    """Each layer of a PSD is a picture of its own (a hidden one too); viewers show the merged one."""
    src = shared_path("pillow_test_images/Tests/images/hopper.psd")
    found = _inspect(capsys, src)
    assert "Photoshop layers (2: each a picture of its own, hidden ones too)" in found["blocks"]
    layers = [t for t in found["thumbnails"] if t["kind"].startswith("Photoshop layer")]
    assert [(t["kind"], tuple(t["size"])) for t in layers] == [("Photoshop layer 1 of 2", (128, 128)),
                                                                ("Photoshop layer 2 of 2", (128, 128))]
    assert all(t["face"] is not None for t in layers)


def test_inspect_reads_xmp_and_iptc_in_a_jpeg(tmp_path: Path, capsys):
    """XMP and IPTC showed as "metadata blocks: XMP, IPTC": the creator, the city, the caption with a
    street and the XMP GPS position never surfaced."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buf, "JPEG", xmp=XMP)
    data = buf.getvalue()
    app13 = b"Photoshop 3.0\0" + _resource(1028, _iim((80, "Zoë Roe".encode()), (120, b"at 12 Elm St")))
    src = tmp_path / "captioned.jpg"
    src.write_bytes(data[:2] + b"\xff\xed" + struct.pack(">H", len(app13) + 2) + app13 + data[2:])
    found = _inspect(capsys, src, "--no-faces")
    assert {"XMP", "IPTC"} <= set(found["blocks"])
    assert found["people"]["XMP creator"] == "Jane Q Doe" and found["people"]["XMP City"] == "Springfield"
    assert found["people"]["IPTC By-line"] == "Zoë Roe" and found["people"]["IPTC Caption"] == "at 12 Elm St"
    assert found["gps"]["position"] == "48.8584, 2.2945"


def test_inspect_reads_a_360_photos_gpano_serial_and_heading(tmp_path: Path, capsys):
    """A 360 camera's photo sphere carries, in GPano XMP, the app with the camera's serial and the compass heading
    it faced: inspect said only "XMP" (a hunt, 2026-12-06)."""
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:GPano="http://ns.google.com/photos/1.0/panorama/" '
           b'GPano:ProjectionType="equirectangular" GPano:CaptureSoftware="Insta360 X3 SN IXSE42ABCDEF" '
           b'GPano:PoseHeadingDegrees="237.5"/></rdf:RDF></x:xmpmeta>')
    src = tmp_path / "sphere.jpg"
    Image.new("RGB", (512, 256), (90, 120, 150)).save(src, "JPEG", xmp=xmp)
    found = _inspect(capsys, src, "--no-faces")
    assert found["device"]["XMP CaptureSoftware"] == "Insta360 X3 SN IXSE42ABCDEF", found
    assert found["gps"]["XMP PoseHeadingDegrees"] == "237.5", found


def test_inspect_decodes_exif_text_in_other_encodings(tmp_path: Path, capsys):
    """Windows' XP tags (UTF-16) showed as b'J\\x00a...', an Artist written in UTF-8 as "JosÃ©"; a file
    path in DocumentName, EXIF 3.0's Photographer and a street in GPSAreaInformation were not named."""
    exif = Image.Exif()
    exif[0x013B] = "JosXX MXXller"  # Artist: its UTF-8 bytes put in below, in a tag of type ASCII as exiftool does
    exif[0x010D] = r"C:\Users\janedoe\Pictures\kids_school.jpg"  # DocumentName
    exif[0x9C9B] = "Jane's birthday".encode("utf-16-le")  # XPTitle
    exif.get_ifd(0x8769)[0xA437] = "Jane Q Doe"  # Photographer (EXIF 3.0)
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\0" + "white cat, art by Zoë".encode("utf-16-le")  # UserComment
    exif.get_ifd(0x8825)[0x1C] = b"ASCII\0\0\x0012 Elm St Springfield"  # GPSAreaInformation
    src = tmp_path / "tags.jpg"
    Image.new("RGB", (64, 48), (90, 120, 150)).save(src, exif=exif.tobytes())
    src.write_bytes(src.read_bytes().replace(b"JosXX MXXller", "José Müller".encode()))
    people = _inspect(capsys, src, "--no-faces")["people"]
    assert people["Artist"] == "José Müller" and people["XPTitle"] == "Jane's birthday"
    assert people["DocumentName"] == r"C:\Users\janedoe\Pictures\kids_school.jpg"
    assert people["Photographer"] == "Jane Q Doe" and people["UserComment"] == "white cat, art by Zoë"
    assert people["GPSAreaInformation"] == "12 Elm St Springfield"


def test_inspect_reads_a_jpeg_2000s_xml_box(tmp_path: Path, capsys):
    """A JPEG 2000's XML box (a street address, a caption) gave "no metadata found"."""
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 120, 150)).save(buf, "JPEG2000")
    xml = b"<Location><Address>70 Lighthouse St</Address><Zip>14612</Zip></Location>"
    src = tmp_path / "scan.jp2"
    src.write_bytes(buf.getvalue() + struct.pack(">I", 8 + len(xml)) + b"xml " + xml)
    found = _inspect(capsys, src, "--no-faces")
    assert "JPEG 2000 XML box" in found["blocks"]
    assert found["people"]["JPEG 2000 XML 1"] == "70 Lighthouse St / 14612"


def test_inspect_reads_a_videos_xmp_and_user_data(tmp_path: Path, capsys):
    """An MP4's XMP (a uuid box: creator, GPS) and a user-data box FFmpeg does not map (a serial number)
    were not listed at all."""
    src = tmp_path / "clip.mp4"
    grey_clip(src)
    data = src.read_bytes()
    moov = data.index(b"moov") - 4
    assert moov + struct.unpack(">I", data[moov:moov + 4])[0] == len(data)  # the last box: grown in place
    slno = struct.pack(">I", 16) + b"slno" + b"SN123456"
    udta = struct.pack(">I", 8 + len(slno)) + b"udta" + slno
    size = struct.unpack(">I", data[moov:moov + 4])[0] + len(udta)
    uuid = bytes.fromhex("be7acfcb97a942e89c71999491e3afac") + XMP
    src.write_bytes(data[:moov] + struct.pack(">I", size) + data[moov + 4:] + udta
                    + struct.pack(">I", 8 + len(uuid)) + b"uuid" + uuid)
    found = _inspect(capsys, src, "--no-faces")
    assert found["people"]["XMP creator"] == "Jane Q Doe" and found["gps"]["position"] == "48.8584, 2.2945"
    assert found["device"]["user data slno"] == "SN123456"
    assert {"XMP", "MP4 user data box slno"} <= set(found["blocks"])


def test_inspect_lists_a_tiffs_sub_images(capsys):
    """A TIFF's sub-images (a camera's preview, a DNG's full JPEG) were not listed."""
    src = shared_path("pillow_test_images/Tests/images/child_ifd_jpeg.tiff")
    found = _inspect(capsys, src)
    assert [(t["kind"], tuple(t["size"])) for t in found["thumbnails"]] == \
        [("TIFF sub-image (a camera's preview or full picture)", (20, 20))]


def _png_bomb(path: Path, side: int = 40000) -> None:
    """A 1-bit PNG of ``side`` x ``side`` zero pixels (~200 KB), its EXIF (an Artist) and an Author text
    chunk after the image data, where Pillow decodes every pixel to reach them."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    z = zlib.compressobj(9)
    row = bytes(1 + side // 8)
    idat = b"".join(z.compress(row * 1000) for _ in range(side // 1000)) + z.flush()
    exif = Image.Exif()
    exif[0x013B] = "Jane Q Doe"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", idat) + chunk(b"eXIf", exif.tobytes()) + chunk(b"tEXt", b"Author\0Zoe Roe")
                     + chunk(b"IEND", b""))


def test_inspect_reads_what_follows_a_huge_pngs_pixels_without_decoding_them(tmp_path: Path):
    """A 200 KB PNG of 1.6 gigapixels took 1.6 GB under ``inspect --no-faces`` (6 GB for a larger one)
    to reach the EXIF and text after its pixels, and with faces counted as much before the pixel limit
    refused it. Run under a 1.5 GiB address-space limit: both list or refuse in one line."""
    src = tmp_path / "bomb.png"
    _png_bomb(src)
    code = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))
        sys.argv = ["unseen", "inspect", *sys.argv[1:]]
        from unseen.cli import run
        run()
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    quick = subprocess.run([sys.executable, "-c", code, str(src), "--no-faces", "--json"], capture_output=True,
                           text=True, env=env, timeout=300)
    assert quick.returncode == 0, quick.stderr
    found = json.loads(quick.stdout)
    assert found["people"]["Artist"] == "Jane Q Doe" and found["people"]["Author"] == "Zoe Roe"
    assert "EXIF" in found["blocks"]
    full = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert full.returncode == 1 and full.stderr.count("\n") == 1, full.stderr
    assert "over the limit of 200.0 MP" in full.stderr


def test_inspect_takes_max_pixels(group: Path, capsys):
    """The refusal said "raise with --max-pixels", which ``inspect`` did not take."""
    assert run("inspect", group, "--max-pixels", "1000") == 1
    assert "over the limit of" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        run("inspect", group, "--max-pixels", "0")
    assert stop.value.code == 2
    capsys.readouterr()
    clip = FIXTURES / "video" / "head_pose.mp4"  # a video's said "; nothing written", of a file inspect never writes
    assert run("inspect", clip, "--max-pixels", "10000") == 1
    said = capsys.readouterr().err
    assert "over the limit for video frames" in said and "written" not in said, said


def test_a_hostile_xmp_packet_is_read_in_linear_time(tmp_path: Path, capsys):
    """XMP is read on every photo a run covers (its report lists what was dropped): a first reader searched
    each property's closing tag from each opening one, and 220 KB of unclosed "<a:creator>" took 19 s
    (a megabyte, minutes); then its patterns backtracked over a run of letters or dots with no colon (64 KB of
    "a": 11 s), and each nested element's value was read to its closing tag (19 s). Read here in one pass,
    without backtracking, a value at most 4 KB: a megabyte of each."""
    import time

    from unseen.inspect.contents import _XMP, read_xmp
    from unseen.inspect.findings import Findings

    names = [n for section in _XMP.values() for n in section]  # each opened 20 times, closed after 900 KB
    nested = b"".join(b"<a:%s>" % n.encode() * 20 for n in names) + b"<b:x/>" * 150000 + \
        b"".join(b"</a:%s>" % n.encode() for n in names)
    for packet in (b"<a:creator>" * 95000, b'<a:creator x="' * 70000, b"<a:City><a:City></a:City>" * 40000,
                   b"a" * (1 << 20), b'x:creator="' + b"a" * (1 << 20), b"." * (1 << 20),
                   b"<dc:creator " + b"a" * (1 << 20), b"<dc:creator>" + b"<" * (1 << 20) + b"</dc:creator>",
                   nested):
        t0 = time.process_time()
        read_xmp(packet, Findings(path="x"))
        assert time.process_time() - t0 < 3
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buf, "JPEG", xmp=b"<x:xmpmeta>" + b"<a:creator>" * 5000)
    src = tmp_path / "slow.jpg"
    src.write_bytes(buf.getvalue())
    assert _inspect(capsys, src, "--no-faces")["blocks"] == ["XMP"]


@pytest.mark.parametrize(("rel", "section", "name", "value"), [
    ("exif_samples_ianare/jpg/exif-org/canon-ixus.jpg", "people", "OwnerName", "Tom Rowan and Sarah Clifton"),
    ("exiftool_test_images/t/images/Canon.jpg", "device", "SerialNumber", "560018150"),
    ("exif_samples_ianare/jpg/Panasonic_DMC-FZ30.jpg", "device", "InternalSerialNumber", "S010604030293"),
])
def test_inspect_reads_owner_names_and_serials_in_maker_notes(capsys, rel: str, section: str, name: str, value: str):
    """A Canon's maker notes held its owner's name and serial number; inspect said "maker notes" only."""
    found = _inspect(capsys, shared_path(rel), "--no-faces")
    assert found[section][f"maker notes {name}"] == value


def test_hostile_blocks_are_listed_in_linear_time(tmp_path: Path, capsys):
    """An EXIF block of nothing but FF D8 FF (each opened as a JPEG: 64 KB took 92 s), a PNG of 100,000
    private chunks of different names (each checked against the list one by one), and an MP4 whose tracks
    nest 5,000 deep (a recursion error: "cannot read video") are listed quickly, or cut short and said so."""
    import time

    exif = Image.Exif()
    exif[0x010F] = "Camera"
    exif.get_ifd(0x8769)[0x927C] = b"\xff\xd8\xff\xe0" * 16000
    jpeg = tmp_path / "starts.jpg"
    Image.new("RGB", (64, 48), (90, 120, 150)).save(jpeg, exif=exif.tobytes())
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 120, 150)).save(buf, "PNG")
    data = buf.getvalue()
    private = b"".join(struct.pack(">I", 0) + b"x" + bytes([97 + k % 26, 97 + k // 26 % 26, 97 + k // 676 % 26])
                       + struct.pack(">I", 0) for k in range(17000))
    png = tmp_path / "chunks.png"
    png.write_bytes(data[:-12] + private * 6 + data[-12:])
    for src in (jpeg, png):
        t0 = time.process_time()
        found = _inspect(capsys, src, "--no-faces")
        assert time.process_time() - t0 < 10, src
    assert len(found["blocks"]) <= 66 and found["blocks"][-1].endswith("more blocks of other names")
    clip = tmp_path / "deep.mp4"
    grey_clip(clip, frames=1)
    data = clip.read_bytes()
    moov = data.index(b"moov") - 4
    deep = b""
    for _ in range(5000):
        deep = struct.pack(">I", 8 + len(deep)) + b"trak" + deep
    size = struct.unpack(">I", data[moov:moov + 4])[0] + len(deep)
    clip.write_bytes(data[:moov] + struct.pack(">I", size) + data[moov + 4:] + deep)
    assert _inspect(capsys, clip, "--no-faces")["format"] == "mp4"


def test_inspect_lists_a_whole_jpeg_after_the_first(tmp_path: Path, capsys):
    """A second whole JPEG after the first's end (an editor's original kept behind its edit, two files joined)
    was only "N bytes after the end of the picture": listed now with whether a face is seen in it."""
    buf = io.BytesIO()
    Image.new("RGB", (200, 150), (90, 90, 90)).save(buf, "JPEG")
    src = tmp_path / "edited.jpg"
    src.write_bytes(buf.getvalue() + _group_jpeg(500))
    found = _inspect(capsys, src)
    assert {t["kind"]: (tuple(t["size"]), t["face"]) for t in found["thumbnails"]} == {
        "a second picture after the first's end": ((500, 332), True)}
    assert found["faces"] == 0  # the picture shown is grey: the faces are behind it
