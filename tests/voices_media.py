"""Clips with speech for the --audio tests, built at test time from tests/fixtures/audio/speech.flac.

A clip is ``BED_BEFORE`` seconds of a noise bed (pink noise and mains hum, generated), the speech over
the bed, then ``BED_AFTER`` seconds of bed; with tiny generated video frames when asked. The
speech's place is known to the sample, so a test can look at it in the output directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from unseen.media.ffmpeg import float_planar_frame

SPEECH = Path(__file__).resolve().parent / "fixtures" / "audio" / "speech.flac"
BED_BEFORE, BED_AFTER = 2.0, 3.0
BED_DB, HUM_DB, SPEECH_DB = -35.0, -45.0, -20.0


def load(path: Path, rate: int, layout: str = "mono", stream: int = 0) -> np.ndarray:
    """Decode an audio stream to float (channels, n) at ``rate`` (PyAV's resampler, samples counted)."""
    r = av.AudioResampler(format="fltp", layout=layout, rate=rate)
    out = []
    with av.open(str(path)) as c:
        for f in c.decode(c.streams.audio[stream]):
            f.pts = None
            out += [g.to_ndarray() for g in r.resample(f)]
    out += [g.to_ndarray() for g in r.resample(None)]
    return np.concatenate(out, axis=1).astype(np.float64)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    w = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(w), dtype=float)
    f[0] = 1
    x = np.fft.irfft(w / np.sqrt(f), n)
    return x / np.sqrt(np.mean(x**2))


def db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-12))


@dataclass
class Clip:
    path: Path
    rate: int
    layout: str
    speech: tuple[float, float]  # seconds: where the speech signal was mixed in
    duration: float
    speech_signal: np.ndarray  # mono, at ``rate``, as mixed in

    @property
    def voiced(self) -> tuple[float, float]:
        """First and last sample of the speech signal above 1% of its peak (espeak pads with silence)."""
        loud = np.nonzero(np.abs(self.speech_signal) > 0.01 * np.abs(self.speech_signal).max())[0]
        return self.speech[0] + loud[0] / self.rate, self.speech[0] + (loud[-1] + 1) / self.rate


def bed(n: int, channels: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / rate
    hum = np.sin(2 * np.pi * 50 * t) + 0.3 * np.sin(2 * np.pi * 150 * t)
    hum /= np.sqrt(np.mean(hum**2))
    return np.stack([pink(n, rng) * 10 ** (BED_DB / 20) + hum * 10 ** (HUM_DB / 20) for _ in range(channels)])


def speech_audio(rate: int, layout: str, seed: int = 7) -> tuple[np.ndarray, tuple[float, float], np.ndarray]:
    """(channels, n) float audio: bed, speech over bed, bed. 5.1 speech is in the centre channel only."""
    rng = np.random.default_rng(seed)
    sp = load(SPEECH, rate)[0]
    sp = sp / np.sqrt(np.mean(sp**2)) * 10 ** (SPEECH_DB / 20)
    channels = len(av.AudioLayout(layout).channels)
    n0, n1 = int(BED_BEFORE * rate), int(BED_AFTER * rate)
    x = bed(n0 + sp.size + n1, channels, rate, rng)
    if layout == "5.1":
        x[2, n0:n0 + sp.size] += sp
        x[3] *= 0.3  # LFE: hum and a little noise
    else:
        x[:, n0:n0 + sp.size] += sp
    return x, (n0 / rate, (n0 + sp.size) / rate), sp


def write_clip(path: Path, x: np.ndarray, rate: int, layout: str, video: bool = True, fps: int = 10,
               codec: str = "aac", skip: tuple[float, float] | None = None) -> None:
    """Mux ``x`` as AAC (or another codec) with tiny generated video frames, interleaved by time;
    ``skip`` (at, seconds): the audio's clock jumps ahead from ``at`` s on, no sample lost (a microphone
    dropping out)."""
    n = x.shape[1]
    with av.open(str(path), "w") as c:
        vs = None
        if video:
            vs = c.add_stream("libx264", rate=fps)
            vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
            vs.codec_context.options = {"preset": "ultrafast"}
        a = c.add_stream(codec, rate=rate, layout=layout)
        if codec == "aac":
            a.codec_context.bit_rate = 64000 * min(x.shape[0], 5)
            a.codec_context.options = {"aac_coder": "fast"}  # test input: quick to make
        vi, ai = 0, 0
        frames_v = int(np.ceil(n / rate * fps)) if video else 0
        while ai < n or vi < frames_v:
            if vs is not None and vi < frames_v and (ai >= n or vi / fps <= ai / rate):
                img = np.full((48, 64, 3), (vi * 7) % 255, np.uint8)
                f = av.VideoFrame.from_ndarray(img, format="rgb24")
                f.pts = vi
                c.mux(vs.encode(f))
                vi += 1
                continue
            chunk = np.ascontiguousarray(x[:, ai:ai + 1024].astype(np.float32))
            f = float_planar_frame(chunk, layout, rate)  # PyAV's from_ndarray fails on 7.1
            ahead = round(skip[1] * rate) if skip and ai >= skip[0] * rate else 0
            f.sample_rate, f.pts, f.time_base = rate, ai + ahead, Fraction(1, rate)
            c.mux(a.encode(f))
            ai += chunk.shape[1]
        if vs is not None:
            c.mux(vs.encode(None))
        c.mux(a.encode(None))


def speech_clip(path: Path, rate: int = 44100, layout: str = "stereo", video: bool = True) -> Clip:
    x, span, sp = speech_audio(rate, layout)
    write_clip(path, x, rate, layout, video)
    return Clip(path, rate, layout, span, x.shape[1] / rate, sp)


def webrtc_flags(path: Path | np.ndarray, aggressiveness: int = 3) -> np.ndarray:
    """WebRTC VAD (an independent detector) per 30 ms frame of the 16 kHz mono downmix."""
    import webrtcvad

    x = load(path, 16000)[0] if isinstance(path, Path) else path
    s16 = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    vad = webrtcvad.Vad(aggressiveness)
    k = len(s16) // 480
    b = s16[: k * 480].tobytes()
    return np.array([vad.is_speech(b[i * 960:(i + 1) * 960], 16000) for i in range(k)], bool)
