"""Check a finished video independently of how it was written: tags, streams, chapters, encoder
strings, SEI and the frame count. Any finding fails the file (nothing is written)."""

from __future__ import annotations

import struct
from pathlib import Path

from ..errors import UnseenError
from . import mp4
from .ffmpeg import av, error_line, open_input
from .mp4 import LEAK_STRINGS
from .video_write import CODECS


def _nal_types(data: bytes, hevc: bool) -> list[int]:
    """NAL unit types of a length-prefixed (MP4) H.264/H.265 packet."""
    out, i = [], 0
    while i + 4 <= len(data):
        (n,) = struct.unpack(">I", data[i : i + 4])
        if n == 0 or i + 4 + n > len(data):
            break
        b = data[i + 4]
        out.append((b >> 1) & 0x3F if hevc else b & 0x1F)
        i += 4 + n
    return out


def verify_output(path: Path, codec: str, frames: int, audio: bool) -> list[str]:
    """Re-read the finished file independently of how it was written; return every problem."""
    _av = av()
    problems: list[str] = []
    fmt = CODECS[codec][1]
    if fmt == "mp4":
        problems += mp4.leaks(path)
    else:
        with open(path, "rb") as fh:
            head = fh.read(65536)
            fh.seek(max(0, path.stat().st_size - 65536))
            tail = fh.read()
        problems += [f"string {s.decode()}" for s in LEAK_STRINGS if s in head or s in tail]
    try:
        with open_input(path) as c:
            problems += _tag_problems(c)
            types = sorted(s.type for s in c.streams)
            want = ["audio", "video"] if audio else ["video"]
            if types != want:
                problems.append(f"streams {types}, expected {want}")
            v = c.streams.video[0]
            n, hevc = 0, codec == "h265"
            for p in c.demux(v):
                if p.size == 0:
                    continue
                if n < 8 and codec in ("h264", "h265"):
                    data = bytes(p)
                    sei = {6} if not hevc else {39, 40}
                    if sei & set(_nal_types(data, hevc)):
                        problems.append("SEI in video packets")
                    problems += [f"string {s.decode()} in video packet" for s in LEAK_STRINGS if s in data]
                n += 1
            if n != frames:
                problems.append(f"{n} video packets, expected {frames} frames")
    except UnseenError as exc:
        problems.append(f"does not read back ({exc})")
    except _av.error.FFmpegError as exc:
        problems.append(f"does not read back ({error_line(exc)})")
    return problems


def _tag_problems(c) -> list[str]:
    """Container and stream tags beyond what our writer leaves, and chapters."""
    problems = []
    allowed = {"major_brand", "minor_version", "compatible_brands"}
    extra = sorted(k for k, val in c.metadata.items() if k not in allowed and str(val).strip())
    if extra:
        problems.append("container tags " + ", ".join(extra))
    if c.chapters():
        problems.append("chapters")
    for s in c.streams:
        tags = {k: v for k, v in s.metadata.items()
                if not (k == "language" and v == "und")
                and not (k == "handler_name" and v in ("VideoHandler", "SoundHandler"))
                and not (k == "vendor_id" and v == "[0][0][0][0]")
                and k != "DURATION"}
        if tags:
            problems.append(f"stream {s.index} tags " + ", ".join(sorted(tags)))
    return problems


def written_clean(path: Path) -> bool:
    """Could this video be one unseen wrote: an H.264/H.265 MP4 or a WebM with none of the boxes, tags
    or streams an output never has? Never decodes a frame (``engine.plan`` asks it of files named like
    outputs)."""
    try:
        if path.suffix.lower() not in (".mp4", ".webm") or (path.suffix.lower() == ".mp4" and mp4.leaks(path)):
            return False
        with open_input(path) as c:
            codecs = {s.codec_context.name for s in c.streams.video if s.codec_context is not None}
            return (not _tag_problems(c) and {s.type for s in c.streams} <= {"video", "audio"}
                    and len(codecs) == 1 and codecs <= {"h264", "hevc", "vp9"})
    except (OSError, UnseenError, av().error.FFmpegError):
        return False
