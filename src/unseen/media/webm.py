"""The WebM (Matroska) container: blank what FFmpeg's muxer writes about itself."""

from __future__ import annotations

from pathlib import Path


def strip(path: Path) -> None:
    """Blank the Matroska MuxingApp/WritingApp strings ("Lavf"): they name the software only."""
    with open(path, "rb+") as fh:
        head = fh.read(4096)
        for ident in (b"\x4d\x80", b"\x57\x41"):
            i = head.find(ident + b"\x84Lavf")
            if i >= 0:
                fh.seek(i + 3)
                fh.write(b"\0\0\0\0")
