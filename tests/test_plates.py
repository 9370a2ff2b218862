"""Licence plates (covered by default) and text (on request), in photos and video (issue 12).

The committed tests draw a plate and a name badge onto a committed photo (tests/synth.py: the plate
photo set in ../shared/data may not be copied into the project). Real plate photos from that set
are used when it is present (skip otherwise).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, shared_path
from PIL import Image
from synth import TURNINGS, draw_plate, draw_plate_lines, draw_text, region_share

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


TURNED = ("quarter anticlockwise", "half a turn", "mirrored", "flipped")


@pytest.mark.parametrize("turning", TURNED)
def test_a_turned_or_mirrored_plate_is_covered(scene, turning):
    """The recogniser reads upright lines only, and a plate it could not read was turned down: on the plate
    set turned a quarter anticlockwise, half a turn, mirrored or flipped, 33-81 of 108 plates were covered
    (docs/BENCHMARKS.md, "Plates and text: turned and mirrored plates"). Large boxes whose read holds no
    text are read turned each way too (``plates.read_turned``)."""
    from unseen import anonymize_image

    _, rgb, plate, _ = scene
    big = np.asarray(Image.fromarray(rgb).resize((rgb.shape[1] * 2, rgb.shape[0] * 2), Image.Resampling.LANCZOS))
    box = tuple(2 * v for v in plate)  # a 48 px plate: its box is read, not covered unread as a small one
    turn, moved = TURNINGS[turning]
    turned = np.ascontiguousarray(turn(big))
    out, _ = anonymize_image(turned, Options(cover=("plate",)))
    assert covered_share(turned, out, moved(box, big.shape[1], big.shape[0])) >= 0.8


@pytest.mark.parametrize("turning", TURNED)
def test_shared_plate_photos_turned_or_mirrored_are_covered(turning):
    """Every 9th photo of the plate set (12), turned: at least 11 covered each way (measured 12, 12, 11, 12;
    5, 5, 6 and 10 before turned reads)."""
    from unseen import anonymize_image

    folder = shared_path("plates_openalpr_eu")
    turn, moved = TURNINGS[turning]
    covered = 0
    for label in [p for p in sorted(folder.glob("*.txt")) if p.name != "README.txt"][::9]:
        f, x, y, w, h, _ = label.read_text().rstrip("\n").split("\t")
        rgb = read_rgb(folder / f)
        turned = np.ascontiguousarray(turn(rgb))
        out, _ = anonymize_image(turned, Options(cover=("plate",)))
        box = moved((int(x), int(y), int(w), int(h)), rgb.shape[1], rgb.shape[0])
        covered += covered_share(turned, out, box) >= 0.8
    assert covered >= 11


def test_a_turned_read_counts_only_when_confident(monkeypatch):
    """The recogniser reads capitals into ordinary lines read the wrong way round: a photo agency's watermark,
    searched inside, read flipped as a vanity plate at 0.60 and 7% of a WIDER photo went grey. A turned read
    replaces the upright one only at ``plates.TURNED_CONF`` or more (turned plates read at 0.84-1.00 but one)."""
    from unseen.detect import plates, reader

    quads = np.array([[[0, 0], [120, 0], [120, 40], [0, 40]]], np.float32)  # a line, 3:1
    for conf, kept in ((0.6, False), (0.9, True)):
        monkeypatch.setattr(reader, "read_turned", lambda rgb, q, conf=conf: [[("", 0.1), ("LADSIA", conf), ("", 0.2)]])
        reads = {0: ("", 0.3)}
        plates.read_turned([np.zeros((40, 120, 3), np.uint8)], quads, [reads], [0])
        assert (reads[0] == ("LADSIA", conf)) is kept


@pytest.mark.parametrize("lines", [("M AB", "123"), ("AB12", "CDE"), ("ZH", "123456")])
def test_a_plates_short_lines_are_covered(lines, tmp_path, capsys):
    """The detector boxes each line of a two-line plate apart; lines of fewer than 4 letters or digits
    read as no plate on their own, and a motorcycle's whole plate stayed readable."""
    rgb = np.asarray(Image.open(BASE).convert("RGB")).copy()
    boxes = draw_plate_lines(rgb, 300, 150, 30, lines)
    src = tmp_path / "moto.png"
    Image.fromarray(rgb).save(src)
    code, _, err = run(capsys, str(src), "-o", str(tmp_path / "out.png"))
    assert code == 0, err
    out = read_rgb(tmp_path / "out.png")
    assert [round(covered_share(rgb, out, box), 2) for box in boxes] == [1.0] * len(lines)


def test_short_reads_count_as_a_plate_only_beside_one_or_together():
    """``plates.plate_parts`` on boxes as the detector gave them: "J" boxed at 26 px beside the 62 px box
    of "123"; a sign's capitals with no digit stay a sign; a short read alone stays visible."""
    from unseen.detect import plates

    def quad(x0, y0, x1, y1):
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]

    tb = plates.TextBoxes(("plate",))
    plate = np.array([quad(435, 343, 466, 378), quad(455, 327, 569, 391)], np.float32)
    assert tb.verdicts(plate, {1: ("123", 0.99)}) == ["plate", "plate"]
    sign = np.array([quad(0, 0, 120, 40), quad(0, 44, 120, 84), quad(0, 88, 120, 128)], np.float32)
    assert tb.verdicts(sign, {0: ("RAY", 0.99), 1: ("ROY", 0.99), 2: ("BOX", 0.99)}) == [None, None, None]
    assert tb.verdicts(plate[1:], {0: ("123", 0.99)}) == [None]
    # A box over a whole video frame read as one letter is no group of the small plate box inside it
    # (lp-s13: 91% of 26 frames filled).
    frame = np.array([quad(-167, -200, 861, 1290), quad(520, 500, 585, 537)], np.float32)
    assert tb.verdicts(frame, {0: ("N", 0.9)}) == [None, "plate"]
    stacked = np.array([quad(0, 0, 120, 40), quad(0, 44, 120, 84)], np.float32)
    assert tb.verdicts(stacked, {0: ("M AB", 0.99), 1: ("123", 0.99)}) == ["plate", "plate"]
    assert tb.verdicts(stacked, {0: ("M AB", 0.99), 1: ("123", 0.3)}) == [None, None]  # not confident


def _banner(name: str, x: int, y: int, scale: float = 0.8, board: int = 245, letters: int = 20,
            upright: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The fixture photo with a name banner in a script the recogniser does not read (a committed 1-bit
    rendering of Noto's, tests/fixtures/scripts), its letters 32 px tall in grey ``letters`` on a board of grey
    ``board`` (``upright``: turned to run down, as Korean and Japanese banners do), pasted at (x, y); and the mask
    of its ink in the photo's pixels."""
    rgb = np.asarray(Image.open(BASE).convert("RGB")).copy()
    banner = Image.open(FIXTURES / "scripts" / f"{name}.png").convert("L")
    banner = banner.resize((round(banner.width * scale), round(banner.height * scale)), Image.LANCZOS)
    ink = np.asarray(banner) < 128
    ink = np.rot90(ink, -1) if upright else ink
    h, w = ink.shape
    rgb[y : y + h, x : x + w] = np.where(ink[..., None], letters, board)
    where = np.zeros(rgb.shape[:2], bool)
    where[y : y + h, x : x + w] = ink
    return rgb, where


@pytest.mark.parametrize("name", ["arabic_banner", "devanagari_banner"])
def test_text_mode_covers_a_line_the_reader_cannot_read(name, tmp_path, capsys):
    """The recogniser reads Latin, Chinese and Cyrillic; an Arabic or Devanagari name banner read as
    nothing was left in plain view with --cover text, and verify passed it (a hunt, 2026-12-06)."""
    rgb, ink = _banner(name, 130, 250)
    path = tmp_path / f"{name}.png"
    Image.fromarray(rgb).save(path)
    code, _, err = run(capsys, str(path), "-o", str(tmp_path / "text"), "--cover", "faces,plates,text")
    assert code == 0, err
    out = read_rgb(tmp_path / "text" / path.name)
    assert (np.abs(out.astype(np.int16) - rgb).max(2) > TOL)[ink].mean() >= 0.95
    # the reader adversary cannot read it either: it fails a copy, passes the output
    _, still = verify.text_check(rgb, rgb.copy(), ("face", "plate", "text"))
    assert any(r.get("unread") and set(r) == {"box", "unread"} for r in still)
    assert verify.text_check(rgb, out, ("face", "plate", "text"))[1] == []
    assert verify.text_check(rgb, rgb.copy())[1] == []  # plates only: a sign, as masking leaves it


def test_text_mode_covers_an_unread_line_running_down(tmp_path, capsys):
    """Korean, Japanese and Mongolian banners run down: text mode took only level lines for unread ones for a
    while, and a vertical Korean name banner was written untouched (a review, 2026-12-06)."""
    rgb, ink = _banner("arabic_banner", 230, 20, upright=True)
    path = tmp_path / "upright.png"
    Image.fromarray(rgb).save(path)
    code, _, err = run(capsys, str(path), "-o", str(tmp_path / "text"), "--cover", "faces,plates,text")
    assert code == 0, err
    out = read_rgb(tmp_path / "text" / path.name)
    assert (np.abs(out.astype(np.int16) - rgb).max(2) > TOL)[ink].mean() >= 0.95


def test_verify_sees_faint_letters_left(tmp_path):
    """Letters 20 levels above their board are readable: verify took them for no letters and passed an
    untouched copy (a review, 2026-12-06)."""
    rgb, ink = _banner("arabic_banner", 130, 250, board=110, letters=130)
    rgb[:] = np.where(ink[..., None], 130, 110)  # the banner alone on a wall of its board's grey
    _, still = verify.text_check(rgb, rgb.copy(), ("face", "plate", "text"))
    assert any(r.get("unread") for r in still)


def test_verify_takes_a_banner_on_a_grey_board_covered_by_the_grey_fill(tmp_path, capsys):
    """The fill (grey 128) over a board of that grey changes the letters only: verify took the line as left
    uncovered and refused a correct output (a review, 2026-12-06). It judges the letters."""
    rgb, _ = _banner("arabic_banner", 130, 250, board=128)
    path = tmp_path / "grey.png"
    Image.fromarray(rgb).save(path)
    code, _, err = run(capsys, str(path), "-o", str(tmp_path / "out"), "--cover", "faces,plates,text")
    assert code == 0, err
    out = read_rgb(tmp_path / "out" / path.name)
    _, still = verify.text_check(rgb, rgb.copy(), ("face", "plate", "text"))
    assert any(r.get("unread") for r in still)  # unmasked, it is left
    assert verify.text_check(rgb, out, ("face", "plate", "text"))[1] == []


def test_a_chinese_placard_is_no_vanity_plate(tmp_path, capsys):
    """Chinese has no lower case: a one-line placard of 4-10 characters read as a vanity plate and was
    covered by default, where a Latin one stays visible ("text is opt-in"; a hunt, 2026-12-06)."""
    rgb, ink = _banner("chinese_placard", 90, 250)
    path = tmp_path / "placard.png"
    Image.fromarray(rgb).save(path)
    for cover, least, most in (("faces,plates", 0.0, 0.5), ("faces,plates,text", 0.95, 1.0)):
        code, _, err = run(capsys, str(path), "-o", str(tmp_path / cover), "--cover", cover)
        assert code == 0, err
        out = read_rgb(tmp_path / cover / path.name)
        assert least <= (np.abs(out.astype(np.int16) - rgb).max(2) > TOL)[ink].mean() <= most, cover
