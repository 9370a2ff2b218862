"""Writing video: a brand-new container built from pixels (and re-encoded audio, when kept).

No stream, tag or side data of the input is ever copied. Container and codec run "bitexact" (no
encoder/muxer version strings) and the H.264/H.265 encoder's identification SEI is removed by
FFmpeg's ``filter_units`` bitstream filter; what the muxer still writes is cut out afterwards by the
container's own module (``mp4.strip``, ``webm.strip``) and checked by ``video_check``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UnseenError
from .ffmpeg import av, error_line, format_changed, open_output
from .video_color import Color

# codec option -> (FFmpeg encoder, container format, extension, SEI NAL types to strip)
CODECS: dict[str, tuple[str, str, str, str | None]] = {
    "h264": ("libx264", "mp4", ".mp4", "filter_units=remove_types=6"),
    "h265": ("libx265", "mp4", ".mp4", "filter_units=remove_types=39|40"),
    "vp9": ("libvpx-vp9", "webm", ".webm", None),
}
ENCODER_OPTIONS = {
    # superfast/crf 20 (bench/encoder.py, docs/BENCHMARKS.md "Video: encoder preset"): on the 1080p
    # facenet clip 22 CPU ms per frame against 40 for veryfast (the previous default; x264's
    # "medium" cost ~2.7x veryfast when that was chosen), at the same PSNR-Y (45.4 dB) in files 11-26%
    # larger; ultrafast is cheaper again but makes files ~2.8x larger. Every frame is re-encoded, so
    # this is a fixed share of every clip's cost.
    # mbtree=0: with x264's macroblock-tree rate control the same frames encoded twice came out
    # different (even single-threaded), so two runs of one file, or the local and cluster engines,
    # gave different pixels. Off: outputs are reproducible, files ~20% larger at the same crf.
    "libx264": {"preset": "superfast", "crf": "20", "a53cc": "0", "udu_sei": "0", "x264-params": "mbtree=0"},
    "libx265": {"preset": "veryfast", "crf": "22", "x265-params": "log-level=error:info=0"},
    "libvpx-vp9": {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
}
BITEXACT = 1 << 23  # AV_CODEC_FLAG_BITEXACT
# Frames larger than 4K DCI are encoded without B-frames: x264 holds the frames a B-frame waits for, and
# encoding alone peaked at 1714 MiB for 7680 x 4320 frames (superfast, one thread), 989 MiB without (a probe
# on 10 frames); a whole 8K run's peak ("Video: 8K memory" in docs/BENCHMARKS.md) came down by as much.
# Files grow: +18% on a pan over a crowd, 1.9x on a clip of a still picture (a review's measurement);
# 1080p and 4K UHD frames are encoded as before.
BIG_FRAME = 4096 * 2160
NO_B_FRAMES = {"libx264": ("x264-params", "bframes=0"), "libx265": ("x265-params", "bframes=0")}

# One encoder thread: detection keeps both cores busy, and x264's frame threads then cost CPU without
# buying time (1080p superfast: 14 instead of 18 CPU ms a frame, measured in isolation on the facenet
# clip). The main thread decodes, masks and encodes well ahead of detection either way.
ENCODER_THREADS = 1


def encoder_options(encoder: str, width: int, height: int) -> dict[str, str]:
    """``ENCODER_OPTIONS`` for pictures of this size (``BIG_FRAME``)."""
    options = dict(ENCODER_OPTIONS[encoder])
    if width * height > BIG_FRAME and encoder in NO_B_FRAMES:
        key, value = NO_B_FRAMES[encoder]
        options[key] = f"{options[key]}:{value}" if options.get(key) else value
    return options


def output_extension(codec: str) -> str:
    try:
        return CODECS[codec][2]
    except KeyError:
        raise UnseenError(f"unknown video codec {codec!r}; choose one of {', '.join(CODECS)}") from None


@dataclass
class Writer:
    container: Any
    video: Any
    audio: Any | None
    bsf: Any | None
    size: tuple[int, int]  # even (w, h) the encoder takes
    color: Color
    tb: Fraction
    packets: int = 0
    audio_packets: int = 0
    audio_samples: int = 0
    cutting: bool = False  # within sound that falls over sound already written (``OVERLAP_CUT``)
    audio_origin: int | None = None
    audio_format: tuple[int, str] | None = None  # the first audio frame's rate and layout
    # Each frame's duration by its pts, until its packet is muxed: the encoders give packets none, and the
    # muxer then gave the last frame 1 / the average rate (a last frame held 2 s came out held 40 ms).
    durations: dict[int, int] = dataclasses.field(default_factory=dict)
    video_end: int | None = None  # the latest pts + duration of any frame
    last_packet: Any | None = None
    delay: int | None = None  # the first packet's pts - dts
    last_pts: int = -1  # the output's last frame time: two frames of a finer clock never share a tick

    def write_video(self, rgb: np.ndarray, pts: int, duration: int) -> None:
        w, h = self.size
        if rgb.shape[1] != w or rgb.shape[0] != h:
            rgb = np.ascontiguousarray(rgb[:h, :w])
        frame = av().VideoFrame.from_ndarray(rgb, format="rgb24")
        frame = frame.reformat(format="yuv420p", dst_colorspace=self.color.colorspace,
                               dst_color_range=2 if self.color.full_range else 1)
        self._encode(frame, pts, duration)

    def write_yuv420p(self, planes: np.ndarray, pts: int, duration: int) -> bool:
        """Encode decoded planes as they are (a new frame: no side data travels). False when the
        size differs from the encoder's (odd sizes are cropped), so the caller takes the RGB path."""
        w, h = self.size
        if planes.shape != (h * 3 // 2, w):
            return False
        self._encode(av().VideoFrame.from_ndarray(planes, format="yuv420p"), pts, duration)
        return True

    def _encode(self, frame, pts: int, duration: int) -> None:
        out_tb = self.video.time_base
        if out_tb != self.tb:  # the input's clock, in the output's (OUTPUT_TIME_BASE)
            pts, duration = round(pts * self.tb / out_tb), max(1, round(duration * self.tb / out_tb))
        step = max(1, int(OUTPUT_GRID / out_tb))  # 9 ticks of 1/90000 s; WebM's 1/1000 s is coarser still
        pts, duration = round(pts / step) * step, max(1, round(duration / step)) * step
        pts = self.last_pts = max(pts, self.last_pts + step)
        frame.pts = pts
        frame.time_base = out_tb
        frame.duration = duration
        self.durations[pts] = duration
        self._mux_video(self.video.encode(frame))

    def _mux_video(self, packets) -> None:
        for p in packets:
            for q in (self.bsf.filter(p) if self.bsf is not None else [p]):
                self._hold(q)

    def _hold(self, q) -> None:
        """Mux the packet held back and hold ``q``: the last one's duration ends the track."""
        q.stream = self.video
        held = self.durations.pop(q.pts, None) if q.pts is not None else None
        if not q.duration and held:
            q.duration = held
        if q.pts is not None and q.duration:
            self.video_end = max(self.video_end or 0, q.pts + q.duration)
        if self.delay is None and q.pts is not None and q.dts is not None:
            self.delay = q.pts - q.dts  # the B-frames' delay: the muxer's edit list starts there
        if self.last_packet is not None:
            self.container.mux(self.last_packet)
            self.packets += 1
        self.last_packet = q

    def _mux_last_video(self) -> None:
        """The last packet in decode order ends the track at its dts plus its duration; with B-frames
        it is not the last frame shown, whose duration (a still held for 2 s) is the one that counts."""
        q, self.last_packet = self.last_packet, None
        if q is None:
            return
        if q.dts is not None and self.video_end is not None:
            end = self.video_end - (self.delay or 0)  # where the last shown frame ends, on the dts line
            if end - q.dts > (q.duration or 0):
                q.duration = end - q.dts
        self.container.mux(q)
        self.packets += 1

    def write_audio(self, frame, origin_seconds: float) -> None:
        if self.audio is None:
            return
        rate = self.audio.codec_context.sample_rate
        now = (frame.sample_rate, frame.layout.name)
        if self.audio_format is None:
            self.audio_format = now
        elif now != self.audio_format:  # the encoder's resampler refused it: "ValueError: Frame does not match
            # AudioResampler setup" (a hunt, 2026-12-06); ``--audio mute-speech`` said this already
            raise format_changed(self.audio_format, now)
        if frame.pts is not None and frame.time_base:
            start = round((frame.pts * frame.time_base - origin_seconds) * rate)
        else:
            start = self.audio_samples
        if start + frame.samples <= 0:
            return  # audio before the first video frame
        if start < 0:  # it straddles the output's start: its samples before it cut, the rest kept in place
            frame, start = _without_first(frame, round(-start * (frame.sample_rate or rate) / rate)), 0
        behind = self.audio_samples - start if self.audio_samples else 0
        self.cutting = behind > 0 and (self.cutting or behind > OVERLAP_CUT * rate)
        if self.cutting:  # over sound already written: the overlap cut, to its last frame, the rest kept in place
            cut = round(behind * (frame.sample_rate or rate) / rate)
            if cut >= frame.samples:
                return
            frame, start = _without_first(frame, cut), self.audio_samples
        if self.audio_origin is None:
            self.audio_origin = start
        frame.pts = max(start, self.audio_samples) if self.audio_samples else max(0, start)
        frame.time_base = Fraction(1, rate)
        # The encoder resamples the frame to its own rate: counted at the input's (192 kHz into a 48 kHz
        # stream: 4x), the next frame's start was pushed on past its time and kept audio ran 4x too long.
        self.audio_samples = frame.pts + round(frame.samples * rate / (frame.sample_rate or rate))
        for p in self.audio.encode(frame):
            self.container.mux(p)
            self.audio_packets += 1

    def finish(self) -> None:
        self._mux_video(self.video.encode(None))
        if self.bsf is not None:
            for q in self.bsf.filter(None):
                self._hold(q)
        self._mux_last_video()
        if self.audio is not None:
            for p in self.audio.encode(None):
                self.container.mux(p)
                self.audio_packets += 1
        self.container.close()


def _without_first(frame, n: int):
    """An audio frame without its first ``n`` samples. The frame straddling the output's start was moved
    whole to zero: 1 s blocks of PCM 12.5 s ahead of the picture (cut at 10 s before it) came out with every
    sound 0.5 s late, AAC's 1024-sample frames up to 21 ms late (a hunt, 2026-12-06)."""
    data = frame.to_ndarray()
    keep = data[:, n:] if frame.format.is_planar else data[:, n * len(frame.layout.channels):]
    out = av().AudioFrame.from_ndarray(np.ascontiguousarray(keep), format=frame.format.name, layout=frame.layout.name)
    out.sample_rate, out.time_base = frame.sample_rate, frame.time_base
    return out


_AAC_RATES = {7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000}


# Channel counts written as they are; any other count is mixed down to stereo (FFmpeg's own rematrix).
OUTPUT_LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


def audio_channels(audio_in) -> tuple[int, str]:
    """The input audio's channel count and the layout it is written with (``OUTPUT_LAYOUTS``)."""
    in_cc = audio_in.codec_context
    channels = in_cc.layout.nb_channels if in_cc.layout else 2
    return channels, OUTPUT_LAYOUTS.get(channels, "stereo")


def add_audio(out, audio_in, fmt: str):
    """AAC (MP4) or Opus (WebM) stream for re-encoded audio: mono, stereo and 5.1 stay as they are
    (5.1(side) is written as 5.1), any other channel count becomes stereo."""
    _av = av()
    in_cc = audio_in.codec_context
    layout = audio_channels(audio_in)[1]
    rate = int(in_cc.sample_rate or 48000)
    if fmt == "webm":
        codec, rate = "libopus", 48000
    else:
        codec, rate = "aac", rate if rate in _AAC_RATES else 48000
    try:
        aus = out.add_stream(codec, rate=rate, layout=layout)
        aus.codec_context.bit_rate = {"mono": 64000, "stereo": 128000}.get(layout, 320000)
        aus.codec_context.flags |= BITEXACT
    except _av.error.FFmpegError as exc:
        raise UnseenError(f"cannot re-encode the audio ({error_line(exc)}); use --audio drop") from None
    return aus


# Seconds of kept sound a frame may start before where the sound written so far ends and still be moved on whole
# (a stamp's rounding; none of the 30 shared clips with sound has an overlap over 0.5 ms). More is sound over
# sound: recordings joined in one MPEG-TS, each one's sound starting before its picture (``media.ffmpeg.AudioClock``
# moves it with the picture); moved on whole, the second recording's sound played as much late (reviews,
# 2026-12-06: 0.5 s, then 26-50 ms at 0.05 here), so the overlap is cut, to the last frame it reaches.
OVERLAP_CUT = 0.005
# The output's clock, whatever the input's: the input's passed through to the file's time scale (an
# iPhone's 1/600 s came out as 19200 ticks a second, a clock finer than 1/90000 s as itself), a hint of
# the device that made the clip. Frames closer than a tick are moved a tick apart (``Writer._encode``).
OUTPUT_TIME_BASE = Fraction(1, 90000)
# Every frame's time is also put on a grid of OUTPUT_GRID: times that stay whole multiples of the camera's
# clock tell it by their greatest common divisor (an iPhone clip's frames fell on multiples of 150 ticks,
# its 1/600 s again, with its 20-and-21-tick steps; a hunt, 2026-12-06). On 0.1 ms a clock that does not
# divide it (1/600, 1001/30000, 1/15360, 1/44100) leaves no trace; a frame moves by 0.05 ms at most on the
# grid, and the muxer's edit list can set all but the first ~0.09 ms earlier still (tests/test_video_timing.py).
OUTPUT_GRID = Fraction(1, 10000)


def open_writer(tmp: Path, codec: str, size: tuple[int, int], tb: Fraction, rate: Fraction | None,
                color: Color, sar: Fraction | None, audio_in) -> Writer:
    """A new file at ``tmp``: one video stream built from pixels (plus re-encoded audio if given)."""
    _av = av()
    encoder, fmt, _, bsf_spec = CODECS[codec]
    if encoder not in _av.codecs_available:
        raise UnseenError(f"this build of PyAV has no {encoder} encoder for --codec {codec}")
    w, h = size
    if encoder in ("libx264", "libx265"):
        w, h = w - (w % 2), h - (h % 2)
        if not w or not h:  # a line of pixels: was FFmpeg's "avcodec_open2(...) returned 22" (a hunt, 2026-12-06)
            raise UnseenError(f"video frames are {size[0]}x{size[1]}: too small to write (at least 2x2 pixels)")
    out = open_output(tmp, fmt)
    try:
        vs = out.add_stream(encoder, rate=rate if rate else None)
        cc = vs.codec_context
        cc.width, cc.height, cc.pix_fmt = w, h, "yuv420p"
        cc.time_base = vs.time_base = OUTPUT_TIME_BASE
        cc.flags |= BITEXACT
        cc.colorspace, cc.color_range, cc.color_primaries, cc.color_trc = color.tags
        if sar and sar != 1:
            cc.sample_aspect_ratio = sar
        cc.options = encoder_options(encoder, w, h)
        if encoder == "libx265":  # FFmpeg's default tag, hev1, is one Apple's players (QuickTime, iOS) refuse to
            cc.codec_tag = "hvc1"  # play; hvc1, its parameter sets in the sample entry alone, plays everywhere
        cc.thread_count = ENCODER_THREADS
        vs.metadata.clear() if hasattr(vs.metadata, "clear") else None
        aus = None
        if audio_in is not None:
            aus = add_audio(out, audio_in, fmt)
        out.start_encoding()
        bsf = None
        if bsf_spec:
            bsf = _av.bitstream.BitStreamFilterContext(bsf_spec, vs)
    except UnseenError:
        out.close()
        raise
    except _av.error.FFmpegError as exc:
        with contextlib.suppress(Exception):
            out.close()
        raise UnseenError(f"cannot start the {encoder} encoder: {error_line(exc)}") from None
    return Writer(out, vs, aus, bsf, (w, h), color, tb)
