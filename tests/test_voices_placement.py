"""--audio mute-speech where the voice sits: in a channel the detectors skipped, between two channels,
or in a stretch of speech where the detector's state was restarted.

Found by a hunt (2026-12-05), each reproduced: a voice on the LFE channel (an unlabelled six-microphone
recording is read as 5.1) was never analysed; a voice panned to one side, or in anti-phase, under
music mixed to the centre was missed while right minus left gave it back; and 1.1-1.7 s of clear speech
stayed in when both copies of Silero's state had been restarted inside one long stretch of speech. And
a second audio track left out was not named in the report when the first was kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import shared_path
from voices_media import BED_BEFORE, SPEECH, bed, load, write_clip

from unseen.audio import analyse


def _kept(spans: list[tuple[int, int]], start: int, stop: int) -> float:
    """Share of samples [start, stop) that no span mutes."""
    kept = np.ones(stop - start, bool)
    for a, b in spans:
        kept[max(a - start, 0):max(b - start, 0)] = False
    return float(kept.mean())


def _loud(sp: np.ndarray, rate: int) -> list[tuple[int, int]]:
    """The 10 ms stretches of ``sp`` within 20 dB of its loudest: the voice a listener hears."""
    hop = rate // 100
    e = np.array([np.mean(sp[i:i + hop] ** 2) for i in range(0, sp.size - hop, hop)])
    return [(i * hop, (i + 1) * hop) for i in np.nonzero(10 * np.log10(e / e.max() + 1e-20) > -20)[0]]


def test_a_voice_on_the_lfe_channel_is_muted(tmp_path: Path):
    rate = 48000
    sp = load(SPEECH, rate)[0]
    sp = sp / np.sqrt(np.mean(sp**2)) * 0.1  # -20 dBFS
    n0 = int(BED_BEFORE * rate)
    x = bed(n0 + sp.size + 2 * rate, 6, rate, np.random.default_rng(3))
    x[3, n0:n0 + sp.size] += sp  # the fourth microphone, read as the LFE
    src = tmp_path / "six.mp4"
    write_clip(src, x, rate, "5.1")
    spans = analyse(src).spans
    assert all(_kept(spans, n0 + a, n0 + b) == 0 for a, b in _loud(sp, rate))


@pytest.mark.parametrize("how", ["right only", "anti-phase"])
def test_a_voice_panned_under_centred_music_is_muted(tmp_path: Path, how: str):
    rate = 44100
    music = load(shared_path("liveportrait_kwaivgi/assets/examples/driving/d14.mp4"), rate)[0]
    sp = load(SPEECH, rate)[0]
    n0 = rate
    n = n0 + sp.size + rate
    music = np.tile(music, n // music.size + 1)[:n]
    music = music / np.sqrt(np.mean(music**2)) * 10 ** (-16 / 20)
    voice = sp / np.sqrt(np.mean(sp**2)) * 10 ** (-32 / 20)  # 16 dB under the music
    x = np.stack([music, music])
    if how == "right only":
        x[1, n0:n0 + sp.size] += voice
    else:
        x[0, n0:n0 + sp.size] += voice / 2
        x[1, n0:n0 + sp.size] -= voice / 2
    src = tmp_path / "side.mp4"
    write_clip(src, x, rate, "stereo")
    spans = analyse(src).spans
    loud = _loud(voice, rate)
    assert sum(_kept(spans, n0 + a, n0 + b) for a, b in loud) <= 0.05 * len(loud)


@pytest.mark.parametrize("lead", [2.0, 2.5, 3.5])
def test_long_speech_is_muted_wherever_it_starts(tmp_path: Path, lead: float):
    """d11 (9 s of speech) placed ``lead`` seconds into a quiet clip: the placements that left speech."""
    rate = 44100
    sp = load(shared_path("liveportrait_kwaivgi/assets/examples/driving/d11.mp4"), rate)[0]
    sp = sp / np.sqrt(np.mean(sp**2)) * 0.1
    n0 = int(lead * rate)
    x = bed(n0 + sp.size + 2 * rate, 1, rate, np.random.default_rng(3)) * 10 ** (-25 / 20)  # a bed at -60 dBFS
    x[0, n0:n0 + sp.size] += sp
    src = tmp_path / "lead.mp4"
    write_clip(src, x, rate, "mono")
    spans = analyse(src).spans
    left = [a for a, b in _loud(sp, rate) if _kept(spans, n0 + a, n0 + b) > 0]
    assert not left, f"{len(left) / 100:.2f} s of loud speech kept, from {left[0] / rate:.2f} s"


@pytest.mark.parametrize("audio", ["keep", "mute-speech"])
def test_a_second_audio_track_left_out_is_named_in_the_report(tmp_path: Path, audio: str):
    """Only the first audio track is written; a second (a commentary, another language) went unmentioned
    when the first was kept (with --audio drop both were named)."""
    import av

    from unseen.engine import video as engine_video
    from unseen.options import Options
    from unseen.regions import Regions

    class NoFaces:  # this test is about the report's words on audio, not about faces
        def detect(self, rgb):
            return Regions.empty()

    src, rate = tmp_path / "two.mkv", 48000
    with av.open(str(src), "w") as c:
        vs = c.add_stream("libx264", rate=10)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        tracks = [c.add_stream("aac", rate=rate, layout="mono") for _ in range(2)]
        for i in range(10):
            c.mux(vs.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")))
            for k, a in enumerate(tracks):
                f = av.AudioFrame.from_ndarray(np.full((1, 4800), 0.01 * (k + 1), np.float32), format="fltp",
                                               layout="mono")
                f.sample_rate, f.pts = rate, i * 4800
                c.mux(a.encode(f))
        c.mux(vs.encode(None))
        for a in tracks:
            c.mux(a.encode(None))
    result = engine_video.anonymize_video(src, tmp_path / "o.mp4", Options(audio=audio), NoFaces())
    assert [d for d in result.dropped if "stream 2" in d and "audio" in d], result.dropped
