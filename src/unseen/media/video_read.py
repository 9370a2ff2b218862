"""Reading video: strict, streaming decode of upright frames, and what the container promises.

Every file is opened through ``ffmpeg.open_input`` (absolute path, protocol and demuxer
allow-lists). A damaged packet raises instead of being concealed and a frame flagged corrupt stops
the file (fail closed). Frames are converted on demand: RGB (upright) for detection and masking,
or the decoded YUV planes as they are for frames with nothing to mask.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .. import raster
from ..errors import UnseenError
from . import pixels_said
from .deinterlace import Deinterlacer
from .ffmpeg import WITHOUT_SOUND, AudioClock, av, error_line, open_input
from .isobmff import unfollowed_edit
from .video_color import Color

__all__ = ["DecodedFrame", "Expected", "Orientation", "Reader", "check_complete", "expected", "format_name",
           "open_input", "prefetch", "stream_label", "video_stream"]


def format_name(container, path: Path) -> str:
    """A user's name for the container: mp4, mov, mkv, webm, avi or mpegts."""
    names = container.format.name.split(",")
    if "mov" in names:
        brand = str(container.metadata.get("major_brand", "")).strip().lower()
        return "mov" if brand.startswith("qt") or (not brand and path.suffix.lower() == ".mov") else "mp4"
    if "matroska" in names:
        return "webm" if path.suffix.lower() == ".webm" else "mkv"
    return names[0]


ATTACHED_PIC = 0x400  # AV_DISPOSITION_ATTACHED_PIC: cover art, a picture and not a clip


def video_stream(container):
    """The video stream the output is made of: the one a player shows, chosen as FFmpeg's players choose it
    (``av_find_best_stream``: the default disposition first, then the most frames probed and the highest bit
    rate; never cover art). The first stream in the file used to be taken: a 64x64 blank track placed before
    the real one, or a one-frame picture stored as a track, became the output and the clip was dropped."""
    best = container.streams.best("video")
    if best is None or best.disposition & ATTACHED_PIC:
        raise UnseenError("no video stream")
    return best


def other_clips(container, stream) -> list:
    """The video streams other than ``stream`` that are clips, not cover art: the output leaves them out."""
    return [s for s in container.streams.video if s.index != stream.index and not s.disposition & ATTACHED_PIC]


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

    @property
    def said(self) -> str:
        """The operation in a report's words: a mirror is no rotation (a flip top to bottom was reported as
        "rotation 0 degrees", one left to right as "rotation 180 degrees")."""
        mirrored = {"hflip": "mirrored left to right", "vflip": "flipped top to bottom"}.get(self.op)
        if mirrored:
            return mirrored
        turned = f"rotation {self.degrees} degrees"
        return turned + " and mirrored" if self.op in ("transpose", "antitranspose") else turned


SAR_SAME = 0.05  # a sample aspect ratio this close to 1 is taken for square pixels (``DecodedFrame.shown``)
# ... and one beyond SAR_MOST either way for a broken or hostile tag, searched as stored: at 100:1 a 1080p frame was
# searched 192,000 px wide (over 5 GB, minutes a frame), at 1:255 it failed in swscale (an adversarial review,
# 2026-12-06). Recorders squeeze 16:9 into 4:3 (64:45, 1.42) or less; 2:1 is the most measured (bench/anamorphic.py).
SAR_MOST = 2.0


@dataclass
class DecodedFrame:
    """One decoded frame. Pixels are converted on demand: ``rgb`` (upright, for detection and
    masking) or ``yuv420p`` (planes copied as decoded, for frames with nothing to mask).

    Conversions hold the frame's lock: PyAV keeps one swscale context per frame, and two threads
    converting the same frame at once hang or crash inside FFmpeg (reproduced: four threads asking
    one 1080p frame for ``rgb24`` at two sizes hung on the first frames; a detection-thread
    conversion crashed the Ray equality test). Different frames convert in parallel."""

    index: int
    pts: int  # in the stream's time base, as decoded
    duration: int
    time: float  # seconds from the first frame
    frame: Any  # the decoded av.VideoFrame (holds its own buffers)
    orientation: Orientation
    color: Color
    sar: float = 1.0  # a stored pixel's width over its height as shown (the stream's sample aspect ratio)
    _rgb: np.ndarray | None = None
    _shown: np.ndarray | None = None
    _fitted: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def size(self) -> tuple[int, int]:
        return self.orientation.size(self.frame.width, self.frame.height)

    @property
    def rgb(self) -> np.ndarray:
        with self._lock:
            if self._rgb is None:
                self._rgb = self.orientation.apply(self._converted())
            return self._rgb

    def _stretched(self) -> tuple[int, int]:
        """The stored picture's (width, height) as shown, never smaller (widened, or heightened: tall pixels)."""
        w, h = self.frame.width, self.frame.height
        if abs(self.sar - 1) <= SAR_SAME or not 1 / SAR_MOST <= self.sar <= SAR_MOST:
            return w, h
        return (round(w * self.sar), h) if self.sar > 1 else (w, round(h / self.sar))

    @property
    def shown(self) -> np.ndarray:
        """The upright RGB frame shaped as a player shows it, for the detectors (``rgb`` when its pixels are
        square): an anamorphic frame's faces are squeezed as stored, and were covered less (a hunt, 2026-12-06)."""
        w, h = self._stretched()
        if (w, h) == (self.frame.width, self.frame.height):
            return self.rgb
        with self._lock:
            if self._shown is None:
                self._shown = self.orientation.apply(self._converted(width=w, height=h))
            return self._shown

    def _converted(self, **size: Any) -> np.ndarray:
        """The frame in RGB; one with alpha as it shows over black: the output has no alpha, and what
        a transparent pixel hid (ProRes 4444, PNG-in-MOV overlays) would come into view."""
        cs = {"src_colorspace": self.color.colorspace, "src_color_range": 2 if self.color.full_range else 1}
        frame, fmt = self.frame, self.frame.format
        plain = {"yuvj420p": "yuv420p", "yuvj444p": "yuv444p"}.get(fmt.name)  # PyAV reads no yuvj422p's planes
        if plain and not self.color.full_range and frame.width % 2 == frame.height % 2 == 0:
            # limited range in a full-range format (a recording joined to a full-range one): swscale takes
            # yuvj for full whatever it is told, so the same planes are handed to it as yuv420p (yuv444p)
            frame = av().VideoFrame.from_ndarray(frame.to_ndarray(), format=plain)
        if not (fmt.has_palette or len(fmt.components) in (2, 4)):  # no alpha (FFmpeg's own test)
            return frame.to_ndarray(format="rgb24", **size, **cs)
        rgba = frame.to_ndarray(format="rgba", **size, **cs)
        return raster.over(rgba[..., :3], rgba[..., 3])

    def fitted(self, max_side: int) -> np.ndarray:
        """The upright RGB frame, shaped as shown (``shown``), shrunk so its longer side is at most ``max_side``
        (as ``raster.fit`` sizes it), converted and shrunk in one swscale call with area averaging: 0.75 ms for a
        1080p frame where a full conversion plus Pillow's shrink took ~10 ms. The video schedule's
        every-frame glance runs on it, so most frames are never converted at full size."""
        w, h = self._stretched()
        s = min(1.0, max_side / max(w, h))
        if s >= 1.0:
            return self.shown
        size = raster.scaled_size(w, h, s)
        with self._lock:
            small = self._fitted.get(size)
            if small is None:
                a = self._converted(width=size[0], height=size[1], interpolation="AREA")
                small = self._fitted[size] = self.orientation.apply(a)
            return small

    def yuv420p(self) -> np.ndarray | None:
        """The decoded planes as one (H*3/2, W) array when no conversion is needed, else None. An odd
        width or height (legal in VP9 and H.264, which crop) has no such array (PyAV refuses it): the
        caller takes the RGB path, which crops to the even size the encoder takes."""
        if (self.orientation.op or self.frame.format.name != "yuv420p"
                or self.frame.width % 2 or self.frame.height % 2):
            return None
        with self._lock:
            return self.frame.to_ndarray(format="yuv420p")


# FFmpeg decoder threading. Not frame threads ("AUTO"): each frame thread keeps its own copy of the
# decoder's context and pictures (~40 MiB for two 1080p readers), and unseen's decoding is never what
# it waits for (its own thread beside detection, which is ~10x the cost). The median peak of a 1080p
# run drops by 20-140 MiB for ~1% more CPU (docs/BENCHMARKS.md, "Video: memory"). H.264 from cameras has
# one slice per frame, so this decodes on one thread.
THREAD_TYPE = "SLICE"
RESET_FRAMES = 2  # a timestamp more frames than this behind the one before: a clock that started again
# ... and one MAX_JUMP_H hours ahead: an MPEG-TS recorder's restart FFmpeg took for a wrap of its 26.5 h clock (the
# muxer failed: "Not yet implemented in FFmpeg, patches welcome", a hunt, 2026-12-06)
MAX_JUMP_H = 12


class _BestEffort:
    """A frame's time as FFmpeg's players take it (``guess_correct_pts``, the best-effort timestamp): its
    presentation stamp, unless those have gone backwards more often than its decoding stamps, then the
    decoding one (the first frames then come a frame or two apart: the decoder's delay, as players show
    it). An H.264 stream with B-frames copied out of a raw stream into MP4 carries pts = dts (decode
    order), so frames come out of the decoder with their stamps shuffled; taken as they were, a 2.9 s clip
    was written 5.0 s long, frames 0.1 ms apart and others held 0.17 s."""

    def __init__(self) -> None:
        self.faulty_pts = self.faulty_dts = 0
        self.last_pts: int | None = None
        self.last_dts: int | None = None

    def __call__(self, pts: int | None, dts: int | None) -> int | None:
        if dts is not None:
            self.faulty_dts += self.last_dts is not None and dts <= self.last_dts
            self.last_dts = dts
        elif pts is not None:
            self.last_dts = pts
        if pts is not None:
            self.faulty_pts += self.last_pts is not None and pts <= self.last_pts
            self.last_pts = pts
        elif dts is not None:
            self.last_pts = dts
        if self.faulty_pts <= self.faulty_dts:
            return pts if pts is not None else dts
        return dts  # None for the frames flushed at the end: they follow on from the last one (FFmpeg
        # takes their pts there, and the last two frames of such a clip went backwards)
# A VP8 or VP9 track with alpha (WebM's ``alpha_mode``) keeps the alpha in each block's side data, which
# FFmpeg's own decoders ignore: the colour under fully transparent pixels, which no viewer of the input
# sees (often the keyed-out scene), came out opaque. libvpx's decoders read the alpha; the frame is then
# composited over black like any other with alpha (``DecodedFrame``).
ALPHA_DECODERS = {"vp8": "libvpx", "vp9": "libvpx-vp9"}


def _decoder(stream: Any) -> Callable[[Any], Any]:
    """How the track's packets are decoded: by the stream's own decoder, or a libvpx one (ALPHA_DECODERS)."""
    cc = stream.codec_context
    if str(stream.metadata.get("alpha_mode", "")).strip() != "1" or cc.name not in ALPHA_DECODERS:
        return lambda packet: packet.decode()
    alpha = av().CodecContext.create(ALPHA_DECODERS[cc.name], "r")
    alpha.extradata = cc.extradata
    alpha.thread_type = THREAD_TYPE
    return alpha.decode


class Reader:
    """Strict, streaming decoder of one video stream (plus, if asked, one audio stream).

    ``frames()`` yields ("video", DecodedFrame) in presentation order, and ("audio", AudioFrame)
    interleaved when an audio stream is given. A damaged packet raises instead of being concealed,
    and a frame flagged corrupt stops the file (fail closed: no partial output). ``orientation``
    and ``color`` are known once the first frame is out.
    """

    def __init__(self, container, stream, audio=None, max_pixels: int | None = None):
        self.container, self.stream, self.audio = container, stream, audio
        self.max_pixels = max_pixels  # a frame larger than this stops the file (headers can lie)
        self.orientation: Orientation | None = None
        self.color: Color | None = None
        self.time_base = stream.time_base or Fraction(1, 1000)
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        self.default_duration = max(1, round(1 / (rate * self.time_base)))
        self.packets = 0  # video packets read, including ones the container says not to show
        self.audio_packets = 0
        self.end: float | None = None  # seconds from the stream's start to the end of the last frame
        self.start_seconds = 0.0  # where the stream starts on the file's clock
        self.deinterlaced = False  # a frame was flagged interlaced: from it on, pictures go through ``Deinterlacer``
        self.spherical = False  # the first frame carries a 360 projection (sv3d/st3d, MKV's projection)
        self.sar = float(stream.sample_aspect_ratio or 1) or 1.0  # ``DecodedFrame.sar``
        self._deinterlacer: Deinterlacer | None = None
        self._waiting: list[DecodedFrame] = []  # frames given to the deinterlacer, their pictures not yet out

    def frames(self) -> Iterator[tuple[str, Any]]:
        _av = av()
        stream = self.stream
        if stream.codec_context is None:  # a codec FFmpeg does not know (seen by the fuzzer)
            raise UnseenError("video track uses a codec FFmpeg cannot decode")
        stream.thread_type = THREAD_TYPE
        stream.codec_context.options = {"err_detect": "explode"}
        decode = _decoder(stream)
        first_pts: int | None = None
        start: int | None = None  # the stream's start, read at its first frame
        last_pts: int | None = None
        last_dur, shift = self.default_duration, 0  # shift: added to every pts since a clock reset
        last_step = 0  # from the frame before the last to the last
        index, size = 0, (0, 0)
        # Each frame is given out when the next one is decoded, its duration cut to the time until that one:
        # with B-frames, MP4's timing table gives a frame just after a gap in time the gap as its duration
        # (decode order), and a clip of 11 s came out 19 s long, its track's end taken from that frame.
        held: DecodedFrame | None = None
        best_effort = _BestEffort()
        picture_restarts: list[tuple[float, float]] = []  # where the picture's clock started again, and its shift
        audio_clock = AudioClock(RESET_FRAMES, picture_restarts)
        streams = [stream] + ([self.audio] if self.audio is not None else [])
        audio_time: float | None = None  # set while an audio packet is being decoded
        try:
            for packet in self.container.demux(streams):
                if packet.stream.index != stream.index:
                    self.audio_packets += packet.size > 0
                    known = packet.pts is not None and packet.time_base
                    audio_time = float(packet.pts * packet.time_base) if known else 0.0
                    for frame in packet.decode():
                        for timed in audio_clock.feed(frame):
                            yield "audio", timed
                    audio_time = None
                    continue
                self.packets += packet.size > 0
                for frame in decode(packet):
                    if self.max_pixels and frame.width * frame.height > self.max_pixels:
                        raise UnseenError(f"video frame {index + 1} is {frame.width}x{frame.height}, over the "
                                          f"limit for video frames, {pixels_said(self.max_pixels)} (raise with "
                                          "--max-pixels); nothing written")
                    if getattr(frame, "is_corrupt", False):
                        raise UnseenError(f"video is damaged at frame {index + 1}; nothing written")
                    if self.orientation is None:
                        self.orientation = Orientation.from_frame(frame)
                        self.color = Color.from_frame(frame)
                        size = frame.width, frame.height
                        with contextlib.suppress(Exception):
                            self.spherical = frame.side_data.get("SPHERICAL") is not None
                    if frame.interlaced_frame and self._deinterlacer is None:  # from here on (a progressive
                        # title or ident may come first); frames not flagged pass the filter as they are
                        self._deinterlacer = Deinterlacer(frame, frame.time_base or self.time_base)
                        self.deinterlaced = True
                    if (frame.width, frame.height) != size:  # clips of two sizes joined (MPEG-TS)
                        at = f", {float(frame.time) - self.start_seconds:.2f} s in" if frame.time is not None else ""
                        raise UnseenError(f"the picture changes size at frame {index + 1}{at} ({size[0]}x{size[1]}, "
                                          f"then {frame.width}x{frame.height}): unseen reads videos of one "
                                          "size; cut the recording there and run unseen on each part; nothing "
                                          "written")
                    pts = best_effort(frame.pts, frame.dts)
                    if pts is None:  # one step on from the last frame: steps, not durations, since the
                        # decoder gave a flushed frame of a 2 s clip a duration of 1333 s
                        pts = (last_pts + (last_step or last_dur)) if last_pts is not None else 0
                    else:
                        pts += shift
                    if last_pts is not None and (hours := float((pts - last_pts) * self.time_base) / 3600) > MAX_JUMP_H:
                        raise UnseenError(f"the picture's clock jumps forward by {hours:.1f} h at frame {index + 1} (a "
                                          "recorder restarted, or recordings were joined): cut the recording there "
                                          "and run unseen on each part; nothing written")
                    if last_pts is not None and pts <= last_pts:
                        if last_pts - pts > RESET_FRAMES * last_dur:
                            restarted_at = float((pts - shift) * self.time_base)  # on the file's own clock
                            # The clock started again (recordings joined into one MPEG-TS, an AVCHD
                            # camera's clips): the rest follows on one frame later, instead of every
                            # later frame squeezed one tick after the last (a second into 0.3 ms).
                            shift += last_pts + last_dur - pts
                            pts = last_pts + last_dur
                            picture_restarts.append((restarted_at, float(shift * self.time_base)))  # for the sound
                        else:
                            pts = last_pts + 1  # repair non-increasing timestamps; order is decode order
                    if first_pts is None:
                        first_pts = pts
                    last_step = pts - last_pts if last_pts is not None else 0
                    last_pts = pts
                    dur = int(frame.duration or 0) or self.default_duration
                    last_dur = dur
                    t = float((pts - first_pts) * self.time_base)
                    if start is None:  # read once: FFmpeg may set start_time later in the read (a sparse
                        # Matroska file: None, then its last frame's time), and the clip looked truncated
                        start = stream.start_time if stream.start_time is not None else first_pts
                        self.start_seconds = float(start * self.time_base)
                    self.end = float((pts + dur - start) * self.time_base)
                    if held is not None:
                        held.duration = max(1, min(held.duration, pts - held.pts))
                        yield from self._shown(held)
                    # each frame in its own colours: recordings joined in one file may differ in range or matrix,
                    # and the second one's were converted with the first's (blacks crushed or lifted, a hunt,
                    # 2026-12-06); the writer turns a frame unlike the output's into its colours
                    color = Color.from_frame(frame)
                    held = DecodedFrame(index, pts, dur, t, frame, self.orientation, color, self.sar)
                    index += 1
            if held is not None:
                yield from self._shown(held)
            yield from self._shown(None)
            for timed in audio_clock.flush():
                yield "audio", timed
        except UnseenError:
            raise
        except _av.error.FFmpegError as exc:
            if audio_time is not None:
                raise UnseenError(f"audio is damaged or truncated near {audio_time:.2f} s ({error_line(exc)}); "
                                  f"nothing written {WITHOUT_SOUND}") from None
            raise UnseenError(f"video is damaged or truncated at frame {index + 1} ({error_line(exc)}); "
                              "nothing written") from None

    def _shown(self, frame: DecodedFrame | None) -> Iterator[tuple[str, DecodedFrame]]:
        """``frame`` as it is shown (None: the end): as decoded, or with the deinterlaced picture in place of
        the decoded one, which comes a frame later (its times and the stream's colours stay the decoder's)."""
        if self._deinterlacer is None:
            if frame is not None:
                yield "video", frame
            return
        if frame is not None:
            self._waiting.append(frame)
        for picture in self._deinterlacer.send(None if frame is None else frame.frame):
            shown = self._waiting.pop(0)
            shown.frame = picture
            yield "video", shown

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


@dataclass
class Expected:
    """What the container promises, to tell a complete read from a truncated one."""

    packets: dict[int, int]  # stream index -> packets (MP4/MOV sample index, AVI header)
    video_end: float | None = None  # seconds the video stream lasts (Matroska/WebM duration tag)
    end_on_clock: bool = False  # ``video_end`` is where the stream ends on the file's clock (FFmpeg's muxer)


TS_PACKET, M2TS_PACKET, FEC_TS_PACKET = 188, 192, 204


def expected(container, stream, path: Path) -> Expected:
    """Read the container's own bookkeeping; fail at once when it points past the end of the file.

    MP4/MOV: the sample tables list every packet with its offset, so a truncated file is caught
    before any decoding (a sample past the end). Edit lists can leave samples out of the index on
    purpose, so the index, not the declared frame count, is the reference. AVI: the header's frame
    count. Matroska/WebM: the per-track duration tag FFmpeg and mkvmerge write. MPEG-TS carries no
    such promise, but is a run of fixed-size packets (188 bytes; 192 in camera and Blu-ray files, 204 with
    error correction): a file that is no whole number of them was cut mid-packet (one cut at 60% of its
    length was read to its end and written with 21 of 50 frames). A cut on a packet's boundary still passes;
    damage there (as anywhere) also shows up as decode errors, which fail the file.
    """
    names = container.format.name.split(",")
    size = path.stat().st_size
    out = Expected({})
    if "mov" in names:
        if (edit := unfollowed_edit(path)) is not None:
            raise UnseenError(f"its edit list holds {edit}, which unseen cannot follow: the seconds it hides would "
                              "be published; export the clip as it plays (from the editor or phone) first")
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
    elif "mpegts" in names:
        if size % TS_PACKET and size % M2TS_PACKET and size % FEC_TS_PACKET:
            raise UnseenError("file is truncated: it ends inside an MPEG-TS packet; nothing written")
    elif "matroska" in names:
        tag = str(stream.metadata.get("DURATION", ""))
        m = re.match(r"^(\d+):(\d\d):(\d\d(?:\.\d+)?)$", tag)
        if m:
            out.video_end = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            # FFmpeg's muxer writes where the track ends on the file's clock; mkvmerge how long it lasts
            out.end_on_clock = str(container.metadata.get("ENCODER", "")).startswith("Lavf")
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
        # FFmpeg's Matroska muxer writes where the track ends on the file's clock, not how long it lasts: a
        # remux of a clip whose picture starts at 0.84 s (its sound first) read "9.18 s of 10.02 s", and one
        # whose clock starts 10 h in "10.00 s of 36010.00 s", both refused as truncated (a hunt, 2026-12-06).
        # mkvmerge's tag is a length: read as an end, a cut of up to the start's offset passed (a review).
        end = reader.end + reader.start_seconds if exp.end_on_clock else reader.end
        if end < exp.video_end - slack:
            raise UnseenError(f"video ends early: {end:.2f} s of {exp.video_end:.2f} s could be read "
                              "(truncated?); nothing written")


def stream_label(s) -> str:
    """A user's name for a stream: "telemetry (GoPro GPMF)", "cover picture", "audio (aac)"..."""
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
    if s.type == "video" and s.disposition & ATTACHED_PIC:
        return "cover picture"
    return f"{s.type} ({name})" if name else s.type
