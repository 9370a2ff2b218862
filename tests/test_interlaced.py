"""Interlaced video (a tape transfer's DV, broadcast 1080i): frames made whole before anything looks at them.

A face in a combed frame is two half faces a field apart; on a panned PAL transfer a hunt (2026-12-06) found
eyes, nose and mouth visible under a mask placed too high, and the output flagged progressive with the combing
in it (``media/deinterlace.py``)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from conftest import FIXTURES
from PIL import Image

from unseen.cli import main
from unseen.media import video_read

W, H, N = 720, 576, 12
STEP = 14  # px the picture moves a field


def _comb(rgb: np.ndarray) -> float:
    """How much neighbouring rows differ beyond rows two apart: high where fields of two instants are woven."""
    g = rgb.astype(np.float32).mean(2)
    return float(np.abs(g[1:-1] - (g[:-2] + g[2:]) / 2).mean() - np.abs(g[2:] - g[:-2]).mean() / 2)


def _picture(shift: int) -> np.ndarray:
    """Hopper on a grey field, ``shift`` px from the left."""
    face = np.asarray(Image.open(FIXTURES / "hopper" / "hopper.jpg").convert("RGB").resize((256, 256)))
    out = np.full((H, W, 3), 110, np.uint8)
    out[160:416, 40 + shift : 296 + shift] = face
    return out


@pytest.fixture(scope="module")
def dv_clip(tmp_path_factory):
    """A PAL DV clip (720x576, 25 fps, 64:45 pixels) whose fields are 1/50 s apart: the picture pans, so
    each frame is combed; the DV decoder flags every frame interlaced."""
    path = tmp_path_factory.mktemp("dv") / "tape.avi"
    import av

    with av.open(str(path), "w") as c:
        s = c.add_stream("dvvideo", rate=25)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        s.codec_context.sample_aspect_ratio = Fraction(64, 45)
        for i in range(N):
            top, bottom = _picture(2 * i * STEP), _picture((2 * i + 1) * STEP)
            woven = top.copy()
            woven[1::2] = bottom[1::2]
            for p in s.encode(av.VideoFrame.from_ndarray(woven, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _times(path) -> list[float]:
    with video_read.open_input(path) as c:
        reader = video_read.Reader(c, video_read.video_stream(c))
        return [f.time for f in reader.video_frames()]


def test_interlaced_frames_are_made_whole_for_every_pass(dv_clip, tmp_path, capsys):
    with video_read.open_input(dv_clip) as c:
        decoded = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert min(_comb(a) for a in decoded[1:-1]) > 4  # the input is combed
    with video_read.open_input(dv_clip) as c:
        reader = video_read.Reader(c, video_read.video_stream(c))
        shown = [f.rgb for f in reader.video_frames()]
    assert len(shown) == N and max(_comb(a) for a in shown) < 1.5
    assert reader.deinterlaced
    code = main([str(dv_clip), "-o", str(tmp_path), "--cover", "faces", "--json", "-q"])
    report = capsys.readouterr().out.splitlines()[-1]
    assert code == 0, report
    assert "interlaced: frames made whole (deinterlaced)" in report
    out = tmp_path / "tape.mp4"
    assert _times(out) == pytest.approx(_times(dv_clip), abs=1e-3)  # every frame, each at its own time
    with video_read.open_input(out) as c:
        written = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
        assert c.streams.video[0].sample_aspect_ratio == Fraction(64, 45)
    assert max(_comb(a) for a in written) < 1.5


def test_interlaced_frames_after_a_progressive_start_are_made_whole(tmp_path, capsys):
    """A recording that starts on progressive frames (a title card, a broadcast ident) and goes on interlaced:
    only a first frame flagged interlaced switched the deinterlacer on, and the combed frames after went
    through as they were (a review, 2026-12-06)."""
    import av

    parts = []
    for k, opts in enumerate(({}, {"x264-params": "tff=1"})):
        seg = tmp_path / f"part{k}.ts"
        with av.open(str(seg), "w", format="mpegts") as c:
            s = c.add_stream("libx264", rate=25)
            s.width, s.height, s.pix_fmt, s.options = W, H, "yuv420p", {**opts, "qp": "4"}
            for i in range(N):
                top, bottom = _picture(2 * i * STEP), _picture((2 * i + 1) * STEP)
                woven = top.copy()
                if k:  # the second part's fields a field apart in time
                    woven[1::2] = bottom[1::2]
                for p in s.encode(av.VideoFrame.from_ndarray(woven, format="rgb24")):
                    c.mux(p)
            for p in s.encode():
                c.mux(p)
        parts.append(seg.read_bytes())
    src = tmp_path / "joined.ts"
    src.write_bytes(b"".join(parts))
    with video_read.open_input(src) as c:
        reader = video_read.Reader(c, video_read.video_stream(c))
        shown = [f.rgb for f in reader.video_frames()]
    assert len(shown) == 2 * N and max(_comb(a) for a in shown) < 1.5, [round(_comb(a), 2) for a in shown]
    assert reader.deinterlaced
    code = main([str(src), "-o", str(tmp_path / "out"), "--cover", "faces", "--json", "-q"])
    report = capsys.readouterr().out.splitlines()[-1]
    assert code == 0 and "interlaced: frames made whole (deinterlaced)" in report, report


def test_the_review_pages_samples_of_an_interlaced_clip_are_whole(dv_clip, tmp_path):
    """The review page samples a clip by seeking, frame by frame: its detector got the combed frames and the
    page showed them (a review, 2026-12-06). A sample alone is made whole from one field."""
    from unseen.engine.plan import Job
    from unseen.regions import Regions
    from unseen.web.items import Item, sample_video

    seen = []

    class Seeing:
        def detect(self, rgb):
            seen.append(rgb)
            return Regions.empty()

    item = Item("1", Job(dv_clip, tmp_path, "tape.mp4", ".mp4", "tape", "tape.avi"), "video", False)
    sample_video(item, Seeing())
    assert seen and max(_comb(a) for a in seen) < 1.5, [round(_comb(a), 2) for a in seen]
