"""Video: read upright frames, cover every face in every frame, write a brand-new clean file.

Two reads of the input, never a buffer of frames (docs/BENCHMARKS.md, "Video"):

1. **analyse** (a thread): decode every frame, run the detection schedule (``VideoDetector``) and
   link the detections into tracks (``unseen.track``). Only boxes are kept: a few bytes per face.
2. **write** (the caller's thread): decode the file a second time, mask each frame with the tracks'
   boxes for its timestamp (bridged over misses, held ``options.hold`` seconds before a face's
   first and after its last detection), encode, mux. The writer trails the analyser just enough
   that no later detection can change a frame's boxes (``LiveCoverage.ready``: ~1 s of video, up
   to ~2.5 s while a face is being missed), so the result is exactly that of two sequential
   passes, while both reads share the CPU.

Why re-read rather than buffer: the hold *before* a face's first detection and the bridging of
misses (up to 2 s) need to see the future. A buffer would hold every frame of that window
(1080p: 6 MB a frame, ~450 MB for 3 s at 25 fps); re-decoding costs ~13 ms CPU per 1080p frame,
~3% of a run, and memory stays one frame per read whatever the clip length.

The output is built from pixels only: no stream, tag or side data is copied. Container and codec
run "bitexact" (no encoder/muxer version strings), the H.264/H.265 encoder's identification SEI is
removed by FFmpeg's ``filter_units`` bitstream filter, the MP4 ``udta`` box (FFmpeg's empty iTunes
metadata handler) is cut out, and ``verify_output`` re-reads the finished file and fails it if any
tag, extra stream, encoder string or SEI is left. Audio is dropped unless ``--audio keep``, which
re-encodes it to AAC (or Opus for WebM) from decoded samples. Subtitles, data/telemetry streams
(GoPro GPMF, Apple location tracks), attachments and chapters are never written.

Self-check (re-detection on the masked frame) is not run for video: the tracker's bridging and hold
are the video's safety net, and the slip benchmark (bench/video_bench.py) measures what gets through.
"""

from __future__ import annotations

import contextlib
import re
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UnseenError
from ..metadata import Findings
from ..regions import Regions
from ..track import LiveCoverage, Tracker

# codec option -> (FFmpeg encoder, container format, extension, SEI NAL types to strip)
CODECS: dict[str, tuple[str, str, str, str | None]] = {
    "h264": ("libx264", "mp4", ".mp4", "filter_units=remove_types=6"),
    "h265": ("libx265", "mp4", ".mp4", "filter_units=remove_types=39|40"),
    "vp9": ("libvpx-vp9", "webm", ".webm", None),
}
ENCODER_OPTIONS = {
    # veryfast/crf 20, measured on the 1080p facenet clip: 0.07 CPU s per frame against 0.19 for x264's
    # default "medium", files the same size, PSNR-Y 44.5 dB against 45.8: visually clean, 2.7x cheaper.
    "libx264": {"preset": "veryfast", "crf": "20", "a53cc": "0", "udu_sei": "0"},
    "libx265": {"preset": "veryfast", "crf": "22", "x265-params": "log-level=error:info=0"},
    "libvpx-vp9": {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
}
# Demuxers we accept. Anything else (playlists, concat scripts, image sequences, network formats)
# is refused before it can open another file or URL.
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts"
INPUT_OPTIONS = {"format_whitelist": FORMAT_WHITELIST, "protocol_whitelist": "file"}
BITEXACT = 1 << 23  # AV_CODEC_FLAG_BITEXACT
LEAK_STRINGS = (b"x264", b"x265", b"Lavf", b"Lavc", b"libvpx", b"HandBrake")


def output_extension(codec: str) -> str:
    try:
        return CODECS[codec][2]
    except KeyError:
        raise UnseenError(f"unknown video codec {codec!r}; choose one of {', '.join(CODECS)}") from None


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

def _av():
    try:
        import av
    except ImportError:  # pragma: no cover - av is a hard dependency
        raise UnseenError("PyAV (the 'av' package) is not installed; reinstall unseen") from None
    return av


def _one_line(exc: BaseException) -> str:
    """FFmpeg's message without errno and file name: "Invalid data found when processing input"."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^\[Errno -?\d+\] ", "", text)
    return re.sub(r": '[^']*'$", "", text)


def open_input(path: Path):
    """Open a video read-only with the demuxer allow-list; one-line UnseenError if it cannot."""
    av = _av()
    try:
        return av.open(str(path), "r", options=dict(INPUT_OPTIONS), metadata_errors="replace")
    except av.error.FFmpegError as exc:
        if "returned 22" in str(exc):
            raise UnseenError("not a video container unseen reads "
                              "(MP4, MOV, MKV, WebM, AVI, MPEG-TS)") from None
        raise UnseenError(f"cannot read video: {_one_line(exc)}") from None
    except OSError as exc:
        raise UnseenError(f"cannot read video: {exc.strerror or exc}") from None


def format_name(container, path: Path) -> str:
    """A user's name for the container: mp4, mov, mkv, webm, avi or mpegts."""
    names = container.format.name.split(",")
    if "mov" in names:
        brand = str(container.metadata.get("major_brand", "")).strip().lower()
        return "mov" if brand.startswith("qt") or (not brand and path.suffix.lower() == ".mov") else "mp4"
    if "matroska" in names:
        return "webm" if path.suffix.lower() == ".webm" else "mkv"
    return names[0]


def _video_stream(container):
    streams = [s for s in container.streams.video
               if not (s.disposition & 0x400)]  # skip AV_DISPOSITION_ATTACHED_PIC (cover art)
    if not streams:
        raise UnseenError("no video stream")
    return streams[0]


@dataclass(frozen=True)
class Orientation:
    """How to bring decoded pixels upright, from the display matrix (FFmpeg's autorotate rules)."""

    op: str = ""  # "", "clock", "cclock", "transpose", "antitranspose", "hflip", "vflip", "rot180"
    degrees: int = 0  # clockwise rotation, for reports

    @classmethod
    def from_frame(cls, frame) -> Orientation:
        sd = None
        with contextlib.suppress(Exception):
            sd = frame.side_data.get("DISPLAYMATRIX")
        if sd is None:
            return cls()
        m = np.frombuffer(bytes(sd), np.int32)
        if len(m) < 9:
            return cls()
        rot = float(frame.rotation or 0)  # counter-clockwise
        theta = -round(rot)
        theta -= 360 * int(np.floor(theta / 360 + 0.9 / 360))
        if abs(theta - 90) < 1:
            return cls("transpose" if m[3] > 0 else "clock", 90)
        if abs(theta - 180) < 1:
            h, v = m[0] < 0, m[4] < 0
            return cls("rot180" if h and v else "hflip" if h else "vflip" if v else "", 180)
        if abs(theta - 270) < 1:
            return cls("antitranspose" if m[3] < 0 else "cclock", 270)
        if abs(theta) < 1 or abs(theta - 360) < 1:
            return cls("vflip" if m[4] < 0 else "", 0)
        raise UnseenError(f"video is rotated by {theta:g} degrees; only multiples of 90 are supported")

    def apply(self, a: np.ndarray) -> np.ndarray:
        op = self.op
        if not op:
            return a
        if op == "clock":
            out = np.rot90(a, -1)
        elif op == "cclock":
            out = np.rot90(a, 1)
        elif op == "transpose":
            out = a.transpose(1, 0, 2)
        elif op == "antitranspose":
            out = np.rot90(a, 2).transpose(1, 0, 2)
        elif op == "hflip":
            out = a[:, ::-1]
        elif op == "vflip":
            out = a[::-1]
        else:  # rot180
            out = a[::-1, ::-1]
        return np.ascontiguousarray(out)

    def size(self, w: int, h: int) -> tuple[int, int]:
        return (h, w) if self.op in ("clock", "cclock", "transpose", "antitranspose") else (w, h)


_CS_SUPPORTED = {1: 1, 4: 4, 5: 5, 6: 5, 7: 7, 9: 9, 10: 9}  # AVColorSpace -> swscale colorspace


@dataclass
class _Color:
    """The input's YUV matrix and range: used both ways so unmasked pixels keep their colours."""

    colorspace: int | None
    full_range: bool
    tags: tuple[int, int, int, int]  # colorspace, range, primaries, trc (copied onto the output)

    @classmethod
    def from_frame(cls, frame) -> _Color:
        cs = _CS_SUPPORTED.get(int(frame.colorspace))
        full = int(frame.color_range) == 2 or frame.format.name.startswith("yuvj")
        return cls(cs, full, (int(frame.colorspace), 2 if full else 1, int(frame.color_primaries),
                              int(frame.color_trc)))


@dataclass
class DecodedFrame:
    """One decoded frame. Pixels are converted on demand: ``rgb`` (upright, for detection and
    masking) or ``yuv420p`` (planes copied as decoded, for frames with nothing to mask)."""

    index: int
    pts: int  # in the stream's time base, as decoded
    duration: int
    time: float  # seconds from the first frame
    frame: Any  # the decoded av.VideoFrame (holds its own buffers)
    orientation: Orientation
    color: _Color
    _rgb: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.orientation.size(self.frame.width, self.frame.height)

    @property
    def rgb(self) -> np.ndarray:
        if self._rgb is None:
            a = self.frame.to_ndarray(format="rgb24", src_colorspace=self.color.colorspace,
                                      src_color_range=2 if self.color.full_range else 1)
            self._rgb = self.orientation.apply(a)
        return self._rgb

    def yuv420p(self) -> np.ndarray | None:
        """The decoded planes as one (H*3/2, W) array when no conversion is needed, else None."""
        if self.orientation.op or self.frame.format.name != "yuv420p":
            return None
        return self.frame.to_ndarray(format="yuv420p")


class Reader:
    """Strict, streaming decoder of one video stream (plus, if asked, one audio stream).

    ``frames()`` yields ("video", DecodedFrame) in presentation order, and ("audio", AudioFrame)
    interleaved when an audio stream is given. A damaged packet raises instead of being concealed,
    and a frame flagged corrupt stops the file (fail closed: no partial output). ``orientation``
    and ``color`` are known once the first frame is out.
    """

    def __init__(self, container, stream, audio=None):
        self.container, self.stream, self.audio = container, stream, audio
        self.orientation: Orientation | None = None
        self.color: _Color | None = None
        self.time_base = stream.time_base or Fraction(1, 1000)
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        self.default_duration = max(1, round(1 / (rate * self.time_base)))
        self.packets = 0  # video packets read, including ones the container says not to show
        self.audio_packets = 0
        self.end: float | None = None  # seconds from the stream's start to the end of the last frame

    def frames(self) -> Iterator[tuple[str, Any]]:
        av = _av()
        stream = self.stream
        if stream.codec_context is None:  # a codec FFmpeg does not know (seen by the fuzzer)
            raise UnseenError("video track uses a codec FFmpeg cannot decode")
        stream.thread_type = "AUTO"
        stream.codec_context.options = {"err_detect": "explode"}
        first_pts: int | None = None
        last_pts: int | None = None
        index = 0
        streams = [stream] + ([self.audio] if self.audio is not None else [])
        try:
            for packet in self.container.demux(streams):
                if packet.stream.index != stream.index:
                    self.audio_packets += packet.size > 0
                    for frame in packet.decode():
                        yield "audio", frame
                    continue
                self.packets += packet.size > 0
                for frame in packet.decode():
                    if getattr(frame, "is_corrupt", False):
                        raise UnseenError(f"video is damaged at frame {index + 1}; nothing written")
                    if self.orientation is None:
                        self.orientation = Orientation.from_frame(frame)
                        self.color = _Color.from_frame(frame)
                    pts = frame.pts if frame.pts is not None else frame.dts
                    if pts is None:
                        pts = (last_pts + self.default_duration) if last_pts is not None else 0
                    if last_pts is not None and pts <= last_pts:
                        pts = last_pts + 1  # repair non-increasing timestamps; order is decode order
                    if first_pts is None:
                        first_pts = pts
                    last_pts = pts
                    dur = int(frame.duration or 0) or self.default_duration
                    t = float((pts - first_pts) * self.time_base)
                    start = stream.start_time if stream.start_time is not None else first_pts
                    self.end = float((pts + dur - start) * self.time_base)
                    yield "video", DecodedFrame(index, pts, dur, t, frame, self.orientation, self.color)
                    index += 1
        except UnseenError:
            raise
        except av.error.FFmpegError as exc:
            raise UnseenError(f"video is damaged or truncated at frame {index + 1} ({_one_line(exc)}); "
                              "nothing written") from None

    def video_frames(self) -> Iterator[DecodedFrame]:
        for kind, f in self.frames():
            if kind == "video":
                yield f


def prefetch(items: Iterator[Any], prepare: Callable[[Any], Any] | None = None, depth: int = 2) -> Iterator[Any]:
    """Run ``items`` (and ``prepare`` on each) in a worker thread, ``depth`` items ahead.

    Decoding and colour conversion (FFmpeg, outside the GIL) then overlap with detection (ONNX
    Runtime, also outside the GIL). Memory stays bounded: at most ``depth`` + 2 frames exist.
    Errors in the worker are re-raised here; leaving the loop early stops the worker.
    """
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for item in items:
                if prepare is not None:
                    prepare(item)
                while not stop.is_set():
                    try:
                        q.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises
            q.put((done, exc))

    worker = threading.Thread(target=work, name="unseen-decode", daemon=True)
    worker.start()
    try:
        while True:
            item, exc = q.get()
            if item is done:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                q.get(timeout=0.1)
        worker.join()


# ---------------------------------------------------------------------------------------------
# Detection schedule
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    """Detector passes run on a frame when ``period`` seconds have passed since their last run
    (first run at ``phase`` seconds, so periodic passes can take turns on different frames).
    ``fit`` > 0 overrides each pass's scale: the frame is shrunk so its longer side is ``fit`` px."""

    passes: tuple[Any, ...]  # detect.ensemble.Pass
    period: float = 0.0  # 0: every frame
    phase: float = 0.0
    fit: int = 0


PERIOD = 0.3  # seconds between runs of each strong pass (they alternate: one every PERIOD / 2)
GLANCE = 320  # px, longer side of the every-frame glance


def default_schedules() -> tuple[Schedule, ...]:
    """Chosen on the video slip benchmark (docs/BENCHMARKS.md, "Video"), by simulation on cached
    per-pass detections, then checked on every shared clip by running unseen itself.

    The photo ensemble's two strong passes (CenterFace at 1x for most faces, RetinaFace at 2x for
    tiny ones) take turns, each every PERIOD seconds, and the tracker bridges the frames between
    them; a RetinaFace glance at GLANCE px on every frame follows big, close faces (the ones that
    move furthest between strong passes) at ~1% of the strong passes' cost.
    """
    from ..detect.ensemble import Pass

    return (
        Schedule((Pass("retinaface", 1.0, 0.5),), 0.0, fit=GLANCE),
        Schedule((Pass("centerface", 1.0, 0.1),), PERIOD, 0.0),
        Schedule((Pass("retinaface", 2.0, 0.15),), PERIOD, PERIOD / 2),
    )


class VideoDetector:
    """Run a schedule of detector passes over a frame sequence; returns Regions per frame.

    Any object with ``detect(rgb) -> Regions`` that is not unseen's ensemble ``Detector`` (a test
    double, say) is simply called on every frame.
    """

    def __init__(self, detector, schedules=None):
        from ..detect.ensemble import BACKENDS, Detector

        self.detector = detector
        self.ensemble = isinstance(detector, Detector)
        self.shift = float(getattr(detector, "threshold_shift", 0.0))
        self.nms_iou = float(getattr(detector, "nms_iou", 0.35))
        self.schedules = tuple(schedules or default_schedules())
        self._last = [-1e9] * len(self.schedules)
        self._backends = {}
        if self.ensemble:
            for s in self.schedules:
                for p in s.passes:
                    if p.backend not in self._backends:
                        self._backends[p.backend] = BACKENDS[p.backend]()
        self.runs = 0  # passes run, for the report

    def due(self, t: float, shape: tuple[int, ...]) -> list[tuple[str, float, float]]:
        """The passes to run on the frame at ``t``: (backend, scale, threshold). Call in time order."""
        if not self.ensemble:
            return [("", 1.0, 0.0)]
        jobs = []
        for k, s in enumerate(self.schedules):
            if s.period > 0 and (t - self._last[k] < s.period - 1e-6 or t < s.phase - 1e-6):
                continue
            self._last[k] = t
            for p in s.passes:
                thr = min(max(p.threshold + self.shift, 0.01), 0.99)
                scale = min(1.0, s.fit / max(shape[:2])) if s.fit else p.scale
                jobs.append((p.backend, scale, thr))
        self.runs += len(jobs)
        return jobs

    def run(self, rgb: np.ndarray, job: tuple[str, float, float]) -> Regions:
        """One pass on one frame (thread-safe: ONNX Runtime sessions may run concurrently)."""
        if not self.ensemble:
            return self.detector.detect(rgb)
        from ..detect.ensemble import Detector

        backend, scale, thr = job
        return Detector.run_pass(rgb, self._backends[backend], scale, thr)

    def merge(self, found: list[Regions]) -> Regions:
        return Regions.concat(found).nms(self.nms_iou)

    def detect_all(self, frames: Iterator[DecodedFrame], workers: int = 2,
                   window: int = 4) -> Iterator[tuple[DecodedFrame, Regions]]:
        """``(frame, regions)`` in order, with the passes of up to ``window`` frames running on
        ``workers`` threads: a CenterFace pass on one frame overlaps a RetinaFace pass on the next,
        which keeps both cores busy where one pass alone leaves gaps (its Python pre/post-processing,
        the ends of ONNX Runtime's parallel loops). Memory: at most ``window`` + 2 frames."""
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        pending: deque = deque()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unseen-detect") as pool:
            try:
                for f in frames:
                    rgb = f.rgb
                    pending.append((f, [pool.submit(self.run, rgb, job) for job in self.due(f.time, rgb.shape)]))
                    while len(pending) > window:
                        g, futs = pending.popleft()
                        yield g, self.merge([x.result() for x in futs])
                while pending:
                    g, futs = pending.popleft()
                    yield g, self.merge([x.result() for x in futs])
            finally:
                for _, futs in pending:
                    for x in futs:
                        x.cancel()


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

@dataclass
class _Writer:
    container: Any
    video: Any
    audio: Any | None
    bsf: Any | None
    size: tuple[int, int]  # even (w, h) the encoder takes
    color: _Color
    tb: Fraction
    packets: int = 0
    audio_packets: int = 0
    audio_samples: int = 0
    audio_origin: int | None = None

    def write_video(self, rgb: np.ndarray, pts: int, duration: int) -> None:
        av = _av()
        w, h = self.size
        if rgb.shape[1] != w or rgb.shape[0] != h:
            rgb = np.ascontiguousarray(rgb[:h, :w])
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame = frame.reformat(format="yuv420p", dst_colorspace=self.color.colorspace,
                               dst_color_range=2 if self.color.full_range else 1)
        self._encode(frame, pts, duration)

    def write_yuv420p(self, planes: np.ndarray, pts: int, duration: int) -> bool:
        """Encode decoded planes as they are (a new frame: no side data travels). False when the
        size differs from the encoder's (odd sizes are cropped), so the caller takes the RGB path."""
        w, h = self.size
        if planes.shape != (h * 3 // 2, w):
            return False
        self._encode(_av().VideoFrame.from_ndarray(planes, format="yuv420p"), pts, duration)
        return True

    def _encode(self, frame, pts: int, duration: int) -> None:
        frame.pts = pts
        frame.time_base = self.tb
        frame.duration = duration
        self._mux_video(self.video.encode(frame))

    def _mux_video(self, packets) -> None:
        for p in packets:
            for q in (self.bsf.filter(p) if self.bsf is not None else [p]):
                q.stream = self.video
                self.container.mux(q)
                self.packets += 1

    def write_audio(self, frame, origin_seconds: float) -> None:
        if self.audio is None:
            return
        rate = self.audio.codec_context.sample_rate
        if frame.pts is not None and frame.time_base:
            start = round((frame.pts * frame.time_base - origin_seconds) * rate)
        else:
            start = self.audio_samples
        if start + frame.samples <= 0:
            return  # audio before the first video frame
        if self.audio_origin is None:
            self.audio_origin = start
        frame.pts = max(start, self.audio_samples) if self.audio_samples else max(0, start)
        frame.time_base = Fraction(1, rate)
        self.audio_samples = frame.pts + frame.samples
        for p in self.audio.encode(frame):
            self.container.mux(p)
            self.audio_packets += 1

    def finish(self) -> None:
        self._mux_video(self.video.encode(None))
        if self.bsf is not None:
            for q in self.bsf.filter(None):
                q.stream = self.video
                self.container.mux(q)
                self.packets += 1
        if self.audio is not None:
            for p in self.audio.encode(None):
                self.container.mux(p)
                self.audio_packets += 1
        self.container.close()


_AAC_RATES = {7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000}


def _add_audio(out, audio_in, fmt: str):
    """AAC (MP4) or Opus (WebM) stream for re-encoded audio: mono stays mono, more becomes stereo."""
    av = _av()
    in_cc = audio_in.codec_context
    channels = in_cc.layout.nb_channels if in_cc.layout else 2
    layout = "mono" if channels == 1 else "stereo"
    rate = int(in_cc.sample_rate or 48000)
    if fmt == "webm":
        codec, rate = "libopus", 48000
    else:
        codec, rate = "aac", rate if rate in _AAC_RATES else 48000
    try:
        aus = out.add_stream(codec, rate=rate, layout=layout)
        aus.codec_context.bit_rate = 64000 if layout == "mono" else 128000
        aus.codec_context.flags |= BITEXACT
    except av.error.FFmpegError as exc:
        raise UnseenError(f"cannot re-encode the audio ({_one_line(exc)}); use --audio drop") from None
    return aus


def _open_writer(tmp: Path, codec: str, size: tuple[int, int], tb: Fraction, rate: Fraction | None,
                 color: _Color, sar: Fraction | None, audio_in) -> _Writer:
    av = _av()
    encoder, fmt, _, bsf_spec = CODECS[codec]
    if encoder not in av.codecs_available:
        raise UnseenError(f"this build of PyAV has no {encoder} encoder for --codec {codec}")
    w, h = size
    if encoder in ("libx264", "libx265"):
        w, h = w - (w % 2), h - (h % 2)
    out = av.open(str(tmp), "w", format=fmt, container_options={"fflags": "+bitexact"})
    try:
        vs = out.add_stream(encoder, rate=rate if rate else None)
        cc = vs.codec_context
        cc.width, cc.height, cc.pix_fmt = w, h, "yuv420p"
        cc.time_base = tb
        vs.time_base = tb
        cc.flags |= BITEXACT
        cc.colorspace, cc.color_range, cc.color_primaries, cc.color_trc = color.tags
        if sar and sar != 1:
            cc.sample_aspect_ratio = sar
        cc.options = dict(ENCODER_OPTIONS[encoder])
        cc.thread_count = 0
        vs.metadata.clear() if hasattr(vs.metadata, "clear") else None
        aus = None
        if audio_in is not None:
            aus = _add_audio(out, audio_in, fmt)
        out.start_encoding()
        bsf = None
        if bsf_spec:
            bsf = av.bitstream.BitStreamFilterContext(bsf_spec, vs)
    except UnseenError:
        out.close()
        raise
    except av.error.FFmpegError as exc:
        with contextlib.suppress(Exception):
            out.close()
        raise UnseenError(f"cannot start the {encoder} encoder: {_one_line(exc)}") from None
    return _Writer(out, vs, aus, bsf, (w, h), color, tb)


# ---------------------------------------------------------------------------------------------
# Clean-up and checks of the finished file
# ---------------------------------------------------------------------------------------------

_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts"}
_MP4_DROP = {b"udta", b"meta"}
_MP4_OK = {
    b"ftyp", b"free", b"mdat", b"moov", b"mvhd", b"trak", b"tkhd", b"edts", b"elst", b"mdia", b"mdhd",
    b"hdlr", b"minf", b"vmhd", b"smhd", b"dinf", b"dref", b"stbl", b"stsd", b"stts", b"stss", b"ctts",
    b"stsc", b"stsz", b"stco", b"co64", b"sgpd", b"sbgp", b"sdtp", b"cslg", b"iods",
}


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int, int]]:
    """ISO BMFF boxes in data[start:end]: (type, offset, header size, total size)."""
    end = len(data) if end is None else end
    i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        head = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[i + 8 : i + 16])
            head = 16
        elif size == 0:
            size = end - i
        if size < head or i + size > end:
            raise UnseenError(f"output MP4 box {kind!r} is malformed; nothing written")
        yield kind, i, head, size
        i += size


def _rebuild(data: bytes, offset: int, head: int, size: int) -> bytes:
    """A container box without udta/meta children, recursing into moov/trak."""
    body = []
    for kind, o, h, s in _boxes(data, offset + head, offset + size):
        if kind in _MP4_DROP:
            continue
        body.append(_rebuild(data, o, h, s) if kind in (b"moov", b"trak") else data[o : o + s])
    payload = b"".join(body)
    kind = data[offset + 4 : offset + 8]
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def strip_mp4(path: Path) -> None:
    """Cut FFmpeg's udta/meta boxes (an empty iTunes handler, vendor "appl") out of the moov box.

    The muxer writes moov after mdat (no faststart), so no chunk offset moves when it shrinks.
    """
    size = path.stat().st_size
    with open(path, "rb+") as fh:
        pos = 0
        moov = None
        while pos + 8 <= size:
            fh.seek(pos)
            hdr = fh.read(16)
            box, kind = struct.unpack(">I4s", hdr[:8])
            head = 8
            if box == 1:
                (box,) = struct.unpack(">Q", hdr[8:16])
                head = 16
            elif box == 0:
                box = size - pos
            if box < head:
                raise UnseenError("output MP4 is malformed; nothing written")
            if kind == b"moov":
                moov = (pos, head, box)
            pos += box
        if moov is None or moov[0] + moov[2] != size:
            raise UnseenError("output MP4 has no trailing moov box; nothing written")
        fh.seek(moov[0])
        data = fh.read(moov[2])
        new = _rebuild(data, 0, moov[1], moov[2]) if moov[1] == 8 else None
        if new is None:
            raise UnseenError("output MP4 moov box is too large; nothing written")
        fh.seek(moov[0])
        fh.write(new)
        fh.truncate(moov[0] + len(new))


def strip_webm(path: Path) -> None:
    """Blank the Matroska MuxingApp/WritingApp strings ("Lavf"): they name the software only."""
    with open(path, "rb+") as fh:
        head = fh.read(4096)
        for ident in (b"\x4d\x80", b"\x57\x41"):
            i = head.find(ident + b"\x84Lavf")
            if i >= 0:
                fh.seek(i + 3)
                fh.write(b"\0\0\0\0")


def mp4_leaks(path: Path) -> list[str]:
    """Boxes in an MP4 beyond the allow-list our writer needs (empty list = clean)."""
    leaks: list[str] = []
    size = path.stat().st_size
    with open(path, "rb") as fh:
        pos = 0
        while pos + 8 <= size:
            fh.seek(pos)
            hdr = fh.read(16)
            box, kind = struct.unpack(">I4s", hdr[:8])
            if box == 1:
                (box,) = struct.unpack(">Q", hdr[8:16])
            elif box == 0:
                box = size - pos
            if box < 8:
                return leaks + ["malformed box"]
            if kind not in _MP4_OK:
                leaks.append(f"box {kind.decode('latin-1')}")
            if kind == b"moov":
                fh.seek(pos)
                data = fh.read(box)
                leaks += _mp4_tree_leaks(data, 0, len(data))
                for s in LEAK_STRINGS:
                    if s in data:
                        leaks.append(f"string {s.decode()} in moov")
                for kind2, o, h, _ in _boxes(data, 8, len(data)):
                    # mvhd/tkhd/mdhd: version, flags, then creation and modification times
                    if kind2 == b"mvhd" and data[o + h + 4 : o + h + 12].strip(b"\0"):
                        leaks.append("creation time in mvhd")
            pos += box
    return leaks


def _mp4_tree_leaks(data: bytes, start: int, end: int) -> list[str]:
    leaks = []
    for kind, o, h, s in _boxes(data, start, end):
        if kind not in _MP4_OK:
            leaks.append(f"box {kind.decode('latin-1')}")
        elif kind in _MP4_CONTAINERS and kind != b"moov" or (kind == b"moov" and o == start == 0):
            leaks += _mp4_tree_leaks(data, o + h, o + s)
    return leaks


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
    av = _av()
    problems: list[str] = []
    fmt = CODECS[codec][1]
    if fmt == "mp4":
        problems += mp4_leaks(path)
    else:
        with open(path, "rb") as fh:
            head = fh.read(65536)
            fh.seek(max(0, path.stat().st_size - 65536))
            tail = fh.read()
        problems += [f"string {s.decode()}" for s in LEAK_STRINGS if s in head or s in tail]
    try:
        with av.open(str(path), "r", options=dict(INPUT_OPTIONS), metadata_errors="replace") as c:
            allowed = {"major_brand", "minor_version", "compatible_brands"}
            extra = sorted(k for k, val in c.metadata.items() if k not in allowed and str(val).strip())
            if extra:
                problems.append("container tags " + ", ".join(extra))
            if c.chapters():
                problems.append("chapters")
            types = sorted(s.type for s in c.streams)
            want = ["audio", "video"] if audio else ["video"]
            if types != want:
                problems.append(f"streams {types}, expected {want}")
            for s in c.streams:
                tags = {k: v for k, v in s.metadata.items()
                        if not (k == "language" and v == "und")
                        and not (k == "handler_name" and v in ("VideoHandler", "SoundHandler"))
                        and not (k == "vendor_id" and v == "[0][0][0][0]")
                        and k != "DURATION"}
                if tags:
                    problems.append(f"stream {s.index} tags " + ", ".join(sorted(tags)))
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
    except av.error.FFmpegError as exc:
        problems.append(f"does not read back ({_one_line(exc)})")
    return problems


# ---------------------------------------------------------------------------------------------
# The whole flow
# ---------------------------------------------------------------------------------------------

def _dropped(container, vstream, audio_kept: bool) -> list[str]:
    out = []
    tags = dict(container.metadata)
    if any("location" in k.lower() or "6709" in k for k in tags):
        out.append("GPS")
    out += [f"tag {k}" for k in tags if k not in ("major_brand", "minor_version", "compatible_brands")]
    for s in container.streams:
        if s.index == vstream.index:
            if s.metadata:
                out.append(f"video stream tags ({', '.join(sorted(s.metadata))})")
            continue
        if s.type == "audio" and audio_kept:
            if s.metadata:
                out.append(f"audio stream tags ({', '.join(sorted(s.metadata))})")
            continue
        out.append(f"{_stream_label(s)} stream {s.index}")
    with contextlib.suppress(Exception):
        if container.chapters():
            out.append(f"chapters ({len(container.chapters())})")
    return out


def _stream_label(s) -> str:
    handler = str(s.metadata.get("handler_name", ""))
    tag = ""
    with contextlib.suppress(Exception):
        tag = s.codec_context.codec_tag if s.codec_context else ""
    name = ""
    with contextlib.suppress(Exception):
        name = s.codec_context.name if s.codec_context else ""
    if s.type == "data" or s.type == "attachment":
        if "gpmd" in str(tag) or "GoPro" in handler:
            return "telemetry (GoPro GPMF)"
        if "Metadata" in handler or "mebx" in str(tag):
            return "timed metadata"
        return s.type
    if s.type == "video" and s.disposition & 0x400:
        return "cover picture"
    return f"{s.type} ({name})" if name else s.type


def anonymize_video(src: Path, tmp: Path, options, detector, boxset=None,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """Anonymise one video into ``tmp`` (files.py renames it atomically). Returns Report fields.

    ``faces`` is the most faces detected in any one analysed frame (as for animations in the photo
    path); ``tracks`` is the number of distinct face tracks (a face lost for more than 2 s and found
    again counts twice). ``progress(done, total)`` counts frames written; the writer trails the
    analysis by about a second of video, so the rate and ETA are the whole job's. ``total`` is the
    container's frame count, 0 when it does not say (MKV, MPEG-TS).
    """
    av = _av()
    output_extension(options.codec)
    try:
        return _anonymize(src, tmp, options, detector, boxset, progress)
    except UnseenError:
        raise
    except MemoryError:
        raise
    except av.error.FFmpegError as exc:
        raise UnseenError(f"video processing failed: {_one_line(exc)}") from None
    except OSError as exc:
        raise UnseenError(f"video processing failed: {exc.strerror or exc}") from None
    except Exception as exc:  # fail closed with one line, never a traceback and a half-written file
        raise UnseenError(f"video processing failed: {type(exc).__name__}: {_one_line(exc)}") from None


@dataclass
class Expected:
    """What the container promises, to tell a complete read from a truncated one."""

    packets: dict[int, int]  # stream index -> packets (MP4/MOV sample index, AVI header)
    video_end: float | None = None  # seconds the video stream lasts (Matroska/WebM duration tag)


def expected(container, stream, path: Path) -> Expected:
    """Read the container's own bookkeeping; fail at once when it points past the end of the file.

    MP4/MOV: the sample tables list every packet with its offset, so a truncated file is caught
    before any decoding (a sample past the end). Edit lists can leave samples out of the index on
    purpose, so the index, not the declared frame count, is the reference. AVI: the header's frame
    count. Matroska/WebM: the per-track duration tag FFmpeg and mkvmerge write. MPEG-TS carries no
    such promise; damage there (as anywhere) also shows up as decode errors, which fail the file.
    """
    names = container.format.name.split(",")
    size = path.stat().st_size
    out = Expected({})
    if "mov" in names:
        for s in container.streams:
            if s.type not in ("video", "audio"):
                continue
            entries = s.index_entries
            if len(entries) and max(e.pos + e.size for e in entries) > size:
                raise UnseenError(f"file is truncated: its {s.type} stream continues past the end of the "
                                  "file; nothing written")
            out.packets[s.index] = len(entries)
    elif "avi" in names:
        for s in container.streams:
            if s.type == "video":
                out.packets[s.index] = int(s.frames or 0)
    elif "matroska" in names:
        tag = str(stream.metadata.get("DURATION", ""))
        m = re.match(r"^(\d+):(\d\d):(\d\d(?:\.\d+)?)$", tag)
        if m:
            out.video_end = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return out


def check_complete(reader: Reader, exp: Expected, audio: bool = False) -> None:
    """After a full read: fail when fewer packets or less time came out than the container promised."""
    got = {reader.stream.index: reader.packets}
    if audio and reader.audio is not None:
        got[reader.audio.index] = reader.audio_packets
    for index, n in got.items():
        want = exp.packets.get(index, 0)
        if want and n < want:
            kind = "video" if index == reader.stream.index else "audio"
            raise UnseenError(f"{kind} ends early: {n} of {want} packets could be read (truncated?); "
                              "nothing written")
    if exp.video_end and reader.end is not None:
        slack = 2 * reader.default_duration * float(reader.time_base) + 0.1
        if reader.end < exp.video_end - slack:
            raise UnseenError(f"video ends early: {reader.end:.2f} s of {exp.video_end:.2f} s could be read "
                              "(truncated?); nothing written")


class _Analysis(threading.Thread):
    """Pass 1: decode, detect, track. Runs beside the writer; the tracker is shared under ``lock``."""

    def __init__(self, src: Path, exp: Expected, vdet: VideoDetector, tracker: Tracker):
        super().__init__(name="unseen-analyse", daemon=True)
        self.src, self.exp, self.vdet, self.tracker = src, exp, vdet, tracker
        self.cond = threading.Condition()
        self.stop = threading.Event()
        self.t_now = -1e9  # time of the newest analysed frame
        self.frames = 0
        self.finished = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with open_input(self.src) as c:
                v = _video_stream(c)
                reader = Reader(c, v)
                for f, found in self.vdet.detect_all(prefetch(reader.video_frames(), lambda fr: fr.rgb)):
                    if self.stop.is_set():
                        return
                    with self.cond:
                        self.tracker.update(f.time, found)
                        self.t_now, self.frames = f.time, self.frames + 1
                        self.cond.notify_all()
                check_complete(reader, self.exp)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the writer
            self.error = exc
        finally:
            with self.cond:
                self.finished = True
                self.cond.notify_all()

    def wait_for(self, ready: Callable[[], bool]) -> None:
        """Block until ``ready()`` (checked under the lock) or the analysis has ended."""
        with self.cond:
            while not self.finished and not ready():
                self.cond.wait(0.5)
        if self.error is not None:
            raise self.error


def _write(src, tmp, options, boxset, keep_audio, exp, analysis, coverage, progress, total, notes):
    """Pass 2: decode again, mask with the tracks' boxes, encode, mux. Returns (frames, audio?)."""
    from ..pipeline import mask_frame

    only = analysis is None
    written = 0
    rng = np.random.default_rng()
    with open_input(src) as c:
        v = _video_stream(c)
        a = c.streams.audio[0] if keep_audio else None
        writer: _Writer | None = None
        origin = None
        pending_audio: list = []
        tb = v.time_base or Fraction(1, 1000)
        first_pts = None
        reader = Reader(c, v, a)
        try:
            for kind, f in reader.frames():
                if kind == "audio":
                    if writer is None:
                        pending_audio.append(f)
                        if len(pending_audio) > 2000:
                            raise UnseenError("audio stream runs far ahead of the video; cannot interleave")
                    else:
                        writer.write_audio(f, origin)
                    continue
                if writer is None:
                    color, orient = reader.color, reader.orientation
                    w, h = f.size
                    sar = v.sample_aspect_ratio if v.sample_aspect_ratio else None
                    if sar and orient.op in ("clock", "cclock", "transpose", "antitranspose"):
                        sar = 1 / sar
                    writer = _open_writer(tmp, options.codec, (w, h), tb, v.average_rate or v.guessed_rate,
                                          color, sar, a)
                    if writer.size != (w, h):
                        notes.append(f"{w}x{h} cropped to {writer.size[0]}x{writer.size[1]} "
                                     "(4:2:0 needs even sizes)")
                    if orient.op:
                        notes.append(f"rotation {orient.degrees} degrees applied to the pixels")
                    first_pts = f.pts
                    origin = float(f.pts * tb)
                    for af in pending_audio:
                        writer.write_audio(af, origin)
                    pending_audio = []
                if only:
                    regions = Regions.empty()
                else:
                    analysis.wait_for(lambda t=f.time: coverage.ready(t))
                    with analysis.cond:
                        regions = coverage.at(f.time)
                if boxset is not None:
                    regions = regions + boxset.regions_at(f.time)
                planes = None if len(regions) else f.yuv420p()
                if planes is None or not writer.write_yuv420p(planes, f.pts - first_pts, f.duration):
                    pixels = f.rgb
                    if len(regions):
                        pixels, _ = mask_frame(pixels, regions, options, rng)
                    writer.write_video(pixels, f.pts - first_pts, f.duration)
                written += 1
                if progress is not None:  # frames written; the writer is paced by the analysis
                    progress(written, max(total, written) if total else 0)
            if not only:
                analysis.wait_for(lambda: False)
                if written != analysis.frames:
                    raise UnseenError(f"second read of the video gave {written} frames, first gave "
                                      f"{analysis.frames}; nothing written")
            if writer is None:
                raise UnseenError("video has no decodable frames")
            check_complete(reader, exp, audio=True)
            writer.finish()
        except BaseException:
            if writer is not None:  # the temporary file is deleted by the caller
                with contextlib.suppress(Exception):
                    writer.container.close()
            raise
        audio_written = writer.audio is not None and writer.audio_packets > 0
    return written, audio_written


def _anonymize(src, tmp, options, detector, boxset, progress) -> dict:
    t0 = time.perf_counter()
    only = boxset is not None and boxset.mode == "only"
    notes: list[str] = []
    warnings: list[str] = []
    with open_input(src) as c:
        v = _video_stream(c)
        declared = int(v.frames or 0)
        exp = expected(c, v, src)
        audio_in = c.streams.audio[0] if c.streams.audio else None
        keep_audio = options.audio == "keep" and audio_in is not None
        fmt_in = format_name(c, src)
        dropped = _dropped(c, v, keep_audio)
    total = declared

    # Pass 1, in a thread: analyse (boxes only). Pass 2 below trails it (LiveCoverage.ready).
    analysis = None if only else _Analysis(src, exp, VideoDetector(detector), Tracker())
    coverage = None if analysis is None else LiveCoverage(analysis.tracker, options.hold)
    try:
        if analysis is not None:
            analysis.start()
        written, audio_written = _write(src, tmp, options, boxset, keep_audio, exp, analysis, coverage,
                                        progress, total, notes)
    finally:
        if analysis is not None:
            analysis.stop.set()
            analysis.join()
    max_faces = analysis.tracker.max_per_frame if analysis else 0
    tracks = analysis.tracker.finish() if analysis else []

    encoder, fmt_out, _, _ = CODECS[options.codec]
    if fmt_out == "mp4":
        strip_mp4(tmp)
    else:
        strip_webm(tmp)
    problems = verify_output(tmp, options.codec, written, audio_written)
    if problems:
        raise UnseenError("output failed its check (" + "; ".join(problems[:4]) + "); nothing written")

    if options.audio == "keep" and audio_in is None:
        audio = "none"
    elif keep_audio:
        audio = "kept (AAC)" if fmt_out == "mp4" else "kept (Opus)"
        notes.append("audio re-encoded; voices can identify people")
    else:
        audio = "dropped" if audio_in is not None else "none"
    if options.style in ("pixelate", "blur"):
        warnings.append(f"style {options.style} keeps a degraded trace of each face")
    if getattr(options, "preset", "thorough") != "thorough":
        notes.append(f"--{options.preset} applies to photos; video ran its usual detection schedule")
    seconds = time.perf_counter() - t0
    notes.append(f"{written} frames in {seconds:.1f} s ({written / max(seconds, 1e-9):.1f} fps, two reads)")
    return {
        "frames": written,
        "faces": max_faces,
        "tracks": len(tracks),
        "audio": audio,
        "format_in": fmt_in,
        "format_out": f"{fmt_out} ({options.codec})",
        "metadata_dropped": dropped,
        "notes": notes,
        "warnings": warnings,
        "manual_regions": len(boxset.regions) if boxset is not None else 0,
    }


# ---------------------------------------------------------------------------------------------
# unseen inspect clip.mov
# ---------------------------------------------------------------------------------------------

_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?$")


def parse_iso6709(text: str) -> dict[str, float] | None:
    """``"+27.1281+100.2508+000.000/"`` -> {"lat": 27.1281, "lon": 100.2508, "alt": 0.0}.

    Handles the decimal-degree form phones write (and the DDMM/DDDMM forms by their digit count).
    """
    m = _ISO6709.match(text.strip())
    if not m:
        return None

    def deg(s: str, degree_digits: int) -> float:
        sign = -1 if s[0] == "-" else 1
        whole, _, frac = s[1:].partition(".")
        if len(whole) <= degree_digits:
            return sign * float(s[1:])
        d = float(whole[:degree_digits])
        rest = whole[degree_digits:]
        minutes = float(rest[:2] + ("." + frac if frac and len(rest) == 2 else ""))
        seconds = float(rest[2:] + ("." + frac if frac else "")) if len(rest) > 2 else 0.0
        return sign * (d + minutes / 60 + seconds / 3600)

    out = {"lat": round(deg(m.group(1), 2), 6), "lon": round(deg(m.group(2), 3), 6)}
    if m.group(3):
        out["alt"] = float(m.group(3))
    return out


_DATE_KEYS = ("creation_time", "date", "creationdate", "com.apple.quicktime.creationdate")
_DEVICE_KEYS = ("make", "model", "com.apple.quicktime.make", "com.apple.quicktime.model",
                "com.android.manufacturer", "com.android.model", "firmware", "com.apple.quicktime.camera")
_SOFTWARE_KEYS = ("encoder", "software", "com.apple.quicktime.software", "com.android.version",
                  "handler_name")


def inspect_video(path: Path, detector=None) -> Findings:
    """What a video gives away: container tags (GPS, dates, device), streams and their tags, faces."""
    av = _av()
    f = Findings(path=str(path))
    try:
        with open_input(path) as c:
            f.format = format_name(c, path)
            tags = {str(k): _clean(v) for k, v in c.metadata.items()}
            f.tags = tags
            for k, val in tags.items():
                kl = k.lower()
                if "location" in kl or "6709" in kl or kl in ("xyz", "gps"):
                    pos = parse_iso6709(val)
                    f.gps[k] = val
                    if pos:
                        f.gps["position"] = f"{pos['lat']}, {pos['lon']}" + (
                            f", {pos['alt']} m" if "alt" in pos else "")
                elif any(kl.endswith(d) for d in _DATE_KEYS):
                    f.dates[k] = val
                elif kl in _DEVICE_KEYS or kl.endswith((".make", ".model")):
                    f.device[k] = val
                elif kl in _SOFTWARE_KEYS or kl.endswith(".software"):
                    f.software = val
                elif kl in ("artist", "author", "comment", "title", "description", "copyright",
                            "album_artist", "composer") or kl.endswith((".artist", ".author", ".comment")):
                    f.people[k] = val
            for s in c.streams:
                entry: dict[str, Any] = {"index": s.index, "type": s.type,
                                         "codec": (s.codec_context.name if s.codec_context else "") or "",
                                         "tags": {str(k): _clean(v) for k, v in s.metadata.items()}}
                label = _stream_label(s)
                if s.type in ("data", "attachment") or "telemetry" in label:
                    entry["flag"] = label
                if s.type == "subtitle":
                    entry["flag"] = "subtitles (text can name people)"
                f.streams.append(entry)
                if s.type in ("data", "subtitle", "attachment"):
                    f.blocks.append(f"{label} stream {s.index}")
            with contextlib.suppress(Exception):
                if c.chapters():
                    f.blocks.append(f"chapters ({len(c.chapters())})")
            v = _video_stream(c)
            if v.codec_context is None:
                raise UnseenError("video track uses a codec FFmpeg cannot decode")
            w, h = v.codec_context.width, v.codec_context.height
            f.size = (int(w), int(h))
    except UnseenError:
        raise
    except av.error.FFmpegError as exc:
        raise UnseenError(f"cannot read video: {_one_line(exc)}") from None
    if detector is not None:
        f.faces = _sample_faces(path, detector, f)
    return f


def _clean(v: Any) -> str:
    return str(v).strip()[:120]


def _sample_faces(path: Path, detector, findings: Findings, samples: int = 8) -> int:
    """Most faces found in one of ``samples`` frames spread over the clip (decoding only those)."""
    best = 0
    with open_input(path) as c:
        v = _video_stream(c)
        n = int(v.frames or 0)
        step = max(1, n // samples) if n else 15
        for fr in Reader(c, v).video_frames():
            if fr.index % step == 0:
                if fr.index == 0:
                    findings.size = (fr.rgb.shape[1], fr.rgb.shape[0])
                best = max(best, len(detector.detect(fr.rgb)))
            if fr.index >= step * samples:
                break
    return best
