"""What in a sound does not repeat: the voice a music bed hides from the speech detector.

Silero VAD hears speech poorly under music: a voice 5 dB louder than an instrumental bed scored
under 0.35 in 98% of its windows (a hunt, 2026-12-05: 85-95% of a talker's speech came out of
``--audio mute-speech`` untouched). Music repeats itself, speech does not. So, as REPET-SIM does
(Rafii and Pardo, 2012), each short spectrum's background is taken as the median of the ``K``
spectra most like it within ``SPAN_S`` seconds (none nearer than ``MIN_S``: the speech's own
syllables), and what rises above that background is kept, phases untouched. The speech detector
then runs on that foreground too, beside the sound as it is (``mute.analyse``); only its verdict is
used, never the foreground itself.

Streaming, as the analysis is: samples in, the same number of foreground samples out, ``SPAN_S``
seconds later (the look-ahead the background needs); memory stays that of twice ``SPAN_S``.
"""

from __future__ import annotations

import numpy as np

N_FFT = 1024  # 64 ms at 16 kHz
HOP = 256
SPAN_S = 6.0  # how far apart a repeat of the bed is looked for, each way
MIN_S = 0.5  # repeats nearer than this are the same sound going on, not the bed coming back
K = 20  # spectra whose median is the bed
BLOCK = 64  # frames whose backgrounds are found in one matrix product
RATE = 16000


class Foreground:
    """16 kHz mono in (``feed``), its non-repeating part out, sample for sample, ``SPAN_S`` late."""

    def __init__(self) -> None:
        self.window = np.hanning(N_FFT).astype(np.float32)
        self.norm = float((self.window**2).sum() / HOP)  # the windows' summed squares at any sample
        self.reach = int(SPAN_S * RATE / HOP)  # frames each way
        self.near = int(MIN_S * RATE / HOP)
        self.pending = np.zeros(N_FFT // 2, np.float32)  # centred frames: half a frame of zeros first
        self.waiting: list[np.ndarray] = []  # samples fed since the last block of work
        self.waiting_n = 0
        self.spectra = np.zeros((N_FFT // 2 + 1, 0), np.complex64)  # frames first .. last made
        self.mags = np.zeros((N_FFT // 2 + 1, 0), np.float32)  # their magnitudes
        self.units = np.zeros((N_FFT // 2 + 1, 0), np.float32)  # ... scaled to length 1 (cosine similarity)
        self.first = 0  # index of spectra[:, 0]
        self.done = 0  # frames whose foreground is added into ``ola``
        self.ola = np.zeros(0, np.float32)  # overlap-add of the padded signal from its sample ``ola_start``
        self.ola_start = 0
        self.emitted = 0  # foreground samples given out
        self.samples = 0  # samples fed

    def feed(self, x: np.ndarray, final: bool = False) -> np.ndarray:
        """Add samples; return the foreground samples now final (all of them when ``final``).

        Work is done a block of frames at a time (``BLOCK``): the decoder hands over a few hundred
        samples per call, and doing the work per call copied the frames in reach every time (on a 34 s
        clip, 3.8 s of CPU instead of ~1 s)."""
        x = np.asarray(x, np.float32).reshape(-1)
        self.samples += x.size
        self.waiting.append(x)
        self.waiting_n += x.size
        if not final and self.waiting_n < BLOCK * HOP:
            return np.zeros(0, np.float32)
        tail = [np.zeros(N_FFT, np.float32)] if final else []
        self.pending = np.concatenate([self.pending, *self.waiting, *tail])
        self.waiting, self.waiting_n = [], 0
        n = max(0, (self.pending.size - N_FFT) // HOP + 1)
        if n:
            idx = np.arange(N_FFT)[None] + HOP * np.arange(n)[:, None]
            made = np.fft.rfft(self.pending[idx] * self.window, axis=1).T.astype(np.complex64)
            mags = np.abs(made)
            self.spectra = np.concatenate([self.spectra, made], axis=1)
            self.mags = np.concatenate([self.mags, mags], axis=1)
            self.units = np.concatenate([self.units, mags / (np.linalg.norm(mags, axis=0, keepdims=True) + 1e-9)],
                                        axis=1)
            self.pending = self.pending[n * HOP:]
        last = self.first + self.spectra.shape[1]  # frames made so far
        ready = last if final else max(self.done, last - self.reach)
        while self.done < ready:
            self._finish(min(ready, self.done + BLOCK), last)
        keep = max(0, self.done - self.reach - self.first)  # older frames are nobody's neighbours now
        self.spectra, self.mags, self.units = self.spectra[:, keep:], self.mags[:, keep:], self.units[:, keep:]
        self.first += keep
        final_upto = self.samples if final else max(0, self.done * HOP - N_FFT // 2)
        out, self.emitted = self._take(final_upto - self.emitted), final_upto
        return out

    def _finish(self, stop: int, last: int) -> None:
        """The foreground of frames ``done .. stop``, added into the overlap-add buffer."""
        lo, hi = max(self.first, self.done - self.reach), min(last, stop + self.reach)
        mags = self.mags[:, lo - self.first:hi - self.first]
        unit = self.units[:, lo - self.first:hi - self.first]
        rows = np.arange(self.done, stop)
        sim = unit[:, rows - lo].T @ unit  # (frames, neighbours)
        gap = np.abs(np.arange(lo, hi)[None] - rows[:, None])
        sim[(gap < self.near) | (gap > self.reach)] = -2.0
        k = min(K, sim.shape[1])
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        picked = np.take_along_axis(sim, top, axis=1) > -2.0
        if picked.all():  # the usual case: one median over (bins, frames, k)
            bed = np.median(mags[:, top], axis=2)
        else:  # a clip shorter than a few seconds: fewer neighbours than K for some frames
            bed = np.zeros((mags.shape[0], rows.size), np.float32)
            for i in range(rows.size):
                chosen = top[i][picked[i]]
                if chosen.size:
                    bed[:, i] = np.median(mags[:, chosen], axis=1)
        own = mags[:, rows - lo]
        gain = 1.0 - np.minimum(bed, own) / (own + 1e-9)
        frames = np.fft.irfft(self.spectra[:, rows - self.first] * gain, n=N_FFT, axis=0).T * self.window
        base = self.done * HOP - self.ola_start
        need = base + (rows.size - 1) * HOP + N_FFT
        if self.ola.size < need:
            self.ola = np.concatenate([self.ola, np.zeros(need - self.ola.size, np.float32)])
        for i, frame in enumerate(frames):
            self.ola[base + i * HOP:base + i * HOP + N_FFT] += frame
        self.done = stop

    def _take(self, n: int) -> np.ndarray:
        """The next ``n`` output samples: the overlap-add from the padded signal's sample N_FFT/2 on,
        divided by the windows' summed squares."""
        if n <= 0:
            return np.zeros(0, np.float32)
        a = self.emitted + N_FFT // 2 - self.ola_start
        out = self.ola[a:a + n] / self.norm
        self.ola, self.ola_start = self.ola[a + n:], self.ola_start + a + n
        return out.astype(np.float32)
