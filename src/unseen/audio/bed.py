"""The sound of the place without its voices: comfort noise shaped like the clip's own non-speech.

Silence in place of speech is a hole anyone hears (and a cut that draws the ear); so a muted span is
filled with fresh random noise that has the spectrum and level of the non-speech around it (the
"room tone", the street, the crowd's hum). Nothing of the muted samples goes into it: the profile
comes only from blocks that overlap no speech span, which are kept in the output anyway, reduced to
48 band powers and a median over blocks, and the noise has random phase from OS entropy, so it is
neither reproducible nor invertible.

``BlockStats`` measures, streaming, the band powers of every ~0.15 s block of the clip (stored as
float16 logs: stereo 44.1 kHz is ~3.8 MB per hour); ``profiles`` picks, for each span, the
non-speech blocks within ``LOCAL_S`` of it (else of the whole clip; with none at all the span is
filled with digital silence); ``ShapedNoise`` makes endless noise with a given profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BLOCK_FFTS = 4  # an analysis block is 4 non-overlapping Hann FFT frames (~0.13-0.19 s)
N_BANDS = 48
LOCAL_S = 10.0  # a span's noise is shaped on the non-speech within 10 s of it when there is enough


def nfft_for(rate: int) -> int:
    """~32 ms FFT frames: 256 at 8 kHz, 512 at 16 kHz, 2048 at 44.1/48 kHz."""
    return 1 << max(7, math.ceil(math.log2(rate * 0.032)))


def band_edges(nbins: int, nbands: int = N_BANDS) -> np.ndarray:
    """Log-spaced band edges over rfft bins 1..nbins-1 (DC left out), each band at least one bin."""
    return np.unique(np.round(np.geomspace(1, nbins, nbands + 1)).astype(int))


@dataclass
class Profile:
    band_power: np.ndarray  # (channels, bands): median per-bin power of each band (the shape)
    rms: np.ndarray  # (channels,): median level of the blocks (the loudness)
    blocks: int  # how many non-speech blocks it was built from
    scope: str  # "local" (within LOCAL_S of the span) or "global" (the whole clip)


class BlockStats:
    """Per-channel band powers of fixed-size blocks, fed planar float32 chunks in stream order."""

    def __init__(self, rate: int, channels: int):
        self.nfft = nfft_for(rate)
        self.block = self.nfft * BLOCK_FFTS
        self.win = np.hanning(self.nfft + 1)[:-1].astype(np.float32)
        self.edges = band_edges(self.nfft // 2 + 1)
        self.ch = channels
        self.buf = np.zeros((channels, 0), np.float32)
        self.pos = 0
        self.starts: list[int] = []
        self.lens: list[int] = []
        self._rows: list[np.ndarray] = []
        self._chunks: list[np.ndarray] = []  # every 1024 rows stacked into one array

    def feed(self, x: np.ndarray, final: bool = False) -> None:
        self.buf = np.concatenate([self.buf, x], axis=1) if self.buf.shape[1] else x
        while self.buf.shape[1] >= self.block or (final and self.buf.shape[1] >= self.nfft):
            n = min(self.block, self.buf.shape[1])
            self._measure(self.buf[:, :n])
            self.buf = self.buf[:, n:]
        if final:
            self.pos += self.buf.shape[1]  # a tail shorter than one FFT frame is not measured
            self.buf = np.zeros((self.ch, 0), np.float32)

    def _measure(self, b: np.ndarray) -> None:
        k = b.shape[1] // self.nfft
        fr = b[:, : k * self.nfft].reshape(self.ch, k, self.nfft) * self.win
        p = (np.abs(np.fft.rfft(fr, axis=2)) ** 2).mean(axis=1)  # (ch, bins)
        cs = np.concatenate([np.zeros((self.ch, 1)), np.cumsum(p, axis=1)], axis=1)
        e = self.edges
        bands = (cs[:, e[1:]] - cs[:, e[:-1]]) / (e[1:] - e[:-1])
        ms = (b.astype(np.float64) ** 2).mean(axis=1)
        row = np.log10(np.maximum(np.concatenate([bands, ms[:, None]], axis=1), 1e-20)).astype(np.float16)
        self._rows.append(row)
        if len(self._rows) == 1024:
            self._chunks.append(np.stack(self._rows))
            self._rows = []
        self.starts.append(self.pos)
        self.lens.append(b.shape[1])
        self.pos += b.shape[1]

    def table(self) -> np.ndarray:
        """(blocks, channels, bands + 1) powers; the last column is the block's mean square."""
        parts = self._chunks + ([np.stack(self._rows)] if self._rows else [])
        if not parts:
            return np.zeros((0, self.ch, len(self.edges)), np.float32)
        return 10.0 ** np.concatenate(parts).astype(np.float32)


def profiles(stats: BlockStats, spans: list[tuple[int, int]], rate: int) -> list[Profile | None]:
    """One noise profile per span (sample ranges), from blocks that overlap no span; None = silence."""
    if not spans:
        return []
    starts = np.array(stats.starts, np.int64)
    ends = starts + np.array(stats.lens, np.int64)
    free = np.ones(len(starts), bool)
    for a, b in spans:
        free &= ~((starts < b) & (ends > a))
    idx = np.nonzero(free)[0]
    if idx.size == 0:
        return [None] * len(spans)
    tab = stats.table()[idx]
    bands, ms = tab[:, :, :-1], tab[:, :, -1]
    mids = (starts[idx] + ends[idx]) / 2

    def make(sel: np.ndarray, scope: str) -> Profile:
        return Profile(np.median(bands[sel], axis=0), np.sqrt(np.median(ms[sel], axis=0)), int(sel.sum()), scope)

    whole = make(np.ones(idx.size, bool), "global")
    out: list[Profile | None] = []
    w = LOCAL_S * rate
    for a, b in spans:
        sel = (mids > a - w) & (mids < b + w)
        out.append(make(sel, "local") if sel.sum() >= 2 else whole)
    return out


class ShapedNoise:
    """Endless Gaussian noise per channel with a profile's spectrum and level (random-phase STFT,
    sqrt-Hann synthesis window, 50% overlap-add: the variance is stationary, no frame-rate ripple)."""

    def __init__(self, profile: Profile, nfft: int, edges: np.ndarray, rng: np.random.Generator):
        self.n, self.hop, self.rng = nfft, nfft // 2, rng
        nb = nfft // 2 + 1
        ch = profile.band_power.shape[0]
        amp = np.zeros((ch, nb))
        for j in range(len(edges) - 1):
            amp[:, edges[j]:edges[j + 1]] = np.sqrt(np.maximum(profile.band_power[:, j:j + 1], 0))
        amp[:, 0] = 0.0
        var = (amp[:, -1] ** 2 + 2 * (amp[:, 1:-1] ** 2).sum(axis=1)) / nfft**2
        gain = np.where(var > 0, profile.rms / np.sqrt(np.maximum(var, 1e-30)), 0.0)
        self.amp = amp * gain[:, None]
        self.win = np.sqrt(np.hanning(nfft + 1)[:-1])
        self.ch = ch
        self.tail = np.zeros((ch, self.hop))
        self.ready = np.zeros((ch, 0))

    def _frame(self) -> np.ndarray:
        shape = (self.ch, self.amp.shape[1])
        z = self.rng.standard_normal(shape) + 1j * self.rng.standard_normal(shape)
        z[:, -1] = z[:, -1].real * math.sqrt(2)
        y = np.fft.irfft(self.amp * z / math.sqrt(2), n=self.n, axis=1) * self.win
        out = self.tail + y[:, : self.hop]
        self.tail = y[:, self.hop:]
        return out

    def take(self, k: int) -> np.ndarray:
        parts, have = [self.ready], self.ready.shape[1]
        while have < k:
            f = self._frame()
            parts.append(f)
            have += f.shape[1]
        buf = np.concatenate(parts, axis=1)
        self.ready = buf[:, k:]
        return buf[:, :k]
