"""One video through the whole flow: two reads of the file, never a buffer of frames.

1. **analyse** (a thread): decode every frame, run the detection schedule
   (``detect.schedule.VideoDetector``) and link the detections into tracks (``unseen.track``).
   Only boxes are kept: a few bytes per face.
2. **write** (the caller's thread): decode the file a second time, mask each frame with the tracks'
   boxes for its timestamp (bridged over misses, held ``options.hold`` seconds before a track's
   first and after its last detection), encode, mux. The writer trails the analyser just enough
   that no later detection can change a frame's boxes (``LiveCoverage.ready``: ~1 s of video, up
   to ~2.5 s while a face is being missed), so the result is exactly that of two sequential
   passes, while both reads share the CPU. Frames larger than 4K DCI are written once the
   analysis is done instead (``big_frames``): beside it, the two together were over 2 GB at 8K.

Why re-read rather than buffer: the hold *before* a face's first detection and the bridging of
misses (up to 2 s) need to see the future. A buffer would hold every frame of that window
(1080p: 6 MB a frame, ~450 MB for 3 s at 25 fps); re-decoding costs ~13 ms CPU per 1080p frame,
~3% of a run, and memory stays one frame per read whatever the clip length.

Sound (``options.audio``): ``drop`` never opens the audio stream; ``keep`` re-encodes it; ``mute-speech``
adds a third read of the file, audio only (``_AudioPass``, a thread started beside the analysis):
``audio.analyse`` finds the speech spans and measures the non-speech bed, at ~100x real time, and the
writer waits for it to finish before it passes its first audio frame through ``audio.Muter``. Why a
read of its own rather than the analysis thread's: the comfort noise for a span is shaped on the
non-speech up to 10 s after it (and on the whole clip when there is too little), and the speech
detector scores 4 s blocks, so spans decided at the video analysis's pace would make the writer trail
by 10 s or more; the audio-only read is done within the first second or two of most clips, while the
writer is waiting for the analysis's lead anyway, and the spans it hands over are final by
construction (the muter can only be built from a finished analysis).

The output is built from pixels only (``media.video_write``), stripped by its container's module
and re-read by ``media.video_check``, which fails it if any tag, extra stream, encoder string or SEI
is left. Self-check (re-detection on the masked frame) is not run for video: the tracker's bridging
and hold are the video's safety net, and the slip benchmark (bench/video_bench.py) measures what
gets through.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .. import heap
from ..audio import AudioAnalysis, Muter, analyse
from ..boxes import BoxSet
from ..detect.onnx_session import release_arena
from ..detect.schedule import VideoDetector
from ..errors import UnseenError
from ..interrupt import check
from ..media import mp4, pixels_said, webm
from ..media.ffmpeg import audio_stream, av, error_line, tag_text
from ..media.video_check import verify_output
from ..media.video_read import (
    Expected,
    Reader,
    check_complete,
    expected,
    format_name,
    open_input,
    other_clips,
    prefetch,
    stream_label,
    video_stream,
)
from ..media.video_write import BIG_FRAME, CODECS, OUTPUT_LAYOUTS, Writer, audio_channels, open_writer, output_extension
from ..options import Options
from ..regions import Regions
from ..report import Report
from ..track import LiveCoverage, Tracker
from .image import mask_frame, mask_planes
from .output import atomic_output, identity, unchanged_since
from .plan import Job

Progress = Callable[[int, int], None]


@dataclass
class VideoResult:
    """What one video run found and wrote (copied into the file's Report by name, field by field)."""

    frames: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # most of each kind in one analysed frame
    tracks: int = 0
    passes: int = 0  # detector passes the schedule ran
    audio: str = "none"
    speech_removed: float | None = None  # seconds of audio replaced (mute-speech only)
    audio_cpu: float = 0.0  # CPU seconds of speech analysis and muting (mute-speech only)
    audio_wait: float = 0.0  # seconds the writer waited for the speech analysis (mute-speech only)
    format_in: str = ""
    format_out: str = ""
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verify: dict[str, Any] | None = None  # --verify's result (``verify_video``)


# How many frames the analysis decodes ahead (``prefetch``'s depth; 0: no decoding thread, each frame decoded
# and prepared in the analysis's own) and runs passes on at once (``detect_all``'s window), for frames up to
# 4K DCI and larger (``big_frames``). Each frame in flight holds its decoded picture and, when a full pass is
# due, its RGB copy: 150 MB at 8K. On a 24-frame 8K clip at 8 fps (a full pass every few frames) the analysis
# held 8-11 frames at its peak, 1.3 of a 2.4 GB run (memray, 2026-12-06); decoding one frame ahead in a
# thread still left 1558 MiB by default, none 1300 (~10% more wall time at 8K; "Video: 8K memory" in
# docs/BENCHMARKS.md). A window of 2 is the least that finds cuts (``detect_all``).
IN_FLIGHT, IN_FLIGHT_BIG = (2, 4), (0, 2)


def big_frames(stream: Any) -> bool:
    """Frames larger than 4K DCI (``BIG_FRAME``): fewer in flight, written after the analysis, the heap's
    free pages given back after each (``_Analysis``, ``_Pass2._after_analysis``)."""
    cc = stream.codec_context
    return cc is not None and (cc.width or 0) * (cc.height or 0) > BIG_FRAME


class _Analysis(threading.Thread):
    """Pass 1: decode, detect, track. Runs beside the writer (before it, for frames larger than 4K DCI:
    ``big_frames``); the tracker is shared under ``cond``."""

    def __init__(self, src: Path, exp: Expected, vdet: VideoDetector, tracker: Tracker, max_pixels: int = 0):
        super().__init__(name="unseen-analyse", daemon=True)
        self.src, self.exp, self.vdet, self.tracker = src, exp, vdet, tracker
        self.max_pixels = max_pixels
        self.big = False  # frames larger than 4K DCI (``big_frames``)
        self.cond = threading.Condition()
        self.stop = threading.Event()
        self.frames = 0
        self.finished = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with open_input(self.src) as c:
                stream = video_stream(c)
                reader = Reader(c, stream, max_pixels=self.max_pixels)
                self.big = big_frames(stream)
                depth, window = IN_FLIGHT_BIG if self.big else IN_FLIGHT
                # Closed before the file is, however the loop ends: a detector's error (an interrupt) kept
                # both generators alive in its traceback, and the decoding thread read on from the closed
                # file (a segmentation fault, 2026-12-06).
                decoded = reader.video_frames()
                with contextlib.closing(prefetch(decoded, self.vdet.prepare, depth) if depth else decoded) as frames, \
                        contextlib.closing(self.vdet.detect_all(frames, window=window)) as found_all:
                    self._analyse(reader, found_all)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the writer
            self.error = exc
        finally:
            with self.cond:
                self.finished = True
                self.cond.notify_all()

    def _analyse(self, reader: Reader, found_all: Iterator[tuple[Any, Regions]]) -> None:
        for f, found in found_all:
            if self.stop.is_set():
                return
            with self.cond:
                # Holds stop at cuts between shots, found ahead by ``prepare``: passed on in time order.
                for cut in self.vdet.cuts[len(self.tracker.cuts):]:
                    if cut > f.time + 1e-6:
                        break
                    self.tracker.cut(cut)
                waiting = self.tracker.update(f.time, found, self.vdet.camera(f.time))
                self.frames += 1
                self.cond.notify_all()
            if waiting:  # outside the lock: the writer goes on meanwhile
                passed = self.vdet.look(f.rgb, np.stack([box for _, box in waiting]))
                with self.cond:
                    self.tracker.confirm([tr for (tr, _), ok in zip(waiting, passed, strict=True) if ok])
            if self.big:
                del f
                heap.give_back()  # the next frames' peak would stack on this one's freed leftovers
        check_complete(reader, self.exp)

    def wait_for(self, ready: Callable[[], bool]) -> None:
        """Block until ``ready()`` (checked under the lock) or the analysis has ended."""
        with self.cond:
            while not self.finished and not ready():
                self.cond.wait(0.5)
        if self.error is not None:
            raise self.error


class _AudioPass(threading.Thread):
    """Speech analysis of the first audio stream: its own read of the file, audio only, beside pass 1."""

    def __init__(self, src: Path):
        super().__init__(name="unseen-audio", daemon=True)
        self.src = src
        self.stop = threading.Event()
        self.result: AudioAnalysis | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = analyse(self.src, stop=self.stop)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the writer
            self.error = exc

    def analysis(self) -> AudioAnalysis:
        """Block until the analysis is complete: every span final before any sample is muted."""
        self.join()
        if self.error is not None:
            raise self.error
        if self.result is None:
            raise UnseenError("audio analysis was stopped; nothing written")
        return self.result


@dataclass
class _Pass2:
    """Pass 2: decode again, mask with the tracks' boxes, encode, mux."""

    src: Path
    tmp: Path
    options: Options
    boxset: BoxSet | None
    keep_audio: bool
    exp: Expected
    analysis: _Analysis
    coverage: LiveCoverage
    progress: Progress | None
    total: int
    notes: list[str]
    audio_pass: _AudioPass | None = None
    muter: Muter | None = None
    audio_wait: float = 0.0  # seconds the writer waited for the speech analysis
    written: int = 0
    boxes_shown: np.ndarray | None = None  # per region of the boxes file: active on some frame
    last_time: float = 0.0

    def mute(self, frame: Any) -> Any:
        """An audio frame with its speech muted (mute-speech), or as it is (keep)."""
        if self.audio_pass is None:
            return frame
        return self._muter().process(frame)

    def _muter(self) -> Muter:
        if self.muter is None:
            assert self.audio_pass is not None
            t0 = time.perf_counter()
            self.muter = Muter(self.audio_pass.analysis())
            self.audio_wait = time.perf_counter() - t0
        return self.muter

    def _after_analysis(self) -> None:
        """Frames larger than 4K DCI: written once the analysis is done, not beside it. Beside it, the
        writer's frames and x264's (~500 MB at 8K) came on top of the analysis's own, 1.9-2.1 GB on a
        24-frame 8K clip; one after the other, each phase's own (docs/BENCHMARKS.md, "Video: 8K memory"),
        for ~10% more wall time at 8K. onnxruntime's arena and the heap's free pages go back between the two.
        The bar counts the frames analysed meanwhile."""
        show = getattr(self.progress, "analysing", None)  # the command's bar; the review page's takes 2 numbers
        seen = -1
        while not self.analysis.finished:
            self.analysis.wait_for(lambda seen=seen: self.analysis.frames != seen)
            seen = self.analysis.frames
            if show is not None:  # outside the analysis's lock: a slow stderr does not hold it up
                show(seen, max(self.total, seen) if self.total else 0)
        self.analysis.wait_for(lambda: False)  # its error, if it ended with one
        release_arena()
        heap.give_back()

    def regions_at(self, t: float) -> Regions:
        self.analysis.wait_for(lambda: self.coverage.ready(t))
        with self.analysis.cond:
            regions = self.coverage.at(t)
        if self.boxset is not None:
            active = self.boxset.active(t)
            self.boxes_shown = active if self.boxes_shown is None else self.boxes_shown | active
            self.last_time = max(self.last_time, t)
            regions = regions + self.boxset.regions[active]
        return regions

    def run(self) -> bool:
        """Write every frame; returns whether audio was written."""
        rng = np.random.default_rng()
        with open_input(self.src) as c:
            v = video_stream(c)
            if big_frames(v):
                self._after_analysis()
            a = audio_stream(c) if self.keep_audio else None
            writer: Writer | None = None
            origin = 0.0
            pending_audio: list = []
            tb = v.time_base or Fraction(1, 1000)
            first_pts = 0
            reader = Reader(c, v, a, max_pixels=self.options.frame_pixel_limit)
            try:
                for kind, f in reader.frames():
                    check()  # interrupted: the review page's save thread is not stopped by KeyboardInterrupt
                    if kind == "audio":
                        f = self.mute(f)
                        if writer is None:
                            pending_audio.append(f)
                            if len(pending_audio) > 2000:
                                heard = float(f.pts * f.time_base) if f.pts is not None and f.time_base else 0.0
                                raise UnseenError(f"the sound runs far ahead of the picture in the file (its "
                                                  f"first {heard:.0f} s come before any frame); run it with "
                                                  "--audio drop")
                        else:
                            writer.write_audio(f, origin)
                        continue
                    if writer is None:
                        writer = self._open(reader, v, tb, f.size, a)
                        origin = output_origin(float(f.pts * tb), pending_audio, a)
                        # the first frame's place on the output's timeline: after the audio kept before it
                        first_pts = f.pts - round((float(f.pts * tb) - origin) / tb)
                        for af in pending_audio:
                            writer.write_audio(af, origin)
                        pending_audio = []
                    regions = self.regions_at(f.time)
                    planes = self._masked_planes(f, regions) if f.color == reader.color else None
                    if planes is None or not writer.write_yuv420p(planes, f.pts - first_pts, f.duration):
                        pixels = f.rgb
                        if len(regions):
                            pixels, _ = mask_frame(pixels, regions, self.options, rng)
                        writer.write_video(pixels, f.pts - first_pts, f.duration)
                    self.written += 1
                    if self.progress is not None:  # frames written; the writer is paced by the analysis
                        self.progress(self.written, max(self.total, self.written) if self.total else 0)
                self.analysis.wait_for(lambda: False)
                if self.written != self.analysis.frames:
                    raise UnseenError(f"second read of the video gave {self.written} frames, first gave "
                                      f"{self.analysis.frames}; nothing written")
                if writer is None:
                    raise UnseenError("video has no decodable frames")
                if self.boxset is not None and self.boxes_shown is not None:
                    self.boxset.check_shown(self.boxes_shown, self.last_time)
                if self.audio_pass is not None:
                    self._muter().finish()
                check_complete(reader, self.exp, audio=True)
                if reader.deinterlaced:  # known once a frame is flagged, which may come after the first
                    self.notes.append("interlaced: frames made whole (deinterlaced) before faces were searched; "
                                      "written progressive")
                writer.finish()
            except BaseException:
                if writer is not None:  # the temporary file is deleted by atomic_output
                    with contextlib.suppress(Exception):
                        writer.container.close()
                raise
            return writer.audio is not None and writer.audio_packets > 0

    def _masked_planes(self, f: Any, regions: Regions) -> np.ndarray | None:
        """The frame's decoded yuv420p planes with its regions filled, or None when the frame needs
        the RGB path (rotated or another pixel format, or a style other than a grey fill)."""
        planes = f.yuv420p()  # a fresh array: filled in place
        if planes is None or not len(regions):
            return planes
        return planes if mask_planes(planes, f.size, regions, self.options, f.color.full_range) else None

    def _open(self, reader: Reader, v: Any, tb: Fraction, size: tuple[int, int], audio: Any) -> Writer:
        color, orient = reader.color, reader.orientation
        w, h = size
        if self.boxset is not None:
            self.boxset.check_fits(w, h)
        sar = v.sample_aspect_ratio if v.sample_aspect_ratio else None
        if sar and orient.op in ("clock", "cclock", "transpose", "antitranspose"):
            sar = 1 / sar
        writer = open_writer(self.tmp, self.options.codec, (w, h), tb, v.average_rate or v.guessed_rate,
                             color, sar, audio)
        if writer.size != (w, h):
            self.notes.append(f"{w}x{h} cropped to {writer.size[0]}x{writer.size[1]} (4:2:0 needs even sizes)")
        if orient.op:
            self.notes.append(f"{orient.said} applied to the pixels")
        if reader.spherical:  # not a leak: what a 360 player needs; the user should know it is gone
            self.notes.append("360 video: its projection (spherical metadata) is not written, so players show it "
                              "flat; a tool such as Google's spatial-media injector adds it back")
        if audio is not None:
            channels, layout = audio_channels(audio)
            if channels not in OUTPUT_LAYOUTS:
                self.notes.append(f"audio: {channels} channels mixed down to {layout}")
        return writer


# Audio that starts before the first video frame is kept up to this long before it (the video then
# starts this late on the output's timeline, as it did in the input); earlier audio is dropped.
MAX_AUDIO_LEAD = 10.0


def output_origin(video_start: float, early_audio: list, audio: Any) -> float:
    """The input time (s) that becomes the output's zero: the first video frame's, or the start of
    the audio when that comes first (up to ``MAX_AUDIO_LEAD`` s before it). With the first frame as
    zero, speech before it was cut: 0.84 s of the hamilton clip's, whose video starts at 0.85 s and
    its audio at 0.01 s. ``early_audio``: frames decoded before the first video frame; the audio
    stream's own start time counts too (its first packets may come after the first video packet)."""
    if audio is None:
        return video_start
    times = [float(fr.pts * fr.time_base) for fr in early_audio if fr.pts is not None and fr.time_base]
    if audio.start_time is not None and audio.time_base:
        times.append(float(audio.start_time * audio.time_base))
    return max(min([video_start, *times]), video_start - MAX_AUDIO_LEAD)


def check_frame_size(stream: Any, limit: int, width: int = 0, height: int = 0) -> None:
    """Refuse frames over ``limit`` pixels from the header, before any is decoded (a 564 KB file can
    declare 16000x12000 frames); the readers check every decoded frame again."""
    cc = stream.codec_context
    w, h = width or (cc.width if cc else 0), height or (cc.height if cc else 0)
    if w * h > limit:
        raise UnseenError(f"video frames are {w}x{h} = {pixels_said(w * h)}, over the limit for video "
                          f"frames, {pixels_said(limit)} (8K by default; raise with --max-pixels)")


def _dropped(container: Any, vstream: Any, audio_kept: Any | None) -> list[str]:
    """What the input carried that the output does not (for the report). ``audio_kept``: the one audio
    stream written (a second language or commentary track went unmentioned when the first was kept)."""
    out = []
    tags = [tag_text(k) for k in container.metadata]
    if any("location" in k.lower() or "6709" in k for k in tags):
        out.append("GPS")
    out += [f"tag {k}" for k in tags if k not in ("major_brand", "minor_version", "compatible_brands")]
    for s in container.streams:
        if s.index == vstream.index:
            if s.metadata:
                out.append(f"video stream tags ({', '.join(sorted(map(tag_text, s.metadata)))})")
            continue
        if audio_kept is not None and s.index == audio_kept.index:
            if s.metadata:
                out.append(f"audio stream tags ({', '.join(sorted(map(tag_text, s.metadata)))})")
            continue
        out.append(f"{stream_label(s)} stream {s.index}")
    with contextlib.suppress(Exception):
        if container.chapters():
            out.append(f"chapters ({len(container.chapters())})")
    return out


def _run(src: Path, tmp: Path, options: Options, detector: Any, boxset: BoxSet | None,
         progress: Progress | None) -> VideoResult:
    t0 = time.perf_counter()
    result = VideoResult()
    if boxset is not None and boxset.mode == "only":
        # A boxes file's "only" trusts a person to have listed every face, with the self-check behind
        # them on a photo (docs/BOXES.md); a video has no self-check, and a stale or mistaken file left
        # every face of the clip visible ("0 detector passes", exit 0). The detector runs as for "add".
        result.notes.append("boxes file's mode only taken as add: a video has no self-check, so the "
                            "detector runs too")
    with open_input(src) as c:
        v = video_stream(c)
        check_frame_size(v, options.frame_pixel_limit)
        total = int(v.frames or 0)
        exp = expected(c, v, src)
        audio_in = audio_stream(c)
        keep_audio = options.audio in ("keep", "mute-speech") and audio_in is not None
        if keep_audio and audio_in.codec_context is None:  # was "audio is damaged or truncated" (a review, 2026-12-06)
            raise UnseenError("audio track uses a codec FFmpeg cannot decode; use --audio drop")
        if keep_audio and len(c.streams.audio) > 1:
            said = ", ".join(f"stream {s.index}" for s in c.streams.audio if s.index != audio_in.index)
            result.warnings.append(f"{len(c.streams.audio)} audio streams in the file; only stream {audio_in.index}, "
                                   f"the one players play, is written, not {said}")
        result.format_in = format_name(c, src)
        result.dropped = _dropped(c, v, audio_in if keep_audio else None)
        others = other_clips(c, v)
        if others:
            said = ", ".join(f"stream {s.index} ({s.width}x{s.height})" for s in others)
            result.warnings.append(f"{len(others) + 1} video streams in the file; only stream {v.index} "
                                   f"({v.width}x{v.height}), the one players show, is written, not {said}")

    # Pass 1, in a thread: analyse. Pass 2 below trails it (LiveCoverage.ready).
    vdet = VideoDetector(detector, second_look=options.second_look)
    tracker = Tracker(confirm_below=vdet.confirm_below, look_from=vdet.look_from)
    analysis = _Analysis(src, exp, vdet, tracker, options.frame_pixel_limit)
    coverage = LiveCoverage(analysis.tracker, options.hold)
    audio_pass = _AudioPass(src) if keep_audio and options.audio == "mute-speech" else None
    writer = _Pass2(src, tmp, options, boxset, keep_audio, exp, analysis, coverage, progress, total, result.notes,
                    audio_pass)
    try:
        if audio_pass is not None:
            audio_pass.start()
        analysis.start()
        audio_written = writer.run()
    finally:
        for thread in (audio_pass, analysis):
            if thread is not None:
                thread.stop.set()
                thread.join()
    result.frames = writer.written
    result.counts = dict(analysis.tracker.max_per_frame)
    analysis.tracker.finish()
    result.tracks = analysis.tracker.ended
    result.passes = vdet.runs
    if boxset is not None:  # regions a person added, active over their own time ranges
        for kind, n in boxset.regions.counts().items():
            result.counts[kind] = max(result.counts.get(kind, 0), n)

    fmt_out = CODECS[options.codec][1]
    (mp4.strip if fmt_out == "mp4" else webm.strip)(tmp)
    problems = verify_output(tmp, options.codec, result.frames, audio_written)
    if problems:
        raise UnseenError("output failed its check (" + "; ".join(problems[:4]) + "); nothing written")
    if options.verify:  # the adversaries on the finished file, before it is renamed into place
        from ..verify_video import verify_video  # optional extra: dlib recognizer

        # A progress object with ``verifying(checked, total)`` shows the check too (the CLI's bar).
        result.verify = verify_video(src, tmp, options.cover, options.verify_every, options.frame_pixel_limit,
                                     getattr(progress, "verifying", None))
        if result.verify["verdict"] != "pass":
            raise UnseenError(f"verify failed: {result.verify['summary']}; nothing written")

    result.format_out = f"{fmt_out} ({options.codec})"
    audio_codec = "AAC" if fmt_out == "mp4" else "Opus"
    if audio_in is None:
        result.audio = "none"
    elif writer.muter is not None:
        an = writer.muter.an
        result.audio = f"speech muted ({audio_codec})"
        result.speech_removed = round(an.speech_seconds, 2)
        result.audio_cpu, result.audio_wait = an.cpu_s + writer.muter.cpu_s, writer.audio_wait
        if an.spans:
            fill = "comfort noise" if any(an.profiles) else "silence"
            result.notes.append(f"speech muted: {len(an.spans)} span(s), {an.speech_seconds:.1f} s of "
                                f"{an.duration:.1f} s replaced by {fill}; singing, chants and shouts may remain "
                                "(listen before publishing)")
        else:  # a voice under a crowd's roar at -5 dB was kept whole, said as "0.0 s muted" (a hunt, 2026-12-06)
            result.warnings.append(f"no speech found in {an.duration:.1f} s of sound, so none was muted: a voice under "
                                   "loud noise or music, whispered or high-pitched can be missed; listen before "
                                   "publishing, or use --audio drop")
    elif keep_audio:
        result.audio = f"kept ({audio_codec})"
        result.notes.append("audio re-encoded; voices can identify people")
    else:
        result.audio = "dropped"
    if options.style in ("pixelate", "blur"):
        result.warnings.append(f"style {options.style} keeps a degraded trace of each face, plate and text covered")
    if options.preset != "thorough":
        result.notes.append(f"--{options.preset} applies to photos; video ran its usual detection schedule")
    how = "detection schedule" if vdet.scheduled else "every frame, detector as given"
    result.notes.append(f"{vdet.runs} detector passes ({how})")
    if analysis.tracker.unconfirmed:
        result.warnings.append(f"{analysis.tracker.unconfirmed} low-score face track(s) left uncovered: a second "
                               "look at their pixels found no face (--no-second-look covers them)")
    seconds = time.perf_counter() - t0
    result.notes.append(f"{result.frames} frames in {seconds:.1f} s "
                        f"({result.frames / max(seconds, 1e-9):.1f} fps, two reads)")
    return result


FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}  # errors of a destination that can take no more


def anonymize_video(src: Path, tmp: Path, options: Options, detector: Any, boxset: BoxSet | None = None,
                    progress: Progress | None = None) -> VideoResult:
    """Anonymise one video into ``tmp`` (renamed atomically by the caller); one-line errors only.

    ``counts["face"]`` is the most faces detected in any one analysed frame (as for animations in
    the photo path); ``tracks`` is the number of distinct tracks (a face lost for more than 2 s and
    found again counts twice). ``progress(done, total)`` counts frames written; the writer trails
    the analysis by about a second of video, so the rate and ETA are the whole job's. ``total`` is
    the container's frame count, 0 when it does not say (MKV, MPEG-TS): an estimate from the stream's length
    and frame rate was tried and taken out (a review, 2026-12-06: a variable-rate MKV's bar stopped at 25%,
    joined MPEG-TS recordings' sat at 100% halfway).
    """
    _av = av()
    output_extension(options.codec)
    try:
        before = identity(src)
        result = _run(src, tmp, options, detector, boxset, progress)
        unchanged_since(src, before)
        return result
    except (UnseenError, MemoryError):
        raise
    except (_av.error.FFmpegError, OSError) as exc:
        if getattr(exc, "errno", None) in FULL:  # the writing, not the video: a full disk read as the input's fault
            raise UnseenError(f"cannot write the output into {tmp.parent}: {os.strerror(exc.errno)}") from None
        if isinstance(exc, _av.error.FFmpegError):
            raise UnseenError(f"video processing failed: {error_line(exc)}") from None
        raise UnseenError(f"video processing failed: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - fail closed with one line, never a traceback and a half-written file
        raise UnseenError(f"video processing failed: {type(exc).__name__}: {error_line(exc)}") from None


def anonymize_video_file(job: Job, options: Options, detector: Any, report: Report,
                         boxset: BoxSet | None, progress: Progress | None) -> None:
    """The video flow for one file: atomic output, and the result copied into the report."""
    report.kind = "video"
    dst = job.destination(output_extension(options.codec))
    job.check_destination(dst)
    with atomic_output(dst, options.force, source=job.src) as tmp:
        r = anonymize_video(job.src, tmp, options, detector, boxset, progress)
    report.frames, report.tracks, report.audio = r.frames, r.tracks, r.audio
    report.speech_removed_seconds = r.speech_removed
    report.format_in, report.format_out = r.format_in, r.format_out
    report.metadata_dropped, report.detector_passes = r.dropped, r.passes
    report.notes.extend(r.notes)
    report.warnings.extend(r.warnings)
    if r.verify is not None:  # the report names both files; the check's own names are the temporary file's
        report.verify = {k: v for k, v in r.verify.items() if k not in ("original", "output")}
    report.set_counts(r.counts)
    report.output = str(dst)
