"""What an output container may still say about where it came from: exiftool's and ffprobe's views
of a video unseen wrote, checked against what a bitexact muxer writes and nothing else (shared by the
video and voice tests)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def exif(exiftool: str, path: Path) -> dict:
    out = subprocess.run([exiftool, "-j", "-a", "-G1", "-ee", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)[0]


def assert_clean(exiftool: str, path: Path) -> None:
    tags = exif(exiftool, path)
    bad = [k for k in tags if any(s in k for s in ("GPS", "Make", "Model", "Encoder", "HandlerVendorID",
                                                    "Software", "Title", "Comment", "Location", "Author",
                                                    "Artist", "CreationDate", "ContentCreateDate"))]
    assert not bad, {k: tags[k] for k in bad}
    for k, v in tags.items():
        if k.endswith(("CreateDate", "ModifyDate")) and not k.startswith("System:"):
            assert str(v).startswith("0000:00:00"), (k, v)
    data = path.read_bytes()
    for s in (b"x264", b"Lavf", b"Lavc", b"HandBrake", b"Apple", b"iPhone"):
        assert s not in data, s


def probe(ffprobe: str, path: Path) -> dict:
    """ffprobe's view: container, streams, chapters and every video frame's side data."""
    def run(*args: str) -> dict:
        out = subprocess.run([ffprobe, "-v", "error", *args, "-of", "json", str(path)],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    doc = run("-show_format", "-show_streams", "-show_chapters")
    doc["frames"] = run("-show_frames", "-select_streams", "v", "-show_entries", "frame=side_data_list")["frames"]
    return doc


# What a bitexact MP4 muxer writes and nothing else: brands, "und" language, generic handler names.
ALLOWED_FORMAT_TAGS = {"major_brand", "minor_version", "compatible_brands"}
ALLOWED_STREAM_TAGS = {"language": {"und"}, "handler_name": {"VideoHandler", "SoundHandler"},
                       "vendor_id": {"[0][0][0][0]"}}


def assert_probe_clean(ffprobe: str, path: Path, audio: bool) -> None:
    doc = probe(ffprobe, path)
    assert set(doc["format"].get("tags", {})) <= ALLOWED_FORMAT_TAGS, doc["format"]["tags"]
    assert [s["codec_type"] for s in doc["streams"]] == (["video", "audio"] if audio else ["video"])
    for s in doc["streams"]:
        for k, v in s.get("tags", {}).items():
            assert v in ALLOWED_STREAM_TAGS.get(k, ()), (s["codec_type"], k, v)
        assert not s.get("side_data_list"), s["side_data_list"]  # no display matrix: rotation is in the pixels
    assert doc["chapters"] == []
    side = [f["side_data_list"] for f in doc["frames"] if f.get("side_data_list")]
    assert not side, side[:3]  # x264's "User Data Unregistered" SEI (its version and settings) is gone
