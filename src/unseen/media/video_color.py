"""A video's colours as FFmpeg states them: the YUV matrix and range its frames are read with and written in,
and the tags copied onto the output (``Color``). Each frame carries its own (``video_read.DecodedFrame``):
recordings joined in one file may differ."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UnseenError

_CS_SUPPORTED = {1: 1, 4: 4, 5: 5, 6: 5, 7: 7, 9: 9, 10: 9}  # AVColorSpace -> swscale colorspace
RGB, BT601 = 0, 6  # AVCOL_SPC_RGB (frames stored as RGB), AVCOL_SPC_SMPTE170M (the matrix swscale uses unasked)
# YUV matrices swscale cannot convert from: a YCgCo clip failed with "video processing failed: Operation not
# supported" (a hunt, 2026-12-06), which named neither the cause nor a way out.
_CS_REFUSED = {8: "YCgCo", 11: "SMPTE 2085", 12: "chromaticity-derived", 13: "chromaticity-derived", 14: "ICtCp"}


@dataclass
class Color:
    """The input's YUV matrix and range: used both ways so unmasked pixels keep their colours."""

    colorspace: int | None
    full_range: bool
    tags: tuple[int, int, int, int]  # colorspace, range, primaries, trc (copied onto the output)

    @classmethod
    def from_frame(cls, frame) -> Color:
        """An RGB input (FFV1, PNG or ProRes 4444 frames stored as RGB) is written as 4:2:0 YUV made with the
        BT.601 matrix, and tagged so: its own tag (RGB, "identity") on a 4:2:0 output told players to show
        the planes as if they were G, B and R, and VP9 refused to write it; untagged, players may take an HD
        picture's YUV for BT.709."""
        cs = _CS_SUPPORTED.get(int(frame.colorspace))
        # a range the frame states wins over its format's: joined to a full-range recording, a limited one's
        # frames still came out of the decoder as yuvj420p (a hunt, 2026-12-06)
        full = int(frame.color_range) == 2 or (int(frame.color_range) == 0 and frame.format.name.startswith("yuvj"))
        rgb = frame.format.is_rgb or frame.format.has_palette or int(frame.colorspace) == RGB
        if not rgb and int(frame.colorspace) in _CS_REFUSED:
            raise UnseenError(f"its colour matrix ({_CS_REFUSED[int(frame.colorspace)]}) is not one unseen converts "
                              "(BT.601, BT.709, BT.2020); re-encode it with BT.709 first")
        matrix = BT601 if rgb else int(frame.colorspace)
        return cls(cs, full, (matrix, 2 if full else 1, int(frame.color_primaries), int(frame.color_trc)))
