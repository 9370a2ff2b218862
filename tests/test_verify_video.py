"""``unseen verify`` and ``--verify`` on videos: the photo's adversaries on sampled frames, on a real clip.

The clip (tests/fixtures/video/head_pose.mp4, 480x270, 56 frames at ~12 fps, from Intel's sample
videos, CC BY 4.0) shows two people's heads turning. Outputs are made once per module: unseen's
default output, and an unmasked one written by unseen's own writer with a detector that finds
nothing (clean metadata, every face left: only the face checks can fail it). Tests that need dlib
skip with the install command when the optional extra is missing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import FIXTURES

from unseen import mask, verify, verify_video
from unseen.cli import main as cli_main
from unseen.cli import verify as verify_cli
from unseen.engine import video as engine_video
from unseen.options import Options
from unseen.regions import Regions

CLIP = FIXTURES / "video" / "head_pose.mp4"
GROUP = FIXTURES / "2008_002470.jpg"


class NoFaces:
    """Detector that finds nothing: writes an unmasked output through unseen's own clean writer."""

    def detect(self, rgb):
        return Regions.empty()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, dlib_installed) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("verify_video")
    src = d / "clip.mp4"
    shutil.copy(CLIP, src)
    assert cli_main([str(src), "-o", str(d / "out"), "-q"]) == 0
    unmasked = d / "unmasked.mp4"
    engine_video.anonymize_video(src, unmasked, Options(), NoFaces())
    short = d / "short.mp4"  # the first 20 frames only
    _first_frames(src, short, "libx264", 20, (480, 270))
    return {"original": src, "out": d / "out" / "clip.mp4", "unmasked": unmasked, "short": short}


def _first_frames(src: Path, dst: Path, codec: str, n: int, size: tuple[int, int]) -> None:
    """The first ``n`` frames of ``src`` at ``size``, encoded with ``codec`` at 12 fps."""
    with av.open(str(src)) as c, av.open(str(dst), "w") as o:
        s = o.add_stream(codec, rate=12)
        s.width, s.height, s.pix_fmt = *size, "yuv420p"
        for i, f in enumerate(c.decode(video=0)):
            if i == n:
                break
            o.mux(s.encode(f.reformat(width=size[0], height=size[1], format="yuv420p")))
        o.mux(s.encode(None))


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = verify_cli.main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_unseen_output_passes_on_frames_sampled_each_second(outputs, capsys):
    code, r = run_json(capsys, str(outputs["original"]), str(outputs["out"]))
    assert code == 0 and r["verdict"] == "pass", r["summary"]
    assert r["frames"] == 56 and r["every_seconds"] == 1.0
    frames = sorted({f["frame"] for f in r["faces"]})
    assert frames == [0, 12, 24, 36, 48, 55] and r["frames_checked"] == 6  # one a second, first and last
    assert len(r["faces"]) >= 10 and all(f["distance"] >= verify.MATCH_THRESHOLD for f in r["faces"])
    assert r["checks"] == {"faces_left": "pass", "matchable": "pass", "metadata": "pass", "text_readable": "pass"}
    assert r["summary"].startswith("6 of 56 frame(s) checked")


def test_unmasked_output_fails_on_faces_alone(outputs, capsys):
    code, r = run_json(capsys, str(outputs["original"]), str(outputs["unmasked"]), "--every", "2")
    assert code == 1 and r["verdict"] == "fail"
    assert r["checks"]["matchable"] == "fail" and r["checks"]["faces_left"] == "fail"
    assert r["checks"]["metadata"] == "pass"  # unseen's writer: only the faces give it away
    assert r["frames_checked"] == 4  # 0, 2 s, 4 s and the last frame
    assert {f["frame"] for f in r["faces_left"]} == {f["frame"] for f in r["faces"]}


def test_another_encoder_fails_on_metadata(outputs, capsys):
    code, r = run_json(capsys, str(outputs["short"]), str(outputs["short"]), "--every", "5")
    assert code == 1 and r["checks"]["metadata"] == "fail"
    assert any("x264" in m or "Lavf" in m for m in r["metadata"])


def test_wrong_pairs_are_one_line_errors(outputs, capsys):
    assert verify_cli.main([str(outputs["original"]), str(outputs["short"])]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"unseen: {outputs['short']}: output has 20 frame(s), original has 56: "
                   "not an output of this original"]
    code, r = run_json(capsys, str(GROUP), str(outputs["out"]))
    assert code == 1 and r["verdict"] == "error" and "not a video container" in r["error"]
    assert verify_cli.main([str(GROUP), str(outputs["out"])]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"unseen: {GROUP}: ")
    broken = outputs["short"].parent / "broken.mp4"  # cut off mid-file
    broken.write_bytes(CLIP.read_bytes()[:20000])
    assert verify_cli.main([str(broken), str(outputs["out"])]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"unseen: {broken}: video is damaged or truncated at frame ")
    assert "nothing written" not in err[0]
    with pytest.raises(SystemExit) as exc:
        verify_cli.main([str(outputs["original"]), str(outputs["out"]), "--every", "-1"])
    assert exc.value.code == 2 and "--every must be 0" in capsys.readouterr().err


def test_sampling(outputs, monkeypatch):
    """Which frames are checked, without the adversaries' cost: the real checks are the tests above."""
    seen: list[int] = []

    def fake(original, output, cover):
        seen.append(len(seen))
        return 0, [], [], []

    monkeypatch.setattr(verify, "_check_frame", fake)
    for every, n in ((0, 56), (1, 6), (2.5, 3), (100, 2)):
        seen.clear()
        shown: list[tuple[int, int]] = []
        r = verify_video.verify_video(outputs["original"], outputs["out"], every=every,
                                      progress=lambda d, t: shown.append((d, t)))  # noqa: B023
        assert r["frames_checked"] == len(seen) == n and r["frames"] == 56
        assert shown == [(i, n) for i in range(1, n + 1)]  # the estimate from the stream is exact here


def test_verify_run_shows_its_progress(outputs, tmp_path):
    """``--verify`` on a video: the frames bar, then one for the frames checked (a 1080p frame is
    10-15 s of CPU: without it the bar sat at 100% for a minute)."""
    from unseen.detect import Detector

    class Bar:
        def __init__(self):
            self.written, self.checked = [], []

        def __call__(self, done, total):
            self.written.append((done, total))

        def verifying(self, done, total):
            self.checked.append((done, total))

    bar = Bar()
    engine_video.anonymize_video(outputs["original"], tmp_path / "o.mp4", Options(verify=True, verify_every=2),
                                 Detector(), None, bar)
    assert bar.written[-1] == (56, 56) and bar.checked == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_verify_run_on_a_video(outputs, tmp_path):
    from unseen import anonymize_path

    (report,) = anonymize_path([outputs["original"]], Options(verify=True, verify_every=2), output_dir=tmp_path)
    assert report.status == "ok", report.error
    assert report.verify["verdict"] == "pass" and report.verify["frames_checked"] == 4
    assert (tmp_path / "clip.mp4").exists() and report.warnings == []
    # The check ran on the temporary file: its name, gone once the output is renamed, was in the report.
    assert ".unseen-tmp" not in json.dumps(report.to_json())


def test_verify_run_fails_the_video_when_matchable(outputs, tmp_path, monkeypatch):
    from unseen import anonymize_path

    monkeypatch.setattr(mask, "BLUR_SIGMA_FRACTION", 0.01)  # a light blur that keeps faces matchable
    (report,) = anonymize_path([outputs["original"]], Options(style="blur", verify=True, verify_every=5),
                               output_dir=tmp_path)
    assert report.status == "error" and "verify failed" in report.error and "nothing written" in report.error
    assert not any(tmp_path.iterdir())  # fail closed: no output, no temp file


def test_unseen_verify_draws_a_bar_on_a_terminal(outputs, monkeypatch, capsys):
    """On a terminal ``unseen verify`` counts the frames checked on stderr; piped, it prints none."""
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(verify, "_check_frame", lambda original, output, cover: (0, [], [], []))
    for stderr, drawn in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stderr)
        verify_cli.main([str(outputs["original"]), str(outputs["out"]), "--every", "2"])
        assert ("clip.mp4 (verify): 100%" in stderr.getvalue() and "4/4" in stderr.getvalue()) == drawn


def _into_avc1(data: bytes, box: bytes) -> bytes:
    """``data`` (an MP4 whose moov comes last) with ``box`` added at the end of its avc1 sample entry, every
    box around it grown to hold it."""
    from unseen.media.mp4 import _in_memory, boxes

    path, start, end = [], 0, len(data)
    for want in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"avc1"):
        skip = 8 if want == b"avc1" else 0  # stsd's version and entry count come before its entries
        kind, o, h, s = next(b for b in boxes(_in_memory(data), start + skip, end) if b[0] == want)
        path.append(o)
        start, end = o + h, o + s
    out = bytearray(data[:end] + box + data[end:])
    for o in path:
        out[o:o + 4] = (int.from_bytes(out[o:o + 4], "big") + len(box)).to_bytes(4, "big")
    return bytes(out)


def test_a_name_in_a_free_box_or_a_sample_entry_fails_on_metadata(outputs, tmp_path, capsys):
    """An output edited after unseen, with a name in a free box, an ICC profile or an XMP uuid box inside its
    sample entry, passed as "metadata: none" (a hunt, 2026-12-06): the allow-list did not look inside them."""
    data = outputs["out"].read_bytes()
    assert data.index(b"moov") > data.index(b"mdat")
    note = b"Jane Doe, Minsk"
    tampered = {"free": data + (8 + len(note)).to_bytes(4, "big") + b"free" + note,
                "icc": _into_avc1(data, (12 + len(note)).to_bytes(4, "big") + b"colrprof" + note),
                "uuid": _into_avc1(data, (24 + len(note)).to_bytes(4, "big") + b"uuid" + bytes(16) + note)}
    for name, body in tampered.items():
        path = tmp_path / f"{name}.mp4"
        path.write_bytes(body)
        code, r = run_json(capsys, str(outputs["original"]), str(path), "--every", "5")
        assert code == 1 and r.get("checks", {}).get("metadata") == "fail", (name, r)
    code, r = run_json(capsys, str(outputs["original"]), str(outputs["out"]), "--every", "5")
    assert r["checks"]["metadata"] == "pass", r


def test_an_odd_sized_clip_verifies_against_its_even_output(dlib_installed, tmp_path, capsys):
    """4:2:0 needs even sizes, so a 241x135 clip is written 240x134; ``verify`` called that "not an output of
    this original", and ``--verify`` wrote nothing for every odd-sized clip (a hunt, 2026-12-06). A clip one
    pixel tall is refused in one line naming its size, not with FFmpeg's "returned 22"."""
    src = tmp_path / "odd.mkv"
    _first_frames(CLIP, src, "ffv1", 6, (241, 135))
    assert cli_main([str(src), "-o", str(tmp_path / "out.mp4"), "--verify", "-q"]) == 0, capsys.readouterr().err
    with av.open(str(tmp_path / "out.mp4")) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (240, 134)
    line = tmp_path / "line.mkv"
    with av.open(str(line), "w") as o:
        s = o.add_stream("ffv1", rate=12)
        s.width, s.height, s.pix_fmt = 64, 1, "yuv420p"
        for _ in range(3):
            o.mux(s.encode(av.VideoFrame.from_ndarray(np.zeros((1, 64, 3), np.uint8), format="rgb24")))
        o.mux(s.encode(None))
    capsys.readouterr()
    assert cli_main([str(line), "-o", str(tmp_path / "line.mp4"), "-q"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"unseen: {line}: video frames are 64x1: too small to write (at least 2x2 pixels)"], err
