"""Licence plates (covered by default) and text (on request), in photos and video (issue 12).

The committed tests draw a plate and a name badge onto a committed photo (tests/synth.py: the plate
photo set in ../shared/data may not be copied into the project). Real plate photos from that set
are used when it is present (skip otherwise).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ROOT, shared_path
from PIL import Image
from synth import draw_plate, draw_text, region_share

from unseen import Options, verify
from unseen.cli import main as cli_main
from unseen.detect import text as text_det
from unseen.options import parse_cover
from unseen.regions import Regions

BASE = FIXTURES / "2008_007676.jpg"  # 500 x 334, six faces, public domain (dlib's examples)
TOL = 24  # a pixel is changed when some channel moved by more than this (bench/protection.py's rule)
FILL = np.array([128, 128, 128], np.int16)
PLATE_TEXT = "KA 4821 B"


def changed_share(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x, y, w, h = box
    d = np.abs(a[y : y + h, x : x + w].astype(np.int16) - b[y : y + h, x : x + w].astype(np.int16)).max(2)
    return float((d > TOL).mean())


def covered_share(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Share of the box changed, or already at the fill colour in the output (a plate's grey or an
    anti-aliased letter edge can sit within TOL of the fill: the slip benchmark's rule)."""
    x, y, w, h = box
    sa, sb = a[y : y + h, x : x + w].astype(np.int16), b[y : y + h, x : x + w].astype(np.int16)
    return float(((np.abs(sa - sb).max(2) > TOL) | (np.abs(sb - FILL).max(2) <= 3)).mean())


def read_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> tuple[Path, np.ndarray, tuple, tuple]:
    """The fixture photo with a 24 px plate bottom left and a name badge (capitals 22 px) on top."""
    rgb = np.asarray(Image.open(BASE).convert("RGB")).copy()
    plate = draw_plate(rgb, 30, 262, 24, PLATE_TEXT)
    badge = draw_text(rgb, 40, 30, 22, "Maria Lopez, Press")
    path = tmp_path_factory.mktemp("plates") / "scene.png"  # lossless: the drawing stays crisp
    Image.fromarray(rgb).save(path)
    return path, rgb, plate, badge


def run(capsys, *args: str) -> tuple[int, dict, str]:
    code = cli_main([*args, "--json", "-q", "--force"])
    cap = capsys.readouterr()
    lines = [json.loads(line) for line in cap.out.splitlines() if line.startswith("{")]
    return code, (lines[-1] if lines else {}), cap.err


def test_plate_covered_by_default_as_a_filled_rectangle(scene, tmp_path, capsys):
    path, rgb, plate, badge = scene
    code, report, err = run(capsys, str(path), "-o", str(tmp_path))
    assert code == 0, err
    assert report["regions"].get("plate", 0) >= 1 and report["regions"]["face"] >= 4
    out = read_rgb(tmp_path / path.name)
    x, y, w, h = plate
    assert covered_share(rgb, out, plate) == 1.0
    # A rectangle (no ellipse for plates): even the corners are solid fill, padded a little beyond.
    inner = out[y : y + h, x : x + w].astype(np.int16)
    assert np.abs(inner - FILL).max() <= 2
    assert np.abs(out[y - 1, x - 1].astype(np.int16) - FILL).max() <= 2
    # The badge (mixed case, 15 letters) is text, not a plate: left alone unless text is asked for.
    assert changed_share(rgb, out, badge) < 0.2


def test_cover_faces_leaves_plates_alone(scene, tmp_path, capsys):
    path, rgb, plate, _ = scene
    code, report, _ = run(capsys, str(path), "-o", str(tmp_path), "--cover", "faces")
    assert code == 0
    assert "plate" not in report["regions"] and report["regions"]["face"] >= 4
    assert changed_share(rgb, read_rgb(tmp_path / path.name), plate) < 0.05


def test_cover_text_covers_the_badge(scene, tmp_path, capsys):
    path, rgb, plate, badge = scene
    code, report, _ = run(capsys, str(path), "-o", str(tmp_path), "--cover", "faces,plates,text")
    assert code == 0
    assert report["regions"].get("text", 0) >= 1 and report["regions"].get("plate", 0) >= 1
    out = read_rgb(tmp_path / path.name)
    assert covered_share(rgb, out, badge) == 1.0
    assert covered_share(rgb, out, plate) == 1.0


def test_cover_plates_only_warns_and_keeps_faces(scene, tmp_path, capsys):
    path, rgb, plate, _ = scene
    code = cli_main([str(path), "-o", str(tmp_path), "--cover", "plates", "--json"])
    cap = capsys.readouterr()
    report = json.loads(cap.out.splitlines()[-1])
    assert code == 0 and "faces are left visible" in cap.err
    assert report["regions"] == {"plate": report["regions"]["plate"]} and report["self_check_extra"] == 0
    assert covered_share(rgb, read_rgb(tmp_path / path.name), plate) == 1.0


@pytest.mark.parametrize("value", ["", "faces,cars", "plate s", ","])
def test_cover_rejects_unknown_words(value, capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main([str(BASE), "--cover", value])
    assert exc.value.code == 2
    assert "--cover takes a comma list of faces, plates, text" in capsys.readouterr().err


def test_parse_cover_maps_words_to_kinds():
    assert parse_cover("faces,plates") == ("face", "plate")
    assert parse_cover(" Text , faces ") == ("face", "text")
    assert parse_cover("plate,face,plates") == ("face", "plate")
    assert Options().cover == ("face", "plate")


def test_inspect_lists_plates_and_text_never_what_they_say(scene, capsys):
    path, _, plate, badge = scene
    assert cli_main(["inspect", str(path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["found"]
    boxes = {k: Regions.from_json([{"x": b[0], "y": b[1], "w": b[2], "h": b[3]} for b in v["boxes"]])
             for k, v in found.items()}
    for kind, (x, y, w, h) in (("plate", plate), ("text", badge)):
        assert found[kind]["count"] >= 1
        inside = Regions.from_boxes([[x + 2, y + 2, x + w - 2, y + h - 2]])
        assert boxes[kind].iou(inside).max() > 0.3, (kind, found[kind])
    assert cli_main(["inspect", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "licence plates found by unseen: 1" in shown and "text found by unseen" in shown
    for word in ("4821", "KA", "Maria", "Lopez", "Press"):
        assert word not in shown


def test_boxes_file_and_review_sidecar_carry_plates(scene, tmp_path, capsys):
    """The detector's plate regions, written as a --boxes file (what the review page saves), cover
    the plate as a plate: padded rectangle, counted per kind."""
    path, rgb, plate, _ = scene
    found = Options().make_detector().detect(rgb)
    assert "plate" in found.kinds.tolist()
    doc = {"version": 1, "image": path.name, "width": rgb.shape[1], "height": rgb.shape[0], "mode": "only",
           "regions": found.to_json()}
    side = tmp_path / "boxes.json"
    side.write_text(json.dumps(doc))
    code, report, err = run(capsys, str(path), "-o", str(tmp_path / "out"), "--boxes", str(side))
    assert code == 0, err
    assert report["regions"]["plate"] == int((found.kinds == "plate").sum())
    assert covered_share(rgb, read_rgb(tmp_path / "out" / path.name), plate) == 1.0


def test_verify_reader_fails_a_copy_and_passes_fill(scene, tmp_path, capsys):
    path, rgb, plate, _ = scene
    checked, readable = verify.text_check(rgb, rgb.copy())
    assert checked >= 1 and readable
    x, y, w, h = plate
    assert any(abs(r["box"][0] - x) < w / 2 and abs(r["box"][1] - y) < h for r in readable)
    assert all(set(r) == {"box", "similarity"} for r in readable)  # boxes and similarity, never text
    assert run(capsys, str(path), "-o", str(tmp_path))[0] == 0
    masked = read_rgb(tmp_path / path.name)
    assert verify.text_check(rgb, masked) == (checked, [])
    # Text mode reads the badge too; the default output leaves it, so it is still readable.
    n_text, still = verify.text_check(rgb, masked, ("face", "text"))
    assert n_text > checked and still


def test_verify_cli_reader_check(scene, tmp_path, capsys):
    pytest.importorskip("dlib", reason="needs the recognizer extra: pip install -e '.[verify]'")
    path, rgb, _, _ = scene
    copy = tmp_path / "copy.png"
    Image.fromarray(rgb).save(copy)
    code = cli_main(["verify", str(path), str(copy), "--json"])
    r = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert code == 1 and r["checks"]["text_readable"] == "fail" and r["text"]["still_readable"]
    assert PLATE_TEXT.replace(" ", "") not in json.dumps(r) and "4821" not in json.dumps(r)
    # unseen's own output: the reader check passes (the face checks are test_verify.py's business).
    assert run(capsys, str(path), "-o", str(tmp_path / "out"))[0] == 0
    cli_main(["verify", str(path), str(tmp_path / "out" / path.name), "--json"])
    r = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert r["checks"]["text_readable"] == "pass" and r["text"]["checked"] >= 1
    assert r["text"]["still_readable"] == []


def test_detector_failure_fails_the_file_closed(scene, tmp_path, monkeypatch, capsys):
    path, _, _, _ = scene

    def broken(rgb):
        raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : bad alloc\nsecond line")

    monkeypatch.setattr(text_det, "probability", broken)
    code = cli_main([str(path), "-o", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [f"unseen: {path}: plate/text detector failed: RuntimeError: "
                   "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : bad alloc"]
    assert not (tmp_path / path.name).exists() and list(tmp_path.iterdir()) == []


def _write_clip(dst: Path, frames: list[np.ndarray], fps: int) -> None:
    import av

    with av.open(str(dst), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        vs.codec_context.time_base = Fraction(1, fps)
        vs.codec_context.options = {"crf": "16"}
        for i, rgb in enumerate(frames):
            f = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            f.pts = i
            out.mux(vs.encode(f))
        out.mux(vs.encode(None))


def _read_clip(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]


def test_video_plate_is_tracked_with_no_frame_slipping(tmp_path, capsys):
    """A plate drives across the picture: detected only every 0.3 s, covered on every frame."""
    base = np.asarray(Image.open(BASE).convert("RGB"))[:320, :480]
    fps, n = 15, 36
    frames, boxes = [], []
    for i in range(n):
        rgb = base.copy()
        boxes.append(draw_plate(rgb, 8 + i * 9, 200 + i // 3, 22, PLATE_TEXT))
        frames.append(rgb)
    clip = tmp_path / "drive.mp4"
    _write_clip(clip, frames, fps)
    code, report, err = run(capsys, str(clip), "-o", str(tmp_path / "out"), "--cover", "plates")
    assert code == 0, err
    assert report["regions"] == {"plate": 1}
    out = _read_clip(tmp_path / "out" / "drive.mp4")
    assert len(out) == n
    shares = [covered_share(src, dst, box) for src, dst, box in zip(frames, out, boxes, strict=True)]
    assert min(shares) >= 0.95, [round(s, 2) for s in shares]
    assert any("detector passes" in note for note in report["notes"])


def test_video_detector_failure_fails_closed(tmp_path, monkeypatch, capsys):
    base = np.asarray(Image.open(BASE).convert("RGB"))[:240, :320]
    clip = tmp_path / "clip.mp4"
    _write_clip(clip, [base.copy() for _ in range(6)], 10)

    def broken(rgb):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(text_det, "probability", broken)
    code = cli_main([str(clip), "-o", str(tmp_path / "out"), "--cover", "faces,plates"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith(f"unseen: {clip}: ")
    assert "plate/text detector failed: RuntimeError: model exploded" in err[0]
    out = tmp_path / "out"
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))


def test_shared_plate_photos_are_covered(tmp_path):
    """Real plates (openalpr's EU benchmark, ../shared/data): every annotated plate >= 80% covered (the
    text boxes padded; a country strip at the edge may stay out: docs/BENCHMARKS.md, "Plates and text")."""
    folder = shared_path("plates_openalpr_eu")
    from unseen import anonymize_image

    names = ["eu1", "eu3", "eu10", "test_028", "test_082"]
    for name in names:
        f, x, y, w, h, _ = (folder / f"{name}.txt").read_text().rstrip("\n").split("\t")
        rgb = read_rgb(folder / f)
        out, regions = anonymize_image(rgb, Options(cover=("plate",)))
        assert set(regions.kinds.tolist()) == {"plate"}
        assert covered_share(rgb, out, (int(x), int(y), int(w), int(h))) >= 0.8, name


def test_detector_input_is_normalised_as_paddleocr_trained_it():
    """PaddleOCR's NormalizeImage on its BGR image: scale 1/255, then ImageNet's mean and std in the order
    listed (0.485 / 0.229 on the first, blue, plane); the padding is black. RapidOCR's (x / 255 - 0.5) / 0.5,
    used before, lost small plates (the next test)."""
    rgb = np.random.default_rng(0).integers(0, 256, (37, 70, 3), dtype=np.uint8)
    x = text_det.network_input(rgb)
    mean, std = np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32)
    expect = np.broadcast_to(((0 - mean) / std)[:, None, None], (3, 64, 96)).copy()
    expect[:, :37, :70] = ((rgb[..., ::-1] / np.float32(255) - mean) / std).transpose(2, 0, 1)
    assert x.shape == (1, 3, 64, 96) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], expect, atol=1e-5)


@pytest.mark.slow
def test_small_shared_plates_are_found():
    """Each of the 108 plate photos resampled so its plate is 12 px tall (about 18 px in a 1080p frame
    after video's fit): the plate pass covers >= 70% of at least 106 of them (108 measured; 100 with the
    input normalised as RapidOCR does: docs/BENCHMARKS.md, "Plates and text: the detector's input
    normalisation")."""
    folder = shared_path("plates_openalpr_eu")
    from unseen import raster
    from unseen.detect.plates import TextBoxes

    tb = TextBoxes(("plate",))
    found = total = 0
    for t in sorted(folder.glob("*.txt")):
        if t.name == "README.txt":
            continue
        f, x, y, w, h, _ = t.read_text().rstrip("\n").split("\t")
        rgb = read_rgb(folder / f)
        s = 12 / int(h)
        small = raster.resize(rgb, max(1, round(rgb.shape[1] * s)), max(1, round(rgb.shape[0] * s)))
        box = (round(int(x) * s), round(int(y) * s), max(1, round(int(w) * s)), max(1, round(int(h) * s)))
        found += region_share(tb(small, 0.3), box, small.shape) >= 0.7
        total += 1
    assert total == 108
    assert found >= 106, found


@pytest.mark.slow
def test_the_reader_adversary_reads_every_shared_plate():
    """``unseen verify``'s reader adversary must fail an unmasked copy (JPEG q90) of each of the 108 plate
    photos: it reads the plate in the original confidently (``verify.READ_CONF``) and again in the copy.
    108 measured; 106 with READ_CONF at 0.8, where two plates read at 0.76 and 0.78 went unchecked."""
    import io

    folder = shared_path("plates_openalpr_eu")
    caught = total = 0
    for t in sorted(folder.glob("*.txt")):
        if t.name == "README.txt":
            continue
        rgb = read_rgb(folder / t.read_text().split("\t", 1)[0])
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=90)
        copy = np.asarray(Image.open(buf).convert("RGB"))
        caught += bool(verify.text_check(rgb, copy)[1])
        total += 1
    assert total == 108
    assert caught >= 107, caught


def test_big_text_boxes_need_a_read(monkeypatch):
    """The rule: a box >= 32 px tall that reads as nothing is texture, not covered; a small one is."""
    from unseen.detect import plates, reader

    rgb = np.full((200, 300, 3), 90, np.uint8)
    quads = np.array([[[10, 10], [200, 10], [200, 60], [10, 60]],  # 50 px tall
                      [[10, 100], [60, 100], [60, 112], [10, 112]]], np.float32)  # 12 px tall
    monkeypatch.setattr(reader, "read", lambda rgb, q, grow=0.1: [("", 0.0)] * len(q))
    kept = plates.TextBoxes(("plate",)).judge(rgb, quads, np.array([0.9, 0.9], np.float32))
    assert len(kept) == 1 and kept.kinds.tolist() == ["plate"] and kept.boxes[0, 3] == 112
    monkeypatch.setattr(reader, "read", lambda rgb, q, grow=0.1: [("AB123CD", 0.9)] * len(q))
    assert len(plates.TextBoxes(("plate",)).judge(rgb, quads, np.array([0.9, 0.9], np.float32))) == 2
    monkeypatch.setattr(reader, "read", lambda rgb, q, grow=0.1: [("Bakery on the corner", 0.9)] * len(q))
    assert len(plates.TextBoxes(("plate",)).judge(rgb, quads, np.array([0.9, 0.9], np.float32))) == 1
    both = plates.TextBoxes(("plate", "text")).judge(rgb, quads, np.array([0.9, 0.9], np.float32))
    assert sorted(both.kinds.tolist()) == ["plate", "text"]


def test_core_undoes_the_detectors_unclip():
    """``text.core`` returns the rectangle DB grew a box from (``boxes_from_map``'s unclip), at any size,
    slant and aspect."""
    rng = np.random.default_rng(0)
    p = text_det.DEFAULT
    for _ in range(300):
        w, h, angle = rng.uniform(3, 400), rng.uniform(3, 80), rng.uniform(-0.6, 0.6)
        c, u = rng.uniform(0, 900, 2), np.array([np.cos(angle), np.sin(angle)])
        d = w * h * p.unclip / (2 * (w + h))
        got = text_det.core(text_det.rect_quad(c, u, w + 2 * d, h + 2 * d)[None])[0]
        np.testing.assert_allclose(np.sort(got, 0), np.sort(text_det.rect_quad(c, u, w, h), 0), atol=1e-3)
    assert text_det.core(np.zeros((0, 4, 2), np.float32)).shape == (0, 4, 2)


def plate_in_its_box(height: int) -> tuple[np.ndarray, tuple[int, int, int, int], np.ndarray]:
    """The fixture photo with a ``height`` px plate drawn on it, the plate's box, and the quad DB's unclip
    grows around that plate (the detector's box when the plate itself is the text it finds)."""
    rgb = np.asarray(Image.open(BASE).convert("RGB")).copy()
    x, y, w, h = draw_plate(rgb, 30, 262, height, "KA 4821 B")
    d = w * h * text_det.DEFAULT.unclip / (2 * (w + h))
    quad = text_det.rect_quad(np.array([x + w / 2, y + h / 2]), np.array([1.0, 0.0]), w + 2 * d, h + 2 * d)
    return rgb, (x, y, w, h), quad[None].astype(np.float32)


@pytest.mark.parametrize("height", [12, 14, 16])
def test_a_small_plate_in_its_detector_box_is_read_on_its_core(height, monkeypatch):
    """A 12-16 px plate in the box DB's unclip grows around it (34-44 px tall, over MIN_READ): the real
    recogniser reads nothing in that box, so the rule alone would turn the plate down; read on its core
    (``plates.CORE_READ``) it reads as a plate and is covered. On real frames this was most of the 12 px
    plates the detector found and the rule lost (docs/BENCHMARKS.md, "Plates and text: small plates read on
    their core")."""
    from unseen.detect import plates, reader

    rgb, plate, quads = plate_in_its_box(height)
    scores = np.array([0.6], np.float32)
    assert plates.MIN_READ <= text_det.quad_heights(quads)[0] < plates.SEARCH_INSIDE
    assert not plates.text_like(*reader.read(rgb, quads)[0])  # the box's own read holds no text
    tb = plates.TextBoxes(("plate",))
    monkeypatch.setattr(plates, "CORE_READ", False)
    assert len(tb.judge(rgb, quads, scores)) == 0
    monkeypatch.setattr(plates, "CORE_READ", True)
    kept = tb.judge(rgb, quads, scores)
    assert kept.kinds.tolist() == ["plate"] and region_share(kept, plate, rgb.shape) == 1.0


def test_the_reader_adversary_reads_a_small_plate_on_its_core(monkeypatch):
    """``unseen verify`` asks what masking asks: the 12 px plate in its detector box, read on its core, is
    checked, still readable in an unmasked copy and not once filled; without the core read it is not checked."""
    from unseen.detect import plates

    rgb, (x, y, w, h), quads = plate_in_its_box(12)
    monkeypatch.setattr(text_det, "find", lambda *a, **k: (quads, np.array([0.6], np.float32)))
    checked, readable = verify.text_check(rgb, rgb.copy())
    assert checked == 1 and len(readable) == 1
    filled = rgb.copy()
    filled[y : y + h, x : x + w] = 128
    assert verify.text_check(rgb, filled) == (1, [])
    monkeypatch.setattr(plates, "CORE_READ", False)
    assert verify.text_check(rgb, rgb.copy()) == (0, [])


def test_union_merge_never_shrinks_a_box():
    from unseen.detect.plates import union_merge

    whole = [0, 0, 100, 20]
    half = [0, 0, 50, 20]  # the same plate cut by a tile border
    other = [300, 0, 340, 20]
    r = union_merge(Regions.from_boxes([half, whole, other], [0.9, 0.5, 0.7], "plate"))
    assert sorted(r.boxes.tolist()) == [whole, other]
    assert sorted(r.scores.tolist()) == pytest.approx([0.7, 0.9])


def test_review_page_detects_and_saves_plates(scene, tmp_path):
    """The review page's own detector finds the plate (kind "plate", its colour in the session's kinds)
    and a save covers it and writes it into the sidecar with its kind."""
    from web_helpers import _json, _ready

    from unseen import boxes as boxes_file
    from unseen.web.server import ReviewServer

    src = tmp_path / "scene.png"
    src.write_bytes(scene[0].read_bytes())
    rgb, plate = scene[1], scene[2]
    server = ReviewServer([src]).start()
    try:
        item_id = server.order[0]
        d = _ready(server, item_id, timeout=120)
        assert d["state"] == "ready", d
        kinds = [r["kind"] for r in d["regions"]]
        assert "plate" in kinds and "face" in kinds
        _, session = _json(server, "GET", "/api/session")
        assert {"name": "plate", "label": "licence plate", "colour": "#22c55e"} in session["kinds"]
        status, body = _json(server, "POST", f"/api/files/{item_id}/save", {"style": "fill", "regions": d["regions"]})
        assert status == 202, body
        d = _ready(server, item_id, timeout=120)
        assert d["save"]["state"] == "done", d["save"]
    finally:
        server.stop()
    (entry,) = boxes_file.load(tmp_path / "scene.unseen.json")
    assert "plate" in entry.regions.kinds.tolist()
    assert covered_share(rgb, read_rgb(tmp_path / "scene.unseen.png"), plate) == 1.0


def test_a_sign_in_capitals_is_not_a_vanity_plate():
    """Upper-case words without a digit count as a plate (vanity plates: GWAGEN) unless they are
    lines of a block, as on a sign over a door; a plate's own letters are one line. Real pixels:
    the detector and the reader on the fixture photo with a three-line sign and a vanity plate."""
    from unseen.detect import plates

    rgb = np.asarray(Image.open(BASE).convert("RGB").resize((1000, 668))).copy()
    sign = [draw_text(rgb, 600, 40 + 58 * k, 40, word, ink=(240, 240, 240), paper=(30, 30, 90))
            for k, word in enumerate(("ROYAL", "OPERA", "HOUSE"))]
    plate = draw_plate(rgb, 60, 560, 48, "GWAGEN")
    found = plates.TextBoxes(("plate",))(rgb, 0.3)

    def hit(box: tuple[int, int, int, int]) -> bool:
        x, y, w, h = box
        return any(b[0] <= x + w / 2 <= b[2] and b[1] <= y + h / 2 <= b[3] for b in found.boxes)

    assert hit(plate)
    assert not any(hit(line) for line in sign), found.boxes
    # the same words one at a time are read as vanity plates, as before
    alone = np.asarray(Image.open(BASE).convert("RGB").resize((1000, 668))).copy()
    word = draw_text(alone, 600, 40, 40, "OPERA", ink=(240, 240, 240), paper=(30, 30, 90))
    found = plates.TextBoxes(("plate",))(alone, 0.3)
    assert hit(word)


def test_stacked_lines_with_digits_stay_plates(monkeypatch):
    """Only reads without a digit give way to the block rule: a two-line plate keeps both lines."""
    from unseen.detect import plates, reader

    rgb = np.full((300, 400, 3), 90, np.uint8)
    quads = np.array([[[10, 10], [200, 10], [200, 50], [10, 50]],
                      [[10, 55], [200, 55], [200, 95], [10, 95]],  # right below the first: a block
                      [[10, 200], [200, 200], [200, 240], [10, 240]]], np.float32)  # apart
    assert plates.stacked(quads, plates.text.quad_heights(quads)).tolist() == [True, True, False]
    scores = np.full(3, 0.9, np.float32)
    monkeypatch.setattr(reader, "read", lambda rgb, q, grow=0.1: [("KA 4821", 0.9)] * len(q))
    assert len(plates.TextBoxes(("plate",)).judge(rgb, quads, scores)) == 3
    monkeypatch.setattr(reader, "read", lambda rgb, q, grow=0.1: [("OPERA", 0.9)] * len(q))
    kept = plates.TextBoxes(("plate",)).judge(rgb, quads, scores)
    assert len(kept) == 1 and kept.boxes[0, 1] == 200


def test_a_sign_line_found_again_inside_a_region_is_not_judged_again():
    """The search inside a turned-down region can find one of a sign's lines again with a tighter box:
    too short beside its neighbours for the block rule, or under MIN_READ and so covered unread. Such a
    box is that line, already read (``plates.repeats``); a small plate inside a large region is not."""
    from unseen.detect import plates

    sign = np.array([[[10, 0], [250, 0], [250, 60], [10, 60]],
                     [[10, 62], [250, 62], [250, 122], [10, 122]]], np.float32)  # two lines, 60 px
    found = np.array([[[30, 75], [230, 75], [230, 109], [30, 109]],  # line 2 again, 34 px
                      [[30, 70], [230, 70], [230, 101], [30, 101]],  # line 2 again, 31 px (under MIN_READ)
                      [[100, 80], [140, 80], [140, 92], [100, 92]],  # 12 px inside line 2: not the line
                      [[30, 40], [230, 40], [230, 80], [30, 80]]], np.float32)  # across both lines
    assert plates.repeats(found, sign).tolist() == [True, True, False, False]
    assert plates.repeats(found, sign[:0]).tolist() == [False] * 4
    # what counts as a sign's line: read as text with confidence, turned down, one line of a block
    lines = np.concatenate([sign, [[[10, 200], [250, 200], [250, 260], [10, 260]]]]).astype(np.float32)
    reads = {0: ("RED DEAD", 0.91), 1: ("REDEMPTION", 0.90), 2: ("BAKERY", 0.95)}
    assert plates.sign_lines(lines, [None, None, None], reads) == [0, 1]  # the third stands alone
    assert plates.sign_lines(lines, [None, "plate", None], reads) == [0]  # a kept line is no sign
    reads[1] = ("OERKOOBAE", 0.44)  # a 16 px plate's own box, read at low confidence
    assert plates.sign_lines(lines, [None, None, None], reads) == [0]


def _video_plate_pass(clip: str, frame: int):
    """The plate pass on one frame of a shared clip, as video runs it (upright, fitted, in strips)."""
    from unseen import raster
    from unseen.detect import plates, schedule
    from unseen.detect.ensemble import TEXT_THRESHOLD
    from unseen.media.video_read import Orientation

    av = pytest.importorskip("av")
    with av.open(str(shared_path(clip))) as c:
        f = next(itertools.islice(c.decode(video=0), frame, None))
        upright = np.ascontiguousarray(Orientation.from_frame(f).apply(f.to_ndarray(format="rgb24")))
    rgb, _ = raster.fit(upright, schedule.TEXT_FIT)
    return plates.TextBoxes(("plate",))(rgb, TEXT_THRESHOLD, schedule.VIDEO_TILE_PIXELS["plate"])


@pytest.mark.parametrize(("clip", "frame", "word"), [
    # a game box: "REDEMPTION" under "RED DEAD" came back as a vanity plate
    ("metadata_extractor_images_drewnoakes/mov/with-gps.mov", 108, (95, 395)),
    # "ROYAL" over a door, found again at 31 px inside the coat of arms' region, was covered unread
    ("facenet_pytorch_timesler/examples/video.mp4", 72, (672, 245)),
])
def test_a_sign_line_is_not_covered_when_found_again(clip, frame, word):
    """Real pixels, as video's plate pass sees them (upright, fitted to 1280 px, in strips): a line of a
    sign, read and turned down, stays uncovered when the search inside finds it again; the frame's other
    small text boxes are still covered."""
    found = _video_plate_pass(clip, frame)
    assert not any(b[0] <= word[0] <= b[2] and b[1] <= word[1] <= b[3] for b in found.boxes), found.boxes
    assert len(found)


def test_two_lines_of_a_sign_whose_boxes_overlap_are_a_block():
    """The detector's boxes are grown around the letters (DB's unclip), so two lines set close together
    come back overlapping by half their height: their centres are about half a box apart, not more.
    "RED DEAD" over "REDEMPTION" on a game box (gps-mov frame 57: 68 and 65 px boxes, centres 36 px
    apart) is a block; the same line found twice (centres a few px apart) is not."""
    from unseen.detect import plates

    title = np.array([[[14, 330], [203, 330], [203, 398], [14, 398]],
                      [[6, 368], [200, 368], [200, 433], [6, 433]]], np.float32)
    assert plates.stacked(title, plates.text.quad_heights(title)).tolist() == [True, True]
    twice = np.array([[[14, 330], [203, 330], [203, 398], [14, 398]],
                      [[20, 340], [190, 340], [190, 400], [20, 400]]], np.float32)
    assert plates.stacked(twice, plates.text.quad_heights(twice)).tolist() == [False, False]


def test_a_sign_line_over_another_is_not_covered():
    """Real pixels (gps-mov frame 57, as video's plate pass sees it): "RED DEAD", capitals without a
    digit whose box overlaps the next line's by half, stays uncovered (before, it was read as a vanity
    plate in this frame and held over the title for a second); the small print is still covered."""
    found = _video_plate_pass("metadata_extractor_images_drewnoakes/mov/with-gps.mov", 57)
    assert not any(b[0] <= 108 <= b[2] and b[1] <= 362 <= b[3] for b in found.boxes), found.boxes
    assert len(found)


@pytest.mark.parametrize("height", [12, 16])
def test_a_small_plate_inside_a_larger_text_region_is_covered(height, monkeypatch):
    """A picture on a wall (one fixture photo pasted into the other) comes back from the detector as a
    region around the small plate in it; the region reads as no plate. Until the detector's input was
    normalised as PaddleOCR trained it (2026-12-04) that region was all it returned there; now it also
    returns the plate's own box, which the rule covers. The merge is replayed by dropping the boxes inside
    the region from the whole picture's pass: searched again on its own (``TextBoxes.inside``, the real
    detector), the region gives the plate its own box, which the rule covers."""
    from unseen.detect import plates

    picture = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB").resize((360, 240))).copy()
    x, y, w, h = draw_plate(picture, 140, 150, height, "KA 4821")
    rgb = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB").resize((1600, 1100))).copy()
    rgb[400:640, 600:960] = picture
    plate = (x + 600, y + 400, w, h)
    tb = plates.TextBoxes(("plate",))
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) >= 0.9  # found directly

    real_find = text_det.find
    quads, scores = real_find(rgb)
    lo, hi = quads.min(1), quads.max(1)
    around = ((lo[:, 0] <= plate[0]) & (lo[:, 1] <= plate[1]) & (hi[:, 0] >= plate[0] + w)
              & (hi[:, 1] >= plate[1] + h) & (text_det.quad_heights(quads) >= plates.MIN_READ))
    assert around.any()  # the region this is about, read as a whole ...
    r = np.flatnonzero(around)[0]
    within = (lo[:, 0] >= lo[r, 0]) & (lo[:, 1] >= lo[r, 1]) & (hi[:, 0] <= hi[r, 0]) & (hi[:, 1] <= hi[r, 1])
    within[r] = False
    merged = quads[~within], scores[~within]
    assert region_share(tb.judge(rgb, *merged), plate, rgb.shape) < 0.5  # ... and turned down
    calls = []

    def find(pic, *args, **kw):  # the whole picture as before the change, every region searched for real
        calls.append(pic.shape)
        return merged if len(calls) == 1 else real_find(pic, *args, **kw)

    monkeypatch.setattr(text_det, "find", find)
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) >= 0.9
    assert len(calls) > 1  # the region was searched inside


def test_a_region_whose_search_inside_finds_only_itself_is_searched_at_2x(monkeypatch):
    """A pasted picture the detector returns whole, and whose search inside at 1x finds it whole again (the
    class ``plates.INSIDE_2X_MAX`` is for; replayed here, the real detector at 2x): searched again at twice
    the scale it gives the small plate in it its own box, which the rule covers. Off, or on a region larger
    than INSIDE_2X_MAX, there is no 2x search and the plate stays visible."""
    from unseen.detect import plates

    picture = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB").resize((300, 200))).copy()
    x, y, w, h = draw_plate(picture, 120, 130, 12, "KA 4821")
    rgb = np.asarray(Image.open(BASE).convert("RGB").resize((1280, 720))).copy()
    rgb[300:500, 500:800] = picture
    plate = (x + 500, y + 300, w, h)
    region = text_det.rect_quad(np.array([650.0, 400.0]), np.array([1.0, 0.0]), 300, 200)[None].astype(np.float32)
    real_find, scales = text_det.find, []

    def find(pic, scale=1.0, *args, **kw):  # the whole picture and the 1x search inside: the region alone
        scales.append(scale)
        if scale == 1.0:
            return (region if pic.shape == rgb.shape else region - [492, 292]), np.array([0.9], np.float32)
        return real_find(pic, scale, *args, **kw)

    monkeypatch.setattr(text_det, "find", find)
    tb = plates.TextBoxes(("plate",))
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) >= 0.9 and scales == [1.0, 1.0, 2.0]
    for off in (0, 216 * 316 - 1):  # never, or a cap under the region's 300 x 200 px and its padding
        monkeypatch.setattr(plates, "INSIDE_2X_MAX", off)
        scales.clear()
        assert region_share(tb(rgb, 0.3), plate, rgb.shape) < 0.5 and scales == [1.0, 1.0]


@pytest.mark.slow
@pytest.mark.parametrize(("photo", "row"), [("test_084.jpg", "bottom strip"), ("test_084.jpg", "top strip"),
                                            ("test_075.jpg", "top strip")])
def test_a_real_plate_in_a_pasted_photo_is_found_at_2x(photo, row, monkeypatch):
    """A photo of the plate set, resampled so its plate is 12 px tall, pasted into LivePortrait's s18 first
    frame (1280 x 720) with the plate on one of video's strip rows, built by bench/plate_core.py's own helpers:
    the plate pass as video runs it (strips) loses the plate without the 2x search inside and covers it with it."""
    from unseen.detect import plates
    from unseen.detect.schedule import VIDEO_TILE_PIXELS

    shared_path("plates_openalpr_eu")
    shared_path("liveportrait_kwaivgi/assets/examples/source/s18.mp4")
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from plate_core import BACKGROUNDS, first_frame
    from plate_strips import frame_with_plate, plate_rows
    from plates import SHARED, load, plate_items

    path, box = next(item for item in plate_items() if item[0].name == photo)
    frame, plate = frame_with_plate(load(path), box, 12, plate_rows()[1][row],
                                    background=first_frame(SHARED / BACKGROUNDS["lp-s18"]))
    tb = plates.TextBoxes(("plate",))
    cap = VIDEO_TILE_PIXELS["plate"]
    assert region_share(tb(frame, 0.3, strip_pixels=cap), plate, frame.shape) >= 0.7
    monkeypatch.setattr(plates, "INSIDE_2X_MAX", 0)
    assert region_share(tb(frame, 0.3, strip_pixels=cap), plate, frame.shape) < 0.5


def test_a_flat_colour_holds_no_text_and_is_not_searched(monkeypatch):
    """On a flat saturated colour the text detector's map is high everywhere: it returned each tile as
    one unreadable text box (score 0.92), which the plate pass then searched inside, piece by piece
    (62 s of CPU for one flat 8K picture). A picture of one colour is not run through the network,
    and a box over one colour only is dropped; a plate drawn on such a poster is still covered."""
    from unseen.detect import plates

    runs = []
    probability = text_det.probability
    monkeypatch.setattr(text_det, "probability", lambda rgb: runs.append(rgb.shape) or probability(rgb))
    flat = np.zeros((800, 1200, 3), np.uint8)
    flat[:] = (37, 100, 200)
    assert len(text_det.detect(flat)[0]) == 0 and runs == []
    poster = flat.copy()
    plate = draw_plate(poster, 900, 700, 24, PLATE_TEXT)
    # the detector still runs on the poster and must return the plate, not the blue around it
    assert text_det.one_colour(flat) and not text_det.one_colour(poster)
    quads, _ = text_det.detect(poster)
    assert len(runs) == 1 and len(quads) >= 1
    boxes = text_det.quad_boxes(quads)
    assert (boxes[:, 2] - boxes[:, 0]).max() < 400  # no box over the blue alone
    searched = []
    inside = plates.TextBoxes.inside
    monkeypatch.setattr(plates.TextBoxes, "inside", lambda self, *a, **k: searched.append(1) or inside(self, *a, **k))
    assert region_share(plates.TextBoxes(("plate",))(poster, 0.3), plate, poster.shape) >= 0.9
    assert searched == []


def test_a_region_the_size_of_a_tile_is_not_searched_inside(monkeypatch):
    """On a smooth background (a studio portrait's; here a blue gradient) the text detector returns each
    tile as one unreadable box, and searching inside those ran the detector over the picture again,
    piece by piece: a real 12 MP portrait spent 40 s of CPU in the plate pass. A region of half a tile
    or more is not searched again; a plate on that background is still covered, and the small region a
    picture on a wall makes still is searched (``test_a_small_plate_inside_a_larger_text_region_is_covered``)."""
    from unseen.detect import plates

    rgb = np.zeros((1100, 1600, 3), np.uint8)
    rgb[:] = (37, 100, 200)
    rgb[..., 2] = np.linspace(150, 230, 1600).astype(np.uint8)[None, :]
    plate = draw_plate(rgb, 1200, 900, 24, PLATE_TEXT)
    boxes = text_det.quad_boxes(text_det.find(rgb)[0])
    sides = np.clip(boxes[:, 2:], 0, [1600, 1100]) - np.clip(boxes[:, :2], 0, None)
    assert (sides.prod(axis=1) >= plates.SEARCH_INSIDE_MAX).any()  # the detector's answer this is about
    searched: list[np.ndarray] = []
    inside = plates.TextBoxes.inside
    monkeypatch.setattr(plates.TextBoxes, "inside",
                        lambda self, img, quads, *a, **k: searched.append(quads) or inside(self, img, quads, *a, **k))
    assert region_share(plates.TextBoxes(("plate",))(rgb, 0.3), plate, rgb.shape) >= 0.9
    for quads in searched:
        sides = np.diff(text_det.quad_boxes(quads).reshape(-1, 2, 2), axis=1).reshape(-1, 2)
        assert (sides.prod(axis=1) < plates.SEARCH_INSIDE_MAX).all()
