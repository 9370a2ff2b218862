"""``unseen inspect``: where drones, dashcams and phones keep a location besides EXIF and the container's tags.

Each case was missed or mislabelled by ``inspect`` (a hunt, 2026-12-06: DJI's subtitles and XMP, a track's
own location, 3GPP's ``loci``, a dashcam's NMEA); the outputs of all of them were clean, this is what the
user is told about the original. Built from small synthetic files.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import run, system_tool
from PIL import Image
from synth import grey_clip

LAT, LON = 22.54321, 114.057865


def _inspect(path: Path, capsys) -> tuple[dict, str]:
    assert run("inspect", path, "--json") == 0
    got = json.loads(capsys.readouterr().out)
    assert run("inspect", path) == 0
    return got, capsys.readouterr().out


def _with_udta(src: Path, dst: Path, udta_items: bytes, in_track: bool) -> None:
    """``src`` (an MP4 whose ``moov`` is its last box) with a ``udta`` of ``udta_items`` added to its first
    track, or to the ``moov`` itself."""
    b = bytearray(src.read_bytes())

    def find(start: int, end: int, kind: bytes) -> tuple[int, int]:
        at = start
        while at < end:
            n, k = struct.unpack(">I4s", b[at : at + 8])
            if k == kind:
                return at, n
            at += n
        raise AssertionError(kind)

    moov = find(0, len(b), b"moov")
    assert moov[0] + moov[1] == len(b)
    udta = struct.pack(">I4s", 8 + len(udta_items), b"udta") + udta_items
    box = find(moov[0] + 8, len(b), b"trak") if in_track else moov
    end = box[0] + box[1]
    b[end:end] = udta
    struct.pack_into(">I", b, box[0], box[1] + len(udta))
    if in_track:
        struct.pack_into(">I", b, moov[0], moov[1] + len(udta))
    dst.write_bytes(bytes(b))


def _item(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_a_drone_s_subtitle_track_of_coordinates_is_a_location(tmp_path, capsys):
    """A DJI drone writes a subtitle line a frame: "[latitude: 22.543210] [longitude: 114.057865]".
    ``inspect`` listed the track as subtitles and said nothing of a location."""
    ffmpeg = system_tool("ffmpeg", "ffmpeg")
    clip, srt, src = tmp_path / "clip.mp4", tmp_path / "gps.srt", tmp_path / "DJI_0001.MP4"
    grey_clip(clip)
    srt.write_text("".join(f"{i + 1}\n00:00:00,{i * 100:03d} --> 00:00:00,{i * 100 + 100:03d}\n"
                           f"FrameCnt: {i + 1}, DiffTime: 100ms\n2026-05-01 14:22:07.123 [iso: 100] [shutter: 1/500.0] "
                           f"[fnum: 2.8] [ev: 0] [ct: 5500] [color_md: default] [focal_len: 24.00] "
                           f"[latitude: {LAT:.6f}] [longitude: {LON:.6f}] [rel_alt: 50.000 abs_alt: 120.5]\n\n"
                           for i in range(5)))
    subprocess.run([ffmpeg, "-v", "error", "-i", clip, "-i", srt, "-c:v", "copy", "-c:s", "mov_text", src],
                   check=True)
    got, text = _inspect(src, capsys)
    assert got["gps"]["position"] == f"{LAT}, {LON}"
    assert "latitude: 22.543210" in got["gps"]["subtitle stream 1"]
    assert f"GPS position: {LAT}, {LON} (in subtitle stream 1)" in text
    assert "stream 1: subtitle [subtitles (text can name people)]" in text


def test_a_drone_photo_s_xmp_position_is_a_location(tmp_path, capsys):
    """DJI writes its position in XMP as ``drone-dji:GpsLatitude`` / ``GpsLongtitude`` (so spelled), in
    decimal degrees: ``inspect`` matched only EXIF's spelling, ``GPSLatitude``, and found no location once an
    app had stripped the EXIF GPS."""
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/" '
           b'drone-dji:GpsLatitude="+22.543210" drone-dji:GpsLongtitude="+114.057865" '
           b'drone-dji:AbsoluteAltitude="+120.50" drone-dji:RelativeAltitude="+50.00"/></rdf:RDF></x:xmpmeta>')
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buf, "JPEG", xmp=xmp)
    src = tmp_path / "DJI_0002.JPG"
    src.write_bytes(buf.getvalue())
    got, text = _inspect(src, capsys)
    assert got["gps"]["position"] == f"{LAT}, {LON}"
    assert got["gps"]["XMP AbsoluteAltitude"] == "+120.50"
    assert f"GPS position: {LAT}, {LON} (in XMP)" in text


@pytest.mark.parametrize("case", ["track xyz", "loci", "nmea"])
def test_a_location_in_mp4_user_data_is_a_location(tmp_path, capsys, case):
    """A track's own ``©xyz`` (FFmpeg maps only the file's to a tag), 3GPP's ``loci`` (listed as a device's
    "user data loci=earth") and a dashcam's NMEA sentences in ``gps0`` (listed under device) are locations."""
    clip, src = tmp_path / "clip.mp4", tmp_path / "in.mp4"
    grey_clip(clip)
    if case == "track xyz":
        where = b"+22.5432+114.0578/"
        _with_udta(clip, src, _item(b"\xa9xyz", struct.pack(">HH", len(where), 0x15C7) + where), in_track=True)
        want, key = "22.5432, 114.0578", "track location (\xa9xyz)"
    elif case == "loci":
        fixed = [round(v * 65536) for v in (LON, LAT, 120.5)]
        payload = bytes(4) + b"\x15\xc7" + b"Harbour\0" + b"\0" + struct.pack(">iii", *fixed) + b"earth\0\0"
        _with_udta(clip, src, _item(b"loci", payload), in_track=False)
        want, key = "22.54321, 114.05786, 120.5 m", "3GPP location (loci)"  # 16.16 fixed point: 5 places
    else:
        nmea = b"$GPRMC,142207.000,A,2232.5926,N,11403.4719,E,25.90,87.10,010526,,,A*6B\r\n"
        _with_udta(clip, src, _item(b"gps0", nmea), in_track=False)
        want, key = None, "user data gps0"
    got, text = _inspect(src, capsys)
    assert key in got["gps"], got
    assert not any("loci" in k or "gps0" in k for k in got["device"]), got["device"]
    if want:
        assert got["gps"]["position"] == want
        assert f"GPS position: {want} (in " in text and key in text
    else:
        assert "$GPRMC,142207.000,A,2232.5926,N" in got["gps"][key]
        assert "  GPS: user data gps0=$GPRMC" in text
