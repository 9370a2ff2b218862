"""--audio mute-speech (issue 13): the speech goes, the sound of the place stays, fail closed.

Clips are built at test time from tests/fixtures/audio/speech.flac (synthetic speech, CC0) over a
generated noise bed (tests/voices_media.py), so the speech's place is known to the sample. "Gone" is
checked independently of the detector that removed it: the output's correlation with the speech
signal, its level, and WebRTC's VAD (webrtcvad-wheels, a test dependency only).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import FIXTURES, shared_path
from voices_media import Clip, bed, db, load, speech_clip, webrtc_flags, write_clip

from unseen.audio import Muter, analyse, speech
from unseen.cli import main
from unseen.engine import video as engine_video
from unseen.errors import UnseenError
from unseen.options import AUDIO_CHOICES, Options
from unseen.regions import Regions


class NoFaces:
    def detect(self, rgb):
        return Regions.empty()


def run(src: Path, dst: Path, audio: str = "mute-speech", **kw) -> engine_video.VideoResult:
    return engine_video.anonymize_video(src, dst, Options(audio=audio, **kw), NoFaces())


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[tuple[int, str], Clip]:
    d = tmp_path_factory.mktemp("voices")
    return {(rate, layout): speech_clip(d / f"in_{rate}_{layout}.mp4", rate, layout)
            for rate, layout in [(8000, "mono"), (44100, "stereo"), (48000, "5.1")]}


@pytest.fixture(scope="module")
def muted(clips, tmp_path_factory) -> dict[tuple[int, str], tuple[Path, engine_video.VideoResult]]:
    d = tmp_path_factory.mktemp("muted")
    out = {}
    for key, clip in clips.items():
        dst = d / clip.path.name.replace("in_", "out_")
        out[key] = (dst, run(clip.path, dst))
    return out


def speech_channel(clip: Clip) -> int:
    return 2 if clip.layout == "5.1" else 0  # 5.1: the speech is in the centre channel


@pytest.mark.parametrize("key", [(8000, "mono"), (44100, "stereo"), (48000, "5.1")])
def test_speech_is_gone_and_the_bed_stays(clips, muted, key):
    """In the output the speech part no longer correlates with the speech and is down at the bed's
    level; the bed before and after is the input's (level, waveform correlation)."""
    clip, (dst, result) = clips[key], muted[key]
    rate = clip.rate
    xi, xo = load(clip.path, rate, clip.layout), load(dst, rate, clip.layout)
    a0, a1 = int(clip.speech[0] * rate), int(clip.speech[1] * rate)
    ch, sp = speech_channel(clip), clip.speech_signal[: a1 - a0]
    assert np.corrcoef(xi[ch, a0:a1], sp)[0, 1] > 0.9  # the speech is there before
    assert abs(np.corrcoef(xo[ch, a0:a1], sp)[0, 1]) < 0.05  # and gone after
    n = min(xi.shape[1], xo.shape[1])
    bed = np.zeros(n, bool)
    bed[: int((clip.speech[0] - 0.5) * rate)] = True  # beyond the 0.2 s pad and any fade
    bed[int((clip.speech[1] + 0.5) * rate):] = True
    assert abs(db(xo[:, :n][:, bed]) - db(xi[:, :n][:, bed])) < 1.0
    assert np.corrcoef(xi[:, :n][:, bed].ravel(), xo[:, :n][:, bed].ravel())[0, 1] > 0.9  # same samples (AAC)
    # the muted part is filled at the bed's level (comfort noise), not left as a silent hole
    assert abs(db(xo[ch, a0:a1]) - db(xi[ch, :n][bed[:n]])) < 6.0
    assert clip.speech[1] - clip.speech[0] <= result.speech_removed <= clip.speech[1] - clip.speech[0] + 1.0


def test_independent_detector_finds_no_speech_left(clips, muted):
    """WebRTC VAD on the speech part: <= 5% of the input's speech frames are left (the issue's target)."""
    for key in [(8000, "mono"), (44100, "stereo")]:
        clip, (dst, _) = clips[key], muted[key]
        fi, fo = webrtc_flags(clip.path), webrtc_flags(dst)
        part = slice(int(clip.speech[0] / 0.03), int(clip.speech[1] / 0.03))
        assert fi[part].sum() > 80, key
        assert fo[part].sum() <= 0.05 * fi[part].sum(), (key, fi[part].sum(), fo[part].sum())
    clip, (dst, _) = clips[(48000, "5.1")], muted[(48000, "5.1")]  # the centre channel alone
    fi = webrtc_flags(load(clip.path, 16000, "5.1")[2])
    fo = webrtc_flags(load(dst, 16000, "5.1")[2])
    part = slice(int(clip.speech[0] / 0.03), int(clip.speech[1] / 0.03))
    assert fi[part].sum() > 80 and fo[part].sum() <= 0.05 * fi[part].sum(), (fi[part].sum(), fo[part].sum())


@pytest.mark.parametrize("key", [(8000, "mono"), (44100, "stereo"), (48000, "5.1")])
def test_rate_layout_and_duration_kept(clips, muted, key):
    clip, (dst, result) = clips[key], muted[key]
    assert result.audio == "speech muted (AAC)"
    with av.open(str(dst)) as c:
        (a,) = c.streams.audio
        assert (a.rate, a.layout.name, a.codec_context.name) == (clip.rate, clip.layout, "aac")
        out = sum(f.samples for f in c.decode(a))
    with av.open(str(clip.path)) as c:
        inp = sum(f.samples for f in c.decode(audio=0))
    assert abs(out - inp) <= 1024, (inp, out)  # +-1 AAC frame


def test_outside_spans_samples_are_the_decoded_input_exactly(clips):
    """The muter passes every sample outside a span through unchanged (bit for bit, before encoding),
    fades over 5 ms at span edges, and replaces everything inside."""
    clip = clips[(44100, "stereo")]
    an = analyse(clip.path)
    # the mix, its foreground, left, right, left minus right
    assert an is not None and an.rate == 44100 and an.layout == "stereo" and an.detectors == 5
    (a, b), = an.spans  # one span: the sentence, padded
    v0, v1 = clip.voiced
    assert v0 - 0.3 < a / an.rate < v0 - 0.1 and v1 + 0.1 < b / an.rate < v1 + 0.4, (a / an.rate, b / an.rate, v0, v1)
    muter = Muter(an)
    xs, ys = [], []
    with av.open(str(clip.path)) as c:
        for f in c.decode(audio=0):
            xs.append(f.to_ndarray())
            ys.append(muter.process(f).to_ndarray())
    muter.finish()
    x, y = np.concatenate(xs, axis=1), np.concatenate(ys, axis=1)
    assert x.shape == y.shape and x.shape[1] == an.samples
    assert np.array_equal(x[:, :a], y[:, :a]) and np.array_equal(x[:, b:], y[:, b:])
    fade = int(0.005 * an.rate) + 1
    assert not np.allclose(x[:, a + fade:b - fade], y[:, a + fade:b - fade])
    assert abs(np.corrcoef(x[0, a + fade:b - fade], y[0, a + fade:b - fade])[0, 1]) < 0.05
    assert muter.replaced == b - a


def test_muter_refuses_a_second_read_that_differs(clips):
    clip = clips[(8000, "mono")]
    an = analyse(clip.path)
    muter = Muter(an)
    with av.open(str(clip.path)) as c:
        frames = list(c.decode(audio=0))
    for f in frames[:-1]:
        muter.process(f)
    with pytest.raises(UnseenError, match="second read"):
        muter.finish()
    with pytest.raises(UnseenError, match="second read"):
        muter.process(frames[-1])
        muter.process(frames[-1])


def test_writer_mutes_nothing_before_the_analysis_is_final(clips, tmp_path, monkeypatch):
    """The ordering guarantee: the writer's first audio frame waits for the whole speech analysis,
    however slow it is, while the video analysis runs on; the output is muted all the same."""
    events: list[tuple[str, float]] = []
    real_analyse, real_process = engine_video.analyse, Muter.process

    def slow_analyse(*a, **kw):
        time.sleep(1.0)
        r = real_analyse(*a, **kw)
        events.append(("analysis done", time.monotonic()))
        return r

    def process(self, frame):
        events.append(("frame muted", time.monotonic()))
        return real_process(self, frame)

    monkeypatch.setattr(engine_video, "analyse", slow_analyse)
    monkeypatch.setattr(Muter, "process", process)
    clip = clips[(8000, "mono")]
    dst = tmp_path / "o.mp4"
    result = run(clip.path, dst)
    assert events[0][0] == "analysis done" and len(events) > 10
    assert result.speech_removed and result.speech_removed > 4
    a0, a1 = int(clip.speech[0] * 8000), int(clip.speech[1] * 8000)
    xo = load(dst, 8000)
    assert abs(np.corrcoef(xo[0, a0:a1], clip.speech_signal[: a1 - a0])[0, 1]) < 0.05


def test_streaming_gives_the_same_probabilities_whatever_the_chunks():
    x = load(FIXTURES / "audio" / "speech.flac", 16000)[0].astype(np.float32)
    x = np.concatenate([np.zeros(16000 * 9, np.float32), x])  # past the first state reset (4 s blocks)
    runs = []
    for chunk in (1000, 16000, len(x)):
        m = speech.SileroStream()
        p = [m.feed(x[i:i + chunk]) for i in range(0, len(x), chunk)] + [m.feed(np.zeros(0), final=True)]
        runs.append(np.concatenate(p))
    assert runs[0].size == int(np.ceil(len(x) / speech.WIN))
    assert np.array_equal(runs[0], runs[1]) and np.array_equal(runs[0], runs[2])
    assert runs[0][: 9 * 16000 // speech.WIN].max() < 0.1 and runs[0][9 * 16000 // speech.WIN:].max() > 0.9


def test_model_ships_in_the_package_and_is_hash_checked(monkeypatch):
    assert len(speech.model_bytes()) == 1246165
    monkeypatch.setattr(speech, "MODEL_SHA256", "0" * 64)
    speech.model_bytes.cache_clear()
    try:
        with pytest.raises(UnseenError, match="SHA-256"):
            speech.model_bytes()
    finally:
        monkeypatch.undo()
        speech.model_bytes.cache_clear()
    assert len(speech.model_bytes()) == 1246165


def test_clip_without_audio_is_unaffected(tmp_path):
    src = tmp_path / "silent.mp4"
    from voices_media import write_clip

    write_clip(src, np.zeros((1, 8000)), 8000, "mono", video=True)
    with av.open(str(src)) as c, av.open(str(tmp_path / "v.mp4"), "w") as o:  # the video stream alone
        s = o.add_stream_from_template(c.streams.video[0])
        for p in c.demux(c.streams.video[0]):
            if p.dts is not None:
                p.stream = s
                o.mux(p)
    result = run(tmp_path / "v.mp4", tmp_path / "out.mp4")
    assert result.audio == "none" and result.speech_removed is None
    with av.open(str(tmp_path / "out.mp4")) as c:
        assert [s.type for s in c.streams] == ["video"]


def _damage_audio(src: Path, dst: Path, how: str = "garbage") -> None:
    """Audio packets overwritten (found through the MP4 index; the video is left intact): random bytes
    over a run in the middle, or zeros over the last third (audio data lost at the end)."""
    data = bytearray(src.read_bytes())
    with av.open(str(src)) as c:
        entries = list(c.streams.audio[0].index_entries)
    rng = np.random.default_rng(5)
    hit = entries[len(entries) // 3: len(entries) // 3 + 12] if how == "garbage" else entries[len(entries) * 2 // 3:]
    for e in hit:
        fill = rng.integers(0, 256, e.size, dtype=np.uint8).tobytes() if how == "garbage" else bytes(e.size)
        data[e.pos:e.pos + e.size] = fill
    dst.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["garbage", "zeroed"])
def test_damaged_audio_fails_with_one_line_and_no_output(clips, tmp_path, capsys, how):
    src = tmp_path / f"{how}.mp4"
    _damage_audio(clips[(44100, "stereo")].path, src, how)
    assert main([str(src), "-q", "--audio", "mute-speech"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"unseen: {src}: audio is damaged"), err
    assert err[0].endswith("(use --audio drop to write the video without its sound)"), err  # the way out
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]  # no output, no temporary file
    assert main([str(src), "-q", "--audio", "keep"]) == 1  # keeping it fails too, and says it is the audio
    assert "audio is damaged" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]


def test_a_clock_that_skips_ahead_is_no_truncation(clips, tmp_path):
    """A recording whose audio clock jumps ahead mid-speech (a phone's microphone dropping out, joined
    recordings), no sample lost, was refused with ``--audio mute-speech`` as "truncated or damaged" while
    ``--audio keep`` wrote it (a hunt, 2026-12-06): the span its timestamps cover counted as samples
    missing. It is muted as any other, the speech after the jump too."""
    clip = clips[(44100, "stereo")]
    x = load(clip.path, 44100, "stereo")
    src, dst = tmp_path / "skip.mp4", tmp_path / "out.mp4"
    write_clip(src, x, 44100, "stereo", skip=(sum(clip.speech) / 2, 3.0))
    run(src, dst)
    left = webrtc_flags(dst)
    assert left.size > 0.9 * x.shape[1] / 44100 / 0.03 and left.mean() < 0.05, left.mean()
    assert webrtc_flags(src).mean() > 0.2  # the speech was there
    with av.open(str(dst)) as c:  # the jump kept: the sound after it stays with its pictures
        last = max(p.pts + p.duration for p in c.demux(c.streams.audio[0]) if p.pts is not None)
        assert float(last * c.streams.audio[0].time_base) > x.shape[1] / 44100 + 2.5


def test_the_sound_players_play_is_the_one_kept_and_the_others_are_said(clips, tmp_path, capsys):
    """Of two audio tracks the first in the file was kept, silently: a faint camera-mic track before the
    interview marked default came out as the sound, "0.0 s of speech muted" (a hunt, 2026-12-06). The one
    players play is kept, its speech muted, and the run says which it left out."""
    speech = clips[(44100, "stereo")].path
    quiet = tmp_path / "quiet.mp4"
    write_clip(quiet, bed(load(speech, 44100, "stereo").shape[1], 2, 44100, np.random.default_rng(3)), 44100, "stereo")
    src, dst = tmp_path / "two.mp4", tmp_path / "out.mp4"
    with av.open(str(speech)) as a, av.open(str(quiet)) as b, av.open(str(src), "w") as o:
        video = o.add_stream_from_template(a.streams.video[0])
        mic = o.add_stream_from_template(b.streams.audio[0])
        talk = o.add_stream_from_template(a.streams.audio[0])
        mic.disposition, talk.disposition = 0, av.stream.Disposition.default
        for c, outs in ((a, {a.streams.video[0].index: video, a.streams.audio[0].index: talk}),
                        (b, {b.streams.audio[0].index: mic})):
            for p in c.demux([c.streams[k] for k in outs]):
                if p.dts is not None:
                    p.stream = outs[p.stream.index]
                    o.mux(p)
    assert main([str(src), "-o", str(dst), "-q", "--audio", "mute-speech", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    said = "2 audio streams in the file; only stream 2, the one players play"
    assert any(said in w for w in report["warnings"]), report
    assert report["speech_removed_seconds"] > 3.0, report
    assert webrtc_flags(load(src, 16000, stream=1)[0]).mean() > 0.2  # the speech: the second track
    assert webrtc_flags(dst).mean() < 0.05
    with av.open(str(dst)) as c:
        assert len(c.streams.audio) == 1


def _tracks(path: Path, tracks: list[tuple[str, str, int, int]], video: bool = False) -> None:
    """An MKV of 0.5 s audio tracks: (codec, layout, bit rate, disposition) each; ``video``: and 5 frames first."""
    with av.open(str(path), "w") as o:
        v = o.add_stream("libx264", rate=10) if video else None
        streams = []
        for codec, layout, rate, disposition in tracks:
            s = o.add_stream(codec, rate=48000, layout=layout)
            s.codec_context.bit_rate, s.disposition = rate, disposition
            streams.append(s)
        if v is not None:  # every stream is added before the first packet
            v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
            for _ in range(5):
                o.mux(v.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")))
            o.mux(v.encode(None))
        for s in streams:
            for k in range(0, 24000, 1536):
                x = np.zeros((len(av.AudioLayout(s.layout.name).channels), 1536), np.float32)
                f = av.AudioFrame.from_ndarray(x, format="fltp", layout=s.layout.name)
                f.sample_rate, f.pts = 48000, k
                o.mux(s.encode(f))
            o.mux(s.encode(None))


def test_the_track_kept_is_one_that_decodes_and_the_first_default(tmp_path):
    """FFmpeg's pick failed a file whose default track nothing decodes ("audio is damaged or truncated"),
    where the first track would do, and between two default tracks took the higher bit rate where players
    take the first (an adversarial review, 2026-12-06)."""
    from unseen.media.ffmpeg import audio_stream

    d = av.stream.Disposition.default
    undecodable, two = tmp_path / "undecodable.mkv", tmp_path / "two_defaults.mkv"
    _tracks(undecodable, [("aac", "stereo", 128000, 0), ("ac3", "stereo", 192000, d)])
    undecodable.write_bytes(undecodable.read_bytes().replace(b"A_AC3", b"A_QQ3"))  # a codec FFmpeg does not know
    _tracks(two, [("aac", "mono", 64000, d), ("aac", "stereo", 256000, d)])
    with av.open(str(undecodable)) as c:
        assert c.streams.audio[1].codec_context is None and audio_stream(c).index == 0
    with av.open(str(two)) as c:
        assert audio_stream(c).index == 0
    none = tmp_path / "none.mkv"  # no track decodes: said so, not "damaged or truncated"
    _tracks(none, [("ac3", "stereo", 192000, d)], video=True)
    none.write_bytes(none.read_bytes().replace(b"A_AC3", b"A_QQ3"))
    for audio in ("keep", "mute-speech"):
        with pytest.raises(UnseenError, match="audio track uses a codec FFmpeg cannot decode; use --audio drop"):
            run(none, tmp_path / "out.mp4", audio=audio)


def test_drop_never_reads_the_audio(clips, tmp_path, monkeypatch):
    """--audio drop: damaged audio does not matter, the speech analysis never starts and the writer's
    reader is never handed the audio stream."""
    src = tmp_path / "garbage.mp4"
    _damage_audio(clips[(44100, "stereo")].path, src)

    def boom(*a, **kw):
        raise AssertionError("audio analysed with --audio drop")

    real_reader = engine_video.Reader

    def reader(container, stream, audio=None, **kw):
        assert audio is None, "audio stream handed to the reader with --audio drop"
        return real_reader(container, stream, audio, **kw)

    monkeypatch.setattr(engine_video, "analyse", boom)
    monkeypatch.setattr(engine_video, "Reader", reader)
    result = run(src, tmp_path / "out.mp4", audio="drop")
    assert result.audio == "dropped" and result.speech_removed is None


def test_cli_report_and_clean_metadata(tmp_path, exiftool, ffprobe):
    """The CLI's --json report gives the seconds removed; the output is as clean as any other
    (the tagged head_pose fixture: the same exiftool and ffprobe checks as tests/test_video.py)."""
    from container_checks import assert_clean, assert_probe_clean

    clip = speech_clip(tmp_path / "speech.mp4", 16000, "mono")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main([str(clip.path), "--json", "-q", "--audio", "mute-speech"]) == 0
    r = json.loads(buf.getvalue().strip().splitlines()[-1])
    assert r["audio"] == "speech muted (AAC)"
    assert 4.3 <= r["speech_removed_seconds"] <= 5.3
    assert any(n.startswith("speech muted: 1 span(s)") for n in r["notes"])
    tagged = tmp_path / "tagged.unseen.mp4"
    result = run(FIXTURES / "video" / "head_pose.mp4", tagged)
    assert result.audio == "speech muted (AAC)" and result.speech_removed == 0  # a tone: nothing to mute
    for out in (tmp_path / "speech.unseen.mp4", tagged):
        assert_clean(exiftool, out)
        assert_probe_clean(ffprobe, out, audio=True)


def test_webm_output_mutes_into_opus(clips, tmp_path):
    clip = clips[(48000, "5.1")]
    dst = tmp_path / "o.webm"
    result = run(clip.path, dst, codec="vp9")
    assert result.audio == "speech muted (Opus)"
    with av.open(str(dst)) as c:
        assert c.streams.audio[0].layout.name == "5.1"
    a0, a1 = int(clip.speech[0] * 48000), int(clip.speech[1] * 48000)
    xo = load(dst, 48000, "5.1")
    assert abs(np.corrcoef(xo[2, a0:a1], clip.speech_signal[: a1 - a0])[0, 1]) < 0.05


def test_keep_leaves_speech_and_keeps_5_1(clips, tmp_path):
    clip = clips[(48000, "5.1")]
    dst = tmp_path / "o.mp4"
    assert run(clip.path, dst, audio="keep").audio == "kept (AAC)"
    with av.open(str(dst)) as c:
        assert c.streams.audio[0].layout.name == "5.1"
    a0, a1 = int(clip.speech[0] * 48000), int(clip.speech[1] * 48000)
    assert np.corrcoef(load(dst, 48000, "5.1")[2, a0:a1], clip.speech_signal[: a1 - a0])[0, 1] > 0.9


def test_a_channel_count_not_kept_is_mixed_down_and_said(clips, tmp_path):
    # mono, stereo and 5.1 are written as they are; anything else becomes stereo, and the report says so
    quad = speech_clip(tmp_path / "quad.mp4", 48000, "quad")
    res = run(quad.path, tmp_path / "o.mp4", audio="keep")
    with av.open(str(tmp_path / "o.mp4")) as c:
        assert c.streams.audio[0].layout.name == "stereo"
    assert "audio: 4 channels mixed down to stereo" in res.notes
    assert not any("mixed down" in n for n in run(clips[(48000, "5.1")].path, tmp_path / "o51.mp4", audio="keep").notes)


def test_audio_choices_and_unknown_choice(tmp_path):
    assert AUDIO_CHOICES == ("drop", "keep", "mute-speech")
    with pytest.raises(ValueError, match="--audio must be one of"):  # refused by Options, before any read
        run(FIXTURES / "video" / "head_pose.mp4", tmp_path / "o.mp4", audio="pitch-shift")


def test_analysis_stops_when_asked(clips):
    stop = threading.Event()
    stop.set()
    assert analyse(clips[(44100, "stereo")].path, stop=stop) is None


def test_real_speech_clip_from_the_shared_corpus(tmp_path):
    """liveportrait d20 (a person speaking, 7 s): WebRTC VAD finds <= 5% of its speech frames left."""
    src = shared_path("liveportrait_kwaivgi/assets/examples/driving/d20.mp4")
    dst = tmp_path / "o.mp4"
    result = run(src, dst)
    fi, fo = webrtc_flags(src), webrtc_flags(dst)
    assert fi.sum() > 150 and fo.sum() <= 0.05 * fi.sum(), (fi.sum(), fo.sum())
    assert 5.5 < result.speech_removed < 7.1


def test_spans_are_padded_merged_and_short_blips_dropped():
    """Hysteresis as silero's get_speech_timestamps, tuned for recall: a 0.4 s pause inside speech does
    not end it, spans less than 1 s apart are joined, a blip under 64 ms is dropped, pad 0.2 s."""
    w = speech.WIN_S
    probs = np.zeros(400)
    probs[50:100] = 0.9  # 1.6 s of speech
    probs[110:140] = 0.9  # after a 0.32 s pause: the same span
    probs[160:200] = 0.5  # 0.64 s gap after it: merged once padded
    probs[300:301] = 0.9  # a 32 ms blip: dropped
    tracker = speech.SpanTracker(speech.VadParams())
    tracker.push(probs.tolist())
    spans = tracker.finish(400 * w)
    assert len(spans) == 1
    assert spans[0][0] == pytest.approx(50 * w - 0.2) and spans[0][1] == pytest.approx(200 * w + 0.2)
    assert speech.pad_merge([(0.1, 0.5), (3.0, 4.0)], 0.2, 1.0, 3.9) == [(0.0, 0.7), (2.8, 3.9)]


def test_seven_one_sound_is_muted_too(tmp_path):
    """`--audio mute-speech` on any 8-channel (7.1) clip failed ("IndexError: index 8 is out of bounds"):
    PyAV 18.1 counts nine planes in an 8-channel frame and ``AudioFrame.from_ndarray`` trips on it (a hunt,
    2026-12-05). `--audio keep` worked. Now the speech is muted and the sound kept, mixed down as keep does."""
    clip = speech_clip(tmp_path / "in71.mkv", 48000, "7.1")
    result = run(clip.path, tmp_path / "o.mp4")
    assert result.audio == "speech muted (AAC)" and result.speech_removed > 0.5 * (clip.speech[1] - clip.speech[0])
    with av.open(str(tmp_path / "o.mp4")) as c:
        layout = c.streams.audio[0].layout.name
    a0, a1 = int(clip.speech[0] * 48000), int(clip.speech[1] * 48000)
    xo = load(tmp_path / "o.mp4", 48000, layout)
    assert all(abs(np.corrcoef(ch[a0:a1], clip.speech_signal[: a1 - a0])[0, 1]) < 0.05 for ch in xo)


@pytest.mark.parametrize(("voice_over_music_db", "windows_left"), [(0, 30), (3, 3), (5, 3)])
def test_a_voice_over_a_music_bed_is_muted(tmp_path, voice_over_music_db, windows_left):
    """LivePortrait's d11 (a woman talking) over its d14 (instrumental), the voice 0-5 dB louder than the music,
    as a vlog with a music bed is mixed: Silero scored the voice under 0.35 in 98-100% of its windows, and 7.8-8.4
    s of its 9 s came out untouched (a hunt, 2026-12-05). The detector now also hears the mix's non-repeating
    part (``audio/foreground.py``). The judge: 0.1 s windows of the voice where the output still follows the
    input's waveform (a muted window is fresh noise). Before: 8.9, 8.5 and 7.4 s left at 0, 3 and 5 dB; at
    0 dB some is still left (2.2 s when this was written: docs/THREAT_MODEL.md, "Voices")."""
    from voices_media import write_clip

    rate = 48000
    voice = load(shared_path("liveportrait_kwaivgi/assets/examples/driving/d11.mp4"), rate)[0]
    music = load(shared_path("liveportrait_kwaivgi/assets/examples/driving/d14.mp4"), rate)[0]
    n = 10 * rate
    v = np.zeros(n)
    v[rate // 2: rate // 2 + min(len(voice), 9 * rate)] = voice[: 9 * rate]
    level = np.sqrt(np.mean(v[np.abs(v) > 1e-4] ** 2))
    m = music[:n] / np.sqrt(np.mean(music[:n] ** 2)) * level * 10 ** (-voice_over_music_db / 20)
    x = (v + m) * (0.1 / level)
    write_clip(tmp_path / "in.mp4", np.stack([x, x]).astype(np.float32), rate, "stereo")
    run(tmp_path / "in.mp4", tmp_path / "out.mp4")
    out = load(tmp_path / "out.mp4", rate)[0][:n]
    w = rate // 10
    left = 0
    for i in range(n // w):
        s = slice(i * w, (i + 1) * w)
        if np.sqrt(np.mean(v[s] ** 2)) < level * 0.1:  # the voice is quiet here: not a window of speech
            continue
        left += np.corrcoef(out[s], x[s])[0, 1] > 0.5
    assert left <= windows_left, f"{left / 10:.1f} s of the voice left"


def test_the_foreground_gives_out_every_sample_whatever_the_chunks():
    """``audio/foreground.Foreground`` streams: the speech detector counts samples to place its spans, so
    the foreground must give out exactly the samples fed, the same whether they came a decoded frame at a
    time or all at once."""
    from unseen.audio.foreground import Foreground

    rng = np.random.default_rng(5)
    loop = rng.standard_normal(8000).astype(np.float32) * 0.1  # a half-second pattern, repeated: a "bed"
    x = np.tile(loop, 26) + np.concatenate([np.zeros(100000), rng.standard_normal(8000), np.zeros(100000)])
    x = x.astype(np.float32)[: 13 * 16000 + 123]

    def through(chunk: int) -> np.ndarray:
        f = Foreground()
        parts = [f.feed(x[i:i + chunk]) for i in range(0, len(x), chunk)]
        return np.concatenate([*parts, f.feed(np.zeros(0, np.float32), final=True)])

    small, whole = through(341), through(len(x))
    assert len(small) == len(whole) == len(x)
    assert np.allclose(small, whole, atol=1e-4)
    # the repeating bed is taken away, the burst that does not repeat is kept
    bed, burst = slice(20000, 90000), slice(100000, 108000)
    assert np.std(small[bed]) < 0.5 * np.std(x[bed]) and np.std(small[burst]) > 0.5 * np.std(x[burst])


def test_a_voice_in_one_rear_channel_under_a_bed_in_every_channel_is_muted(tmp_path):
    """5.1 with the same loud bed in every channel but the LFE, 18 dB over a voice that is in the back left
    channel only: no channel, nor the downmix, nor the front pair's difference hears it, but the back pair's
    difference is the voice alone. Only the first two channels' difference was heard before (a hunt,
    2026-12-05: 2.6 of 3 s kept, music from LivePortrait's d14; here pink noise, the same in every channel)."""
    from voices_media import SPEECH, load, pink, write_clip

    rate = 48000
    voice = load(SPEECH, rate)[0]
    voice = voice / np.sqrt(np.mean(voice**2)) * 0.02
    n = voice.size + 4 * rate
    v = np.zeros(n)
    v[2 * rate: 2 * rate + voice.size] = voice
    noise = pink(n, np.random.default_rng(3)) * 0.02 * 10 ** (18 / 20)
    x = np.zeros((6, n))
    for ch in (0, 1, 2, 4, 5):  # FL FR FC BL BR; the LFE quiet
        x[ch] = noise
    x[4] += v
    write_clip(tmp_path / "in.mp4", (0.5 * x).astype(np.float32), rate, "5.1")
    result = run(tmp_path / "in.mp4", tmp_path / "out.mp4")
    out = load(tmp_path / "out.mp4", rate, "5.1")
    a, b = 2 * rate, 2 * rate + voice.size
    left = out[4, a:b] - out[5, a:b]  # what a listener subtracting the back pair would hear
    # before: 0 s removed, the back pair's difference following the voice (correlation 0.29)
    assert result.speech_removed > 0.8 * voice.size / rate
    assert abs(np.corrcoef(left, v[a:b])[0, 1]) < 0.05


def test_audio_whose_rate_changes_is_said_with_keep_too(clips, tmp_path):
    """Two recordings joined, at 44.1 then 48 kHz: with ``--audio keep`` the encoder's resampler refused the
    second's frames, "video processing failed: ValueError: Frame does not match AudioResampler setup" (a hunt,
    2026-12-06); ``--audio mute-speech`` already said what it was."""
    from fractions import Fraction

    from unseen.media import video_write
    from unseen.media.video_color import Color

    with av.open(str(clips[(44100, "stereo")].path)) as c:
        w = video_write.open_writer(tmp_path / "out.mp4", "h264", (64, 48), Fraction(1, 10), Fraction(10),
                                    Color(None, False, (2, 1, 2, 2)), None, c.streams.audio[0])
        try:
            for rate in (44100, 48000):
                f = av.AudioFrame.from_ndarray(np.zeros((2, 1024), np.float32), format="fltp", layout="stereo")
                f.sample_rate = rate
                if rate == 44100:
                    w.write_audio(f, 0.0)
                    continue
                with pytest.raises(UnseenError, match=r"audio format changes mid-stream \(44100 Hz stereo -> 48000 "
                                                      r"Hz stereo\); use --audio drop"):
                    w.write_audio(f, 0.0)
        finally:
            w.container.close()


def test_a_run_that_finds_no_speech_warns_that_a_voice_may_be_missed(tmp_path):
    """A real voice under a crowd's roar at -5 dB was kept whole, said as "0.0 s of speech muted" in a note, and
    the note named a fill that never ran (a hunt, 2026-12-06). Finding no speech is now a warning that says what
    can be missed."""
    src = tmp_path / "roar.mp4"
    write_clip(src, bed(44100 * 3, 2, 44100, np.random.default_rng(5)), 44100, "stereo")
    result = run(src, tmp_path / "out.mp4")
    assert result.speech_removed == 0
    assert any(w.startswith("no speech found in 3.0 s of sound") and "listen" in w for w in result.warnings), result
    assert not any(n.startswith("speech muted") for n in result.notes), result.notes
