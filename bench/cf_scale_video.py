"""CenterFace at a smaller scale on large video frames: does a face slip, and what does it save?

Why synthetic clips: the shared clips hold one 1080p clip with people (facenet, a few faces of 60-200 px),
so a change to how video searches large frames cannot be judged on small faces with them. These clips are
made of real crowd photos from the calibration folders (ultralight's, never WIDER's): four 1024 px wide
crowd photos at their own pixels in a 2 x 2 mosaic (2048 x 1471-1792), filmed by a 1920 x 1080 window that
pans across it from corner to corner (FRAMES frames at 30 fps: 2 px a frame across and 7-12 down, a
handheld pan over a crowd; x264 crf 18, yuv420p, as a phone would store it). Every face keeps its own size,
the 10-20 px ones included.

Markers are the slip table's (``video_common``: the float CenterFace at 2x, >= 0.4, >= 6 px, widened to the
1x pass's box of the same face), found once on the mosaic and moved with the window; a face counts in a
frame when its box lies inside it. A (frame, marked face) with < 70% of its box changed by more than 24 in
the output is a slip (the slip table's test, ``video_bench.covered_fraction``: pixels of the box already within 24
of the fill's grey are not counted); "outside" is the share of the frame changed outside the marked
faces padded to the head (``video_common.marker_mask``).

unseen runs as a child with ``schedule.LARGE_FRAME_CF_SCALE`` set to each value compared, ``--cover faces``
and by default, ``--repeat`` interleaved rounds for its CPU; the facenet clip is added for the cost on a real
1080p clip (its slips: the slip table, ``video_bench.py slips --clips facenet``).

Usage: ``python bench/cf_scale_video.py [--scales 1.0,0.75] [--repeat 3] [--write-md]``
(needs ../shared/data, or UNSEEN_SHARED).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import video_bench  # noqa: E402
from video_common import (  # noqa: E402
    COVER_FRACTION,
    MARKER_MIN_SIZE,
    MARKER_THRESHOLD,
    OUT,
    SHARED,
    changed_pixels,
    clip_path,
    frames,
    heads_detector,
    marker_detector,
    marker_mask,
    widened,
)

HEADING = "## Video: CenterFace at a smaller scale on large frames (bench/cf_scale_video.py)"
WORK = OUT / "cf_scale"
PHOTOS = "ultralight_face_linzaer/imgs"
WINDOW = (1920, 1080)
FRAMES = 60
SETTINGS = {"faces only": ["--cover", "faces"], "default": []}
CHILD = ("import sys; import unseen.detect.schedule as s; s.LARGE_FRAME_CF_SCALE = float(sys.argv[1]); "
         "import unseen.cli; sys.exit(unseen.cli.main(sys.argv[2:]))")


def mosaics() -> list[list[Path]]:
    """Groups of four crowd photos 1024 px wide and at least 540 px tall (two rows cover 1080), by name."""
    from PIL import Image

    ok = []
    for p in sorted((SHARED / PHOTOS).glob("*.jpg"), key=lambda q: int(q.stem) if q.stem.isdigit() else 0):
        with Image.open(p) as im:
            if im.size[0] == 1024 and im.size[1] >= 540:
                ok.append(p)
    return [ok[i:i + 4] for i in range(0, len(ok) - 3, 4)]


def canvas(group: list[Path]) -> np.ndarray:
    """The four photos in two rows of two, at their own pixels (grey where a row's photos differ in height)."""
    from PIL import Image

    pics = [np.asarray(Image.open(p).convert("RGB")) for p in group]
    rows = [pics[:2], pics[2:]]
    heights = [max(a.shape[0] for a in r) for r in rows]
    out = np.full((sum(heights), 2048, 3), 128, np.uint8)
    y = 0
    for r, h in zip(rows, heights, strict=True):
        x = 0
        for a in r:
            out[y:y + a.shape[0], x:x + a.shape[1]] = a
            x += a.shape[1]
        y += h
    return out


def offsets(shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """The window's top-left corner in each frame: a straight pan from one corner to the other."""
    dx, dy = shape[1] - WINDOW[0], shape[0] - WINDOW[1]
    return [(round(dx * i / (FRAMES - 1)), round(dy * i / (FRAMES - 1))) for i in range(FRAMES)]


def make_clip(k: int, group: list[Path]) -> tuple[Path, dict[int, np.ndarray]]:
    """The clip (written once) and its marked faces by frame (cached beside it)."""
    import av

    clip, marks_file = WORK / f"crowd{k}.mp4", WORK / f"crowd{k}.markers.json"
    if clip.exists() and marks_file.exists():
        doc = json.loads(marks_file.read_text())
        return clip, {int(i): np.array(b, np.float32).reshape(-1, 4) for i, b in doc["marks"].items()}
    WORK.mkdir(parents=True, exist_ok=True)
    big = canvas(group)
    found = marker_detector().detect(big)
    heads = heads_detector().detect(big)
    keep = (found.scores >= MARKER_THRESHOLD) & (np.minimum(found.widths, found.heights) >= MARKER_MIN_SIZE)
    rows_1x = [[0, *map(float, b), float(s)] for b, s in zip(heads.boxes, heads.scores, strict=True)]
    boxes = widened({0: found.boxes[keep]}, rows_1x, MARKER_THRESHOLD).get(0, np.zeros((0, 4), np.float32))
    marks: dict[int, np.ndarray] = {}
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height = WINDOW
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "preset": "veryfast"}
        for i, (x, y) in enumerate(offsets(big.shape)):
            window = np.ascontiguousarray(big[y:y + WINDOW[1], x:x + WINDOW[0]])
            for packet in stream.encode(av.VideoFrame.from_ndarray(window, format="rgb24")):
                out.mux(packet)
            moved = boxes - np.array([x, y, x, y], np.float32)
            inside = (moved[:, 0] >= 0) & (moved[:, 1] >= 0) & (moved[:, 2] <= WINDOW[0]) & (moved[:, 3] <= WINDOW[1])
            marks[i] = moved[inside]
        for packet in stream.encode():
            out.mux(packet)
    marks_file.write_text(json.dumps({"photos": [p.name for p in group],
                                      "marks": {i: b.round(1).tolist() for i, b in marks.items()}}))
    return clip, marks


def run(scale: float, setting: str, clip: Path) -> tuple[tuple[float, float, float, int], Path]:
    """One unseen run on ``clip`` at ``scale``: its figures and its output (kept until the next such run)."""
    dst = WORK / "out" / f"{clip.stem}-{scale}-{setting.replace(' ', '_')}"
    r, _ = benchlib.run_into([sys.executable, "-c", CHILD, str(scale), str(clip), "-o", str(dst), "--force", "-q",
                              *SETTINGS[setting]], dst)
    if r[3] != 0:
        raise SystemExit(f"unseen failed on {clip.name} at scale {scale} ({setting})")
    return r, dst / clip.name


def score(clip: Path, out: Path, marks: dict[int, np.ndarray]) -> tuple[int, int, float, list[str]]:
    """Marked faces, slips, mean share of the frame changed outside the marked faces, and each slip."""
    faces = slips = 0
    outside: list[float] = []
    where: list[str] = []
    for f, g in zip(frames(clip), frames(out), strict=True):
        changed = changed_pixels(f.rgb, g.rgb)
        boxes = marks.get(f.index, np.zeros((0, 4), np.float32))
        for b in boxes:
            faces += 1
            if video_bench.covered_fraction(f.rgb, g.rgb, b, video_bench.FILL["unseen"]) < COVER_FRACTION:
                slips += 1
                x1, y1, x2, y2 = (round(float(x)) for x in b)
                where.append(f"frame {f.index} {x2 - x1}x{y2 - y1} at ({x1}, {y1})")
        outside.append(float((changed & ~marker_mask(boxes, changed.shape)).mean()))
    return faces, slips, float(np.mean(outside)), where


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--scales", default="1.0,0.75")
    p.add_argument("--repeat", type=int, default=3, help="rounds for the facenet clip's CPU")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    if not (SHARED / PHOTOS).is_dir():
        raise SystemExit(f"{SHARED / PHOTOS}: missing (../shared/data, or UNSEEN_SHARED)")
    scales = [float(s) for s in args.scales.split(",")]
    header = benchlib.run_header(benchlib.machine())
    clips = [make_clip(k, g) for k, g in enumerate(mosaics())]
    rows, notes = [], []
    for setting in SETTINGS:
        for scale in scales:
            faces = slips = 0
            outside, cpu = [], []
            for clip, marks in clips:
                r, out = run(scale, setting, clip)
                n, s, o, where = score(clip, out, marks)
                faces, slips = faces + n, slips + s
                outside.append(o)
                cpu.append(r[1])
                notes += [f"- {clip.stem}, {setting}, scale {scale}: {w}" for w in where]
                print(f"{setting} {scale} {clip.stem}: {s}/{n} slips, outside {100 * o:.2f}%, CPU {r[1]:.1f} s",
                      flush=True)
            rows.append([setting, scale, f"{slips} / {faces}", f"{100 * np.mean(outside):.2f}%", f"{sum(cpu):.1f}"])
    facenet = {(st, sc): [] for st in SETTINGS for sc in scales}
    for _ in range(args.repeat):  # interleaved rounds
        for setting in SETTINGS:
            for scale in scales:
                r, _ = run(scale, setting, clip_path("facenet"))
                facenet[(setting, scale)].append(r)
                benchlib.say_run(f"facenet {setting} {scale}", "unseen", r)
    lines = [*header, "", __doc__.split("\n\n")[1].replace("\n", " "), "",
             f"Crowd clips: {len(clips)} ({', '.join(c.stem for c, _ in clips)}), {FRAMES} frames each, 1920 x 1080.",
             "",
             "| setting | CenterFace scale on frames >= 1.5 MP | slips / marked faces (crowd clips) | changed outside "
             "the marks, mean | CPU s, crowd clips | facenet wall / CPU s, median | facenet CPU vs 1.0 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        runs = facenet[(row[0], row[1])]
        base = statistics.median(r[1] for r in facenet[(row[0], scales[0])])
        cpu = statistics.median(r[1] for r in runs)
        wall = statistics.median(r[0] for r in runs)
        lines.append(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]} | {row[4]} | {wall:.1f} / {cpu:.1f} | "
                     f"{cpu / base:.2f}x |")
    lines += ["", "Slips, each (clip, setting, scale: frame, box):" if notes else "No slip at any scale.", *notes]
    benchlib.emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
