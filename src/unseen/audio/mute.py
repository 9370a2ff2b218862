"""``--audio mute-speech``: remove the speech a detector finds, keep the rest of the sound as it was.

Two reads of the audio, like the video's two reads, and never a buffer of it:

1. ``analyse(path)`` decodes the first audio stream once, start to end: a 16 kHz mono downmix and,
   for two or more channels, every channel alone (the LFE too: an unlabelled six-channel recording is
   read as 5.1, its fourth microphone as the LFE) and the difference of each left/right pair (front,
   back, side: ``side_pairs``) go through the
   speech detector (``speech.py``), so a voice in one channel only, in anti-phase between two (a
   downmix cancels it), or panned under music mixed to the centre (the difference cancels the music)
   is still found, and so is the downmix's non-repeating part (``foreground.py``: a voice over a music
   bed, which the detector hears poorly as it is); the spans of all of them are united, padded and
   merged. Meanwhile
   ``bed.BlockStats`` measures the non-speech around them for the comfort noise. The result is a
   few numbers per span; it is final before the first sample is muted.
2. ``Muter(analysis).process(frame)`` runs on the frames of the writer's own decode, in stream
   order: samples outside spans are passed on untouched (the same frame object when its format
   allows), samples inside spans are replaced by comfort noise (``bed.ShapedNoise``), with 5 ms
   raised-cosine fades at the edges. Same rate, layout, sample count and timestamps.

Fail closed: any decode error, a stream that stops before what its container declares, a format
change mid-stream, or a second read that does not give exactly the samples the first read gave
raises ``UnseenError`` (one line; the engine writes nothing).

Never a pitch or formant shift: those are reversible and give a false sense of safety
(docs/THREAT_MODEL.md, "Voices").
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UnseenError
from ..media.ffmpeg import (
    WITHOUT_SOUND,
    audio_samples,
    audio_stream,
    av,
    error_line,
    float_planar_frame,
    format_changed,
    open_input,
)
from .bed import BlockStats, Profile, ShapedNoise, profiles
from .foreground import Foreground
from .speech import Resampler16k, SpeechDetector, VadParams, pad_merge

FADE_S = 0.005
TRUNC_TOL_SAMPLES = 2048  # decoded audio may end this much before the declared duration (priming, seen <= 312)


def side_pairs(names: list[str]) -> list[tuple[int, int]]:
    """The left and right channels of each pair a layout names (FL/FR, BL/BR, SL/SR, ...): the detector
    also hears each pair's difference, which cancels what is mixed to both (``analyse``). A voice only
    in a rear channel, under music in every channel, kept 2.6 of its 3 s when only the first two
    channels' difference was heard (a hunt, 2026-12-05). Unnamed channels: the first two."""
    pairs = [(i, names.index(n[:-1] + "R")) for i, n in enumerate(names)
             if len(n) > 1 and n.endswith("L") and n[:-1] + "R" in names]
    return pairs or ([(0, 1)] if len(names) >= 2 else [])
INDEXED_FORMATS = ("mov", "mp4", "matroska", "webm")  # containers whose stream duration is not a guess
DEFAULT_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}


@dataclass
class AudioAnalysis:
    """What the first read found: speech spans (samples at the stream's rate) and their fills."""

    rate: int
    layout: str  # the layout frames are written with (the input's, or the usual one for its channel count)
    channels: int
    samples: int  # decoded samples per channel
    spans: list[tuple[int, int]]  # [start, end) sample ranges to replace
    profiles: list[Profile | None]  # one per span; None: digital silence
    nfft: int
    edges: np.ndarray = field(repr=False)
    detectors: int = 1  # speech detector runs (downmix, its foreground, each channel, L - R)
    cpu_s: float = 0.0  # CPU time of this read (decode, resample, detector, block stats)

    @property
    def duration(self) -> float:
        return self.samples / self.rate if self.rate else 0.0

    @property
    def speech_seconds(self) -> float:
        return sum(b - a for a, b in self.spans) / self.rate if self.rate else 0.0

    @property
    def spans_seconds(self) -> list[tuple[float, float]]:
        return [(a / self.rate, b / self.rate) for a, b in self.spans]


class _Planar:
    """Decoded frames -> float32 planar (channels, n) arrays; the format must not change mid-stream."""

    def __init__(self) -> None:
        self.rate = 0
        self.layout = ""
        self.channels = 0
        self.names: list[str] = []
        self.out_layout = ""

    def check(self, frame: Any) -> None:
        if not self.rate:
            self.rate, self.layout = frame.sample_rate, frame.layout.name
            names = [c.name for c in frame.layout.channels]
            self.names = names
            self.channels = len(names)
            unspecified = self.layout.endswith("channels") or any(c.startswith("USR") or c == "NONE" for c in names)
            self.out_layout = DEFAULT_LAYOUTS.get(self.channels, "") if unspecified else self.layout
            if not self.rate or not self.out_layout:
                raise UnseenError(f"audio has {self.channels} channels without a known layout or no sample rate; "
                                  "use --audio drop")
        elif frame.sample_rate != self.rate or frame.layout.name != self.layout:
            raise format_changed((self.rate, self.layout), (frame.sample_rate, frame.layout.name))

    def __call__(self, frame: Any) -> np.ndarray:
        self.check(frame)
        a = audio_samples(frame)
        name = frame.format.name
        if not frame.format.is_planar:
            a = a.reshape(-1, self.channels).T
        if name.startswith("s16"):
            a = a.astype(np.float32) / 32768.0
        elif name.startswith("s32"):
            a = a.astype(np.float32) / 2147483648.0
        elif name.startswith("u8"):
            a = (a.astype(np.float32) - 128.0) / 128.0
        elif name.startswith("s64"):
            a = (a / 9.223372036854776e18).astype(np.float32)
        else:
            a = a.astype(np.float32, copy=False)
        return np.ascontiguousarray(a)


def _mono_frame(x: np.ndarray, rate: int) -> Any:
    return float_planar_frame(np.reshape(x, (1, -1)), "mono", rate)


def _declared_seconds(container: Any, stream: Any) -> float | None:
    """What the container states the stream lasts, where that comes from an index or a header."""
    if not any(n in INDEXED_FORMATS for n in (container.format.name or "").split(",")):
        return None
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _ends(frame: Any, stream: Any) -> float:
    """Seconds from the stream's start to the end of ``frame`` by its timestamp (0 when it has none)."""
    if frame.pts is None or not frame.time_base or not frame.sample_rate:
        return 0.0
    return float((frame.pts - (stream.start_time or 0)) * frame.time_base) + frame.samples / frame.sample_rate


def _decode(container: Any, stream: Any, stop: threading.Event | None) -> Iterator[Any]:
    """Every frame of one audio stream; any FFmpeg failure becomes a one-line UnseenError."""
    _av = av()
    t = 0.0
    try:
        for packet in container.demux(stream):
            if stop is not None and stop.is_set():
                return
            for frame in packet.decode():
                if frame.pts is not None and frame.time_base:
                    t = float(frame.pts * frame.time_base)
                yield frame
    except _av.error.FFmpegError as exc:
        raise UnseenError(f"audio is damaged or truncated near {t:.2f} s ({error_line(exc)}); "
                          f"nothing written {WITHOUT_SOUND}") from None


DEFAULT_PARAMS = VadParams()


def analyse(path: Path, params: VadParams = DEFAULT_PARAMS,
            stop: threading.Event | None = None) -> AudioAnalysis | None:
    """Read 1: speech spans and the non-speech bed of the first audio stream (None: no audio)."""
    c0 = time.thread_time()
    with open_input(path) as container:
        if not container.streams.audio:
            return None
        stream = audio_stream(container)
        if stream.codec_context is None:
            raise UnseenError("audio track uses a codec FFmpeg cannot decode; use --audio drop")
        stream.codec_context.options = {"err_detect": "explode"}
        declared = _declared_seconds(container, stream)
        planar = _Planar()
        stats: BlockStats | None = None
        # what each detector hears: None the downmix, a channel, or a pair's difference (left, right)
        dets: list[tuple[int | tuple[int, int] | None, Resampler16k, SpeechDetector]] = []
        pending: list[np.ndarray] = []  # planar chunks waiting for the per-channel detectors
        pending_n = 0
        n = 0
        ends = 0.0  # where the last frame ends on the stream's clock: past ``n`` samples when its clock skips
        fore, fore_det = Foreground(), SpeechDetector(params)  # the downmix's non-repeating part (music repeats)

        def per_channel() -> None:
            nonlocal pending, pending_n
            if not pending:
                return
            y = np.concatenate(pending, axis=1) if len(pending) > 1 else pending[0]
            pending, pending_n = [], 0
            for ch, rs, det in dets:
                if ch is not None:
                    one = y[ch[0]:ch[0] + 1] - y[ch[1]:ch[1] + 1] if isinstance(ch, tuple) else y[ch:ch + 1]
                    det.feed(rs.resample(_mono_frame(one, planar.rate)))

        for frame in _decode(container, stream, stop):
            x = planar(frame)
            if stats is None:
                stats = BlockStats(planar.rate, planar.channels)
                chans: list[int | tuple[int, int] | None] = [None]
                if planar.channels > 1:
                    chans += [*range(planar.channels), *side_pairs(planar.names)]
                dets = [(ch, Resampler16k(), SpeechDetector(params)) for ch in chans]
            stats.feed(x)
            n += x.shape[1]
            ends = max(ends, _ends(frame, stream))
            _, rs, det = dets[0]
            if planar.out_layout != planar.layout:  # no layout to downmix by: average the channels
                mono = rs.resample(_mono_frame(x.mean(axis=0, keepdims=True), planar.rate))
            else:
                mono = rs.resample(frame)
            det.feed(mono)
            fore_det.feed(fore.feed(mono))
            if len(dets) > 1:
                pending.append(x)
                pending_n += x.shape[1]
                if pending_n >= planar.rate // 2:  # half a second at a time: fewer, larger model calls
                    per_channel()
        if stop is not None and stop.is_set():
            return None
        if stats is None:  # not one sample: fine if the container promised none, truncation if it did
            rate = int(stream.rate or 0)
            if declared and declared * rate > TRUNC_TOL_SAMPLES:
                raise UnseenError(f"audio stops at 0 s of {declared:.2f} s (truncated or damaged); nothing written")
            return AudioAnalysis(rate, "", 0, 0, [], [], 0, np.zeros(0, int), 0, time.thread_time() - c0)
        rate = planar.rate
        # truncated when the sound stops early on the stream's clock: a recording whose clock skips ahead (a
        # phone's microphone dropping out, joined recordings) has fewer samples than its length and was refused
        # as "truncated or damaged" (a hunt, 2026-12-06); the mute counts samples, so it needs none in the gap
        if declared is not None and max(n / rate, ends) < declared - TRUNC_TOL_SAMPLES / rate:
            raise UnseenError(f"audio stops at {n / rate:.2f} s of {declared:.2f} s (truncated or damaged); "
                              "nothing written")
        stats.feed(np.zeros((planar.channels, 0), np.float32), final=True)
        per_channel()
        union: list[tuple[float, float]] = []
        for i, (_, rs, det) in enumerate(dets):
            tail = rs.flush()
            det.feed(tail)
            union += det.finish()
            if i == 0:
                fore_det.feed(fore.feed(tail, final=True))
                union += fore_det.finish()
        spans_s = pad_merge(union, 0.0, params.merge_gap_s, n / rate)
    spans = [(max(0, math.floor(a * rate)), min(n, math.ceil(b * rate))) for a, b in spans_s]
    spans = [(a, b) for a, b in spans if b > a]
    if spans and spans[-1][1] >= n - int(0.001 * rate):
        spans[-1] = (spans[-1][0], n)  # a span reaching the end (give or take resampling) covers it
    return AudioAnalysis(rate, planar.out_layout, planar.channels, n, spans, profiles(stats, spans, rate),
                         stats.nfft, stats.edges, len(dets) + 1, time.thread_time() - c0)


class Muter:
    """Read 2's side: ``process(frame) -> frame`` for every frame of the same stream, in order.

    It is built from a finished ``AudioAnalysis`` only, so no sample is ever written before the spans
    covering it are final; ``finish()`` then checks the second read gave exactly the first's samples.
    """

    def __init__(self, analysis: AudioAnalysis, fill: str = "noise", rng: np.random.Generator | None = None):
        if fill not in ("noise", "silence"):
            raise ValueError(f"fill must be noise or silence, not {fill!r}")
        self.an = analysis
        self.fill = fill
        self.rng = rng or np.random.default_rng()  # OS entropy: never reproducible, on purpose
        self.planar = _Planar()
        self.pos = 0  # samples seen so far
        self.i = 0  # first span not yet behind us
        self.noise: dict[int, ShapedNoise] = {}
        self.fade = max(1, int(FADE_S * analysis.rate))
        self.replaced = 0  # samples replaced
        self.cpu_s = 0.0

    def _noise(self, j: int) -> ShapedNoise | None:
        profile = self.an.profiles[j]
        if self.fill != "noise" or profile is None:
            return None
        if j not in self.noise:
            self.noise = {j: ShapedNoise(profile, self.an.nfft, self.an.edges, self.rng)}
        return self.noise[j]

    def process(self, frame: Any) -> Any:
        c0 = time.thread_time()
        try:
            return self._process(frame)
        finally:
            self.cpu_s += time.thread_time() - c0

    def _process(self, frame: Any) -> Any:
        p0, p1 = self.pos, self.pos + frame.samples
        if p1 > self.an.samples:
            raise UnseenError(f"audio decoded to more samples in the second read than in the first "
                              f"({p1} > {self.an.samples}); nothing written")
        spans = self.an.spans
        while self.i < len(spans) and spans[self.i][1] <= p0:
            self.i += 1
        out = None
        j = self.i
        while j < len(spans) and spans[j][0] < p1:
            a, b = spans[j]
            s, e = max(a, p0), min(b, p1)
            if out is None:
                out = self.planar(frame).copy()
            noise = self._noise(j)
            fill = noise.take(e - s) if noise is not None else np.zeros((out.shape[0], e - s))
            t = np.arange(s, e)
            r = np.ones(e - s)
            if a > 0:
                r = np.minimum(r, 0.5 - 0.5 * np.cos(np.pi * np.clip((t - a + 0.5) / self.fade, 0, 1)))
            if b < self.an.samples:
                r = np.minimum(r, 0.5 - 0.5 * np.cos(np.pi * np.clip((b - t - 0.5) / self.fade, 0, 1)))
            seg = out[:, s - p0:e - p0]
            out[:, s - p0:e - p0] = np.clip(seg * (1 - r) + fill * r, -1.0, 1.0)  # only what we made is clipped
            self.replaced += e - s
            if b > p1:
                break
            j += 1
        self.pos = p1
        if out is None:
            self.planar.check(frame)
            if frame.format.name == "fltp" and self.planar.out_layout == self.planar.layout:
                return frame  # untouched: the decoded frame itself
            out = self.planar(frame)  # other sample formats: the same values as float planar
        nf = float_planar_frame(out, self.planar.out_layout, frame.sample_rate)
        nf.pts, nf.time_base = frame.pts, frame.time_base
        return nf

    def finish(self) -> None:
        if self.pos != self.an.samples:
            raise UnseenError(f"audio decoded to {self.pos} samples in the second read but {self.an.samples} in the "
                              "first; nothing written")
