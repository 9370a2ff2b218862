"""Video benchmark: frames where a face slips through (unseen vs deface), speed, and memory.

Slips, tool-agnostic (only pixels are compared, as in bench/protection.py):

* **markers**: a slow high-recall pass over every frame of the *original* clip marks the faces:
  unseen's CenterFace backend at 2x scale (tiled, plus a whole-frame overview pass), score
  >= MARKER_THRESHOLD, kept when the marker itself sees the face in at least MARKER_PERSIST of the
  frames within +-2 of it (a one-frame blob on a texture is not a face; a face the *tools* see in
  one frame only is exactly what we want to count, and the marker is a different, stronger pass).
  Markers are cached in bench/out/video/markers/NAME.json.
* each tool is run on each clip as a user would (its CLI); the output is decoded frame by frame in
  lockstep with the original (same frame count required: a tool that drops frames is an error);
* a pixel is *changed* when the largest absolute RGB difference exceeds TOL (24, as for photos);
  a marked face counts as **covered** in a frame when >= COVER_FRACTION (70%) of its box changed;
  every (frame, marked face) below that is a **slip**. Pixels of the original within TOL of the
  tool's fill colour (deface: black, unseen: grey) cannot change visibly under it, so they are left
  out of that tool's fraction.

Speed on the facenet clip (1080p, 105 frames): unseen, deface and the ceiling (one decode + the
same RGB round trip + unseen's encoder, no detection) are run side by side in rounds; each run is a
fresh process, timed wall clock and CPU (user+sys of the child). Medians and per-round ratios.

Memory: peak RSS of ``unseen`` on the facenet clip re-encoded at 1x and looped to 4x its length,
each measured by a fresh parent process (ru_maxrss of RUSAGE_CHILDREN).

Usage::

    python bench/video_bench.py markers            # slow, cached
    python bench/video_bench.py slips [--tools unseen,deface] [--clips NAME,...]
    python bench/video_bench.py speed [--repeat 3]
    python bench/video_bench.py rss
    python bench/video_bench.py all --write-md     # everything, then docs/BENCHMARKS.md "## Video ..."
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from benchlib import command_line, git_revision, machine, write_md  # noqa: E402

SHARED = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))
OUT = REPO / "bench" / "out" / "video"
DEFACE_BIN = REPO / "bench" / ".venv-deface" / "bin" / "deface"
UNSEEN_BIN = Path(sys.executable).parent / "unseen"

# Every clip in the shared corpus that has people in it (README "video" row), plus the two phone
# clips with GPS. Names are the keys used in the tables.
CLIPS: dict[str, str] = {
    "facenet": "facenet_pytorch_timesler/examples/video.mp4",
    "hamilton": "face_recognition_ageitgey/examples/short_hamilton_clip.mp4",
    "mot20": "dlib_examples/dlib/test/ffmpeg_data/MOT20-05-raw_even_shorter.mp4",
    "intel-one-by-one": "intel_sample_videos/one-by-one-person-detection.mp4",
    "gps-mov": "metadata_extractor_images_drewnoakes/mov/with-gps.mov",
    "gps-mp4": "metadata_extractor_images_drewnoakes/mp4/with-gps.mp4",
    "xmp480qt": "metadata_extractor_images_drewnoakes/mov/xmp480qt.mov",
    **{f"lp-{n}": f"liveportrait_kwaivgi/assets/examples/driving/{n}.mp4"
       for n in ("d3", "d6", "d10", "d11", "d12", "d14", "d18", "d19", "d20")},
    **{f"lp-{n}": f"liveportrait_kwaivgi/assets/examples/source/{n}.mp4"
       for n in ("s13", "s18", "s20", "s29", "s32")},
}
SPEED_CLIP = "facenet"

MARKER_SCALE = 2.0
MARKER_STORE = 0.2  # scores stored in the cache (re-threshold without re-running)
MARKER_THRESHOLD = 0.4
MARKER_PERSIST = 2  # marker must see the face in >= this many of the 5 frames t-2..t+2
MARKER_MIN_SIZE = 6.0  # px (original frame): smaller boxes are not counted as faces
MAX_FRAMES = 10**9  # slips: every frame of every clip is marked and scored
TUNE_FRAMES = 150  # schedule tuning caches every candidate pass, so only the first frames of each clip
TOL = 24
COVER_FRACTION = 0.70


# ---------------------------------------------------------------------------------------------
# Decoding (unseen's strict reader: upright frames, same orientation rules as the tool)
# ---------------------------------------------------------------------------------------------

def frames(path: Path):
    from unseen.media.video_read import Reader, open_input
    from unseen.media.video_read import video_stream as _video_stream

    with open_input(path) as c:
        yield from Reader(c, _video_stream(c)).video_frames()


def clip_path(name: str) -> Path:
    return SHARED / CLIPS[name]


# ---------------------------------------------------------------------------------------------
# Markers
# ---------------------------------------------------------------------------------------------

def marker_file(name: str) -> Path:
    return OUT / "markers" / f"{name}.json"


def compute_markers(name: str, old: dict | None = None) -> dict:
    """Mark every frame (up to MAX_FRAMES); ``old``: a cache covering the first frames, extended."""
    from unseen.detect.ensemble import Detector, Pass

    det = Detector(passes=(Pass("centerface", MARKER_SCALE, MARKER_STORE),))
    rows = list(old["boxes"]) if old else []
    n = done = old["frames"] if old else 0
    size = tuple(old["size"]) if old else (0, 0)
    t0 = time.perf_counter() - (old["seconds"] if old else 0.0)
    for f in frames(clip_path(name)):
        if f.index >= MAX_FRAMES:
            break
        if f.index < done:
            continue
        r = det.detect(f.rgb)
        size = (f.rgb.shape[1], f.rgb.shape[0])
        for b, s in zip(r.boxes, r.scores, strict=True):
            rows.append([f.index, *(round(float(x), 1) for x in b), round(float(s), 3)])
        n += 1
    doc = {"clip": CLIPS[name], "frames": n, "size": size, "scale": MARKER_SCALE, "store_threshold": MARKER_STORE,
           "seconds": round(time.perf_counter() - t0, 1), "boxes": rows}
    marker_file(name).parent.mkdir(parents=True, exist_ok=True)
    tmp = marker_file(name).with_suffix(".tmp")
    tmp.write_text(json.dumps(doc))
    tmp.replace(marker_file(name))  # atomic: a slips run may be reading it
    return doc


def clip_frames(name: str) -> int:
    return sum(1 for _ in frames(clip_path(name)))


def load_markers(name: str) -> dict:
    p = marker_file(name)
    if not p.exists():
        return compute_markers(name)
    doc = json.loads(p.read_text())
    if doc["frames"] < min(MAX_FRAMES, clip_frames(name)):  # an older cache of the first frames only
        doc = compute_markers(name, doc)
    return doc


# Markers looked at by eye and found not to be faces (clip -> first frame, last frame, box in clip
# pixels, what it is). Dropped from the marks of every tool and schedule alike; the slip table lists
# them. Only markers no tool covers reach this list: each was found as an unseen slip, then viewed
# (frame crop with the box drawn) before it was added.
NOT_FACES: dict[str, list[tuple[int, int, tuple[float, float, float, float], str]]] = {
    "mot20": [(0, 5, (24, 369, 106, 482), "floor, shadow and a leg at the left edge")],
    "lp-s29": [(78, 90, (80, 1166, 288, 1323), "a coffee cup's white lid in a hand")],
}


def not_face(name: str, frame: int, box: np.ndarray) -> bool:
    from unseen.regions import box_iou

    for first, last, ref, _ in NOT_FACES.get(name, ()):
        if first <= frame <= last and box_iou(np.array([box], np.float32), np.array([ref], np.float32))[0, 0] >= 0.5:
            return True
    return False


def marked_faces(doc: dict, threshold: float = MARKER_THRESHOLD,
                 persist: int = MARKER_PERSIST) -> dict[int, np.ndarray]:
    """frame index -> (k, 4) boxes of marked faces (threshold, size and persistence filters, and
    without the markers reviewed as not faces, ``NOT_FACES``)."""
    marks = _marked(doc, threshold, persist)
    name = {path: n for n, path in CLIPS.items()}.get(doc.get("clip", ""), "")
    if name in NOT_FACES:
        marks = {i: kept for i, b in marks.items()
                 if len(kept := np.array([x for x in b if not not_face(name, i, x)]).reshape(-1, 4))}
    return marks


def _marked(doc: dict, threshold: float, persist: int) -> dict[int, np.ndarray]:
    rows = np.array(doc["boxes"], np.float64).reshape(-1, 6)
    rows = rows[(rows[:, 5] >= threshold) & (np.minimum(rows[:, 3] - rows[:, 1], rows[:, 4] - rows[:, 2])
                                              >= MARKER_MIN_SIZE)]
    by_frame: dict[int, np.ndarray] = {}
    for i in np.unique(rows[:, 0]).astype(int):
        by_frame[i] = rows[rows[:, 0] == i, 1:5]
    if persist <= 1:
        return by_frame
    from unseen.regions import box_iou

    out: dict[int, np.ndarray] = {}
    for i, boxes in by_frame.items():
        seen = np.ones(len(boxes), int)
        for j in (i - 2, i - 1, i + 1, i + 2):
            if j in by_frame:
                seen += (box_iou(boxes.astype(np.float32), by_frame[j].astype(np.float32)) >= 0.3).any(1)
        keep = boxes[seen >= persist]
        if len(keep):
            out[i] = keep
    return out


# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------

def tool_output(tool: str, name: str) -> Path:
    return OUT / tool / f"{name}.mp4"


def tool_argv(tool: str, src: Path, dst: Path) -> list[str]:
    if tool == "unseen":
        return [str(UNSEEN_BIN), str(src), "-o", str(dst.parent / "_tmp"), "--force", "-q", "--json"]
    if tool == "unseen-faces":  # faces only, like deface (no plate/text row)
        return [*tool_argv("unseen", src, dst), "--cover", "faces"]
    if tool == "deface":
        return [str(DEFACE_BIN), "--replacewith", "solid", str(src), "-o", str(dst)]
    if tool == "ceiling":
        return [sys.executable, str(Path(__file__).resolve()), "ceiling-run", str(src), str(dst)]
    raise SystemExit(f"unknown tool {tool}")


@dataclass
class Timed:
    wall: float
    cpu: float
    rc: int
    stdout: str
    stderr: str


def run_timed(argv: list[str]) -> Timed:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, p.returncode, p.stdout, p.stderr)


def run_tool(tool: str, name: str, src: Path | None = None) -> Timed:
    src = src or clip_path(name)
    dst = tool_output(tool, name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    res = run_timed(tool_argv(tool, src, dst))
    if res.rc != 0:
        raise SystemExit(f"{tool} failed on {name}: {res.stderr.strip()[-500:]}")
    if tool.startswith("unseen"):  # -o DIR keeps the input's name; move it to the shared naming scheme
        made = dst.parent / "_tmp" / (src.stem + ".mp4")
        os.replace(made, dst)
    return res


def ceiling_run(src: Path, dst: Path) -> None:
    """One decode + unseen's encoder and muxer, exactly as unseen writes a frame with no face
    (decoded planes copied into a new frame): everything but detection, masks and the 2nd decode."""
    from unseen.media.video_read import Reader, open_input
    from unseen.media.video_read import video_stream as _video_stream
    from unseen.media.video_write import open_writer as _open_writer

    with open_input(src) as c:
        v = _video_stream(c)
        reader = Reader(c, v)
        writer = None
        first = None
        for f in reader.video_frames():
            if writer is None:
                writer = _open_writer(dst, "h264", f.size, v.time_base, v.average_rate, reader.color, None, None)
                first = f.pts
            planes = f.yuv420p()
            if planes is None or not writer.write_yuv420p(planes, f.pts - first, f.duration):
                writer.write_video(f.rgb, f.pts - first, f.duration)
        writer.finish()


# ---------------------------------------------------------------------------------------------
# Slips
# ---------------------------------------------------------------------------------------------

# Solid fill colour of each tool at the settings used: a pixel of the original already within TOL
# of it cannot visibly change under that tool's fill, so it is left out of that tool's fraction
# (black fill over black hair, grey fill over a grey wall). Without this, deface's black would lose
# dark pixels and unseen's grey mid-tones: the rule keeps the comparison even.
FILL = {"unseen": (128, 128, 128), "deface": (0, 0, 0), "ceiling": (128, 128, 128)}


def covered_fraction(orig: np.ndarray, out: np.ndarray, box: np.ndarray, fill=(0, 0, 0)) -> float:
    h, w = orig.shape[:2]
    x1, y1 = max(0, int(np.floor(box[0]))), max(0, int(np.floor(box[1])))
    x2, y2 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    if x2 <= x1 or y2 <= y1:
        return 1.0
    a = orig[y1:y2, x1:x2].astype(np.int16)
    b = out[y1:y2, x1:x2].astype(np.int16)
    visible = np.abs(a - np.array(fill, np.int16)).max(2) > TOL
    if not visible.any():
        return 1.0
    changed = np.abs(a - b).max(2) > TOL
    return float((changed & visible).sum() / visible.sum())


class _Matcher:
    """Output frame shown at each input frame's timestamp (nearest presentation time).

    unseen keeps every frame and timestamp, so this is frame i for frame i. deface re-times its
    output to a constant rate (imageio), so a variable-rate input gets duplicated or dropped frames
    there; comparing what a viewer *sees* at each input timestamp keeps both tools comparable.
    """

    def __init__(self, path: Path):
        self.it = frames(path)
        self.cur = next(self.it, None)
        self.nxt = next(self.it, None)
        self.count = (self.cur is not None) + (self.nxt is not None)

    def at(self, t: float):
        while self.nxt is not None and abs(self.nxt.time - t) <= abs(self.cur.time - t):
            self.cur, self.nxt = self.nxt, next(self.it, None)
            self.count += self.nxt is not None
        return self.cur

    def drain(self) -> int:
        self.count += sum(1 for _ in self.it)
        return self.count


def marker_mask(boxes, shape: tuple[int, int]) -> np.ndarray:
    """Pixels of the marked faces, each padded to the head as unseen pads a face (0.25 of the box per
    side, 35% more above): masking there is wanted. What a tool changes outside it is over-masking
    (or a face the markers did not see)."""
    h, w = shape
    m = np.zeros((h, w), bool)
    for b in boxes:
        bw, bh = b[2] - b[0], b[3] - b[1]
        x1, x2 = int(max(0, np.floor(b[0] - 0.25 * bw))), int(min(w, np.ceil(b[2] + 0.25 * bw)))
        y1, y2 = int(max(0, np.floor(b[1] - 0.25 * 1.35 * bh))), int(min(h, np.ceil(b[3] + 0.25 * bh)))
        m[y1:y2, x1:x2] = True
    return m


def score_slips(name: str, tool: str, marks: dict[int, np.ndarray]) -> dict:
    slips, faces, frames_with_slip = 0, 0, set()
    worst = []
    out = _Matcher(tool_output(tool, name))
    n = 0
    resized = False
    area, outside, scored = 0.0, 0.0, 0
    for f in frames(clip_path(name)):
        n += 1
        if f.index >= MAX_FRAMES:
            continue
        g = out.at(f.time)
        if g is None:
            raise SystemExit(f"{tool} output of {name} has no frames")
        out_rgb = g.rgb
        if out_rgb.shape != f.rgb.shape:
            # deface (imageio-ffmpeg) scales frames to multiples of 16 (1080 -> 1088 lines): scale
            # back. Anything larger than that rounding is an error, not something to paper over.
            dh, dw = out_rgb.shape[0] - f.rgb.shape[0], out_rgb.shape[1] - f.rgb.shape[1]
            if not (0 <= dh < 16 and 0 <= dw < 16):
                raise SystemExit(f"{tool} output of {name} is {g.rgb.shape}, input {f.rgb.shape}")
            from PIL import Image

            out_rgb = np.asarray(Image.fromarray(out_rgb).resize((f.rgb.shape[1], f.rgb.shape[0]), Image.BOX))
            resized = True
        changed = np.abs(f.rgb.astype(np.int16) - out_rgb.astype(np.int16)).max(2) > TOL
        area += float(changed.mean())
        outside += float((changed & ~marker_mask(marks.get(f.index, ()), changed.shape)).mean())
        scored += 1
        for box in marks.get(f.index, ()):
            faces += 1
            frac = covered_fraction(f.rgb, out_rgb, box, FILL.get(tool, (0, 0, 0)))
            if frac < COVER_FRACTION:
                slips += 1
                frames_with_slip.add(f.index)
                worst.append((round(frac, 2), f.index, [round(float(x)) for x in box]))
    worst.sort()
    return {"frames": n, "frames_out": out.drain(), "marked": faces, "slips": slips,
            "slip_frames": len(frames_with_slip), "examples": worst[:5], "resized": resized,
            "changed_area": round(area / max(scored, 1), 4), "outside_area": round(outside / max(scored, 1), 4)}


def slips(args) -> dict:
    names = args.clips.split(",") if args.clips else list(CLIPS)
    tools = args.tools.split(",")
    results: dict[str, dict] = {}
    for name in names:
        if not clip_path(name).exists():
            print(f"skip {name}: {clip_path(name)} missing", file=sys.stderr)
            continue
        doc = load_markers(name)
        marks = marked_faces(doc)
        results[name] = {"frames": doc["frames"], "size": doc["size"],
                         "marked": sum(len(b) for b in marks.values())}
        for tool in tools:
            if not args.reuse or not tool_output(tool, name).exists():
                t = run_tool(tool, name)
                results[name][f"{tool}_seconds"] = round(t.wall, 1)
            results[name][tool] = score_slips(name, tool, marks)
            r = results[name][tool]
            print(f"{name:18s} {tool:7s} frames {r['frames']:5d} marked {r['marked']:5d} slips {r['slips']:4d} "
                  f"in {r['slip_frames']} frames {r['examples'][:2]}", flush=True)
    old = json.loads((OUT / "slips.json").read_text()).get("clips", {}) if (OUT / "slips.json").exists() else {}
    doc = {"provenance": provenance(), "clips": {**old, **results} if args.clips else results}
    (OUT / "slips.json").write_text(json.dumps(doc, indent=1))
    return doc


# ---------------------------------------------------------------------------------------------
# Speed and memory
# ---------------------------------------------------------------------------------------------

SPEED_TOOLS = ("unseen", "unseen-faces", "deface", "ceiling")


def speed(args) -> dict:
    src = clip_path(SPEED_CLIP)
    n = sum(1 for _ in frames(src))
    rounds = []
    for r in range(args.repeat):
        row = {}
        for tool in SPEED_TOOLS:
            t = run_tool(tool, f"speed-{SPEED_CLIP}", src)
            row[tool] = {"wall": t.wall, "cpu": t.cpu}
            print(f"round {r + 1} {tool:7s} wall {t.wall:6.1f} s  cpu {t.cpu:6.1f} s  {n / t.wall:5.2f} fps",
                  flush=True)
        rounds.append(row)
    med = {tool: {k: statistics.median(r[tool][k] for r in rounds) for k in ("wall", "cpu")}
           for tool in SPEED_TOOLS}
    ratio = {
        "faces_vs_deface_wall": statistics.median(r["deface"]["wall"] / r["unseen-faces"]["wall"] for r in rounds),
        "faces_vs_deface_cpu": statistics.median(r["deface"]["cpu"] / r["unseen-faces"]["cpu"] for r in rounds),
        "unseen_vs_deface_wall": statistics.median(r["deface"]["wall"] / r["unseen"]["wall"] for r in rounds),
        "unseen_vs_deface_cpu": statistics.median(r["deface"]["cpu"] / r["unseen"]["cpu"] for r in rounds),
        "unseen_of_ceiling_wall": statistics.median(r["ceiling"]["wall"] / r["unseen"]["wall"] for r in rounds),
        "unseen_of_ceiling_cpu": statistics.median(r["ceiling"]["cpu"] / r["unseen"]["cpu"] for r in rounds),
    }
    res = {"clip": CLIPS[SPEED_CLIP], "frames": n, "rounds": rounds, "median": med, "ratios": ratio,
           "provenance": provenance()}
    (OUT / "speed.json").write_text(json.dumps(res, indent=1))
    return res


def loop_clip(src: Path, dst: Path, times: int) -> None:
    """Re-encode ``src`` ``times`` times back to back (near-lossless x264, crf 12), video only."""
    import av

    with av.open(str(src)) as c:
        v = c.streams.video[0]
        rate = v.average_rate or Fraction(25)
        arrs = [f.to_ndarray(format="yuv420p") for f in c.decode(v)]
        w, h = v.codec_context.width, v.codec_context.height
    with av.open(str(dst), "w") as out:
        s = out.add_stream("libx264", rate=rate)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.codec_context.options = {"crf": "12", "preset": "veryfast"}
        i = 0
        for _ in range(times):
            for a in arrs:
                fr = av.VideoFrame.from_ndarray(a, format="yuv420p")
                fr.pts = i
                fr.time_base = 1 / rate
                out.mux(s.encode(fr))
                i += 1
        out.mux(s.encode(None))


def peak_rss(argv: list[str], with_cpu: bool = False):
    """Peak RSS (KiB) of a command and its wall seconds (and CPU seconds with ``with_cpu``), measured
    by a fresh parent so earlier children don't count."""
    probe = ("import resource, subprocess, sys, time; t=time.perf_counter(); "
             "p = subprocess.run(sys.argv[1:], capture_output=True); r = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(r.ru_maxrss, time.perf_counter()-t, r.ru_utime + r.ru_stime, p.returncode)")
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    kib, secs, cpu, rc = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"command failed: {argv}")
    return (int(kib), float(secs), float(cpu)) if with_cpu else (int(kib), float(secs))


# Memory levers measured beside the default (rss --levers): detector px per video tile, and one
# detection thread instead of two. Each runs unseen's own code with one module constant changed.
RSS_LEVERS = {
    "default (tile 1536 px: CenterFace in 2 tiles of 1056 x 1080; 2 detection threads)": "",
    "CenterFace tiles <= 1 MP (3 strips of 768 x 1080)":
        "import unseen.detect.schedule as s; s.VIDEO_TILE_PIXELS = {'centerface': 1_000_000}",
    "tile 1024 px": "import unseen.detect.schedule as s; s.VIDEO_TILE = 1024",
    "1 detection thread": ("import functools, unseen.detect.schedule as s; s.VideoDetector.detect_all = "
                           "functools.partialmethod(s.VideoDetector.detect_all, workers=1)"),
}


def rss_levers(src: Path, repeat: int) -> dict:
    """Each lever ``repeat`` times, interleaved; medians and ranges (a single run's peak moves by
    100 MiB and more with which passes happen to overlap)."""
    runs: dict[str, list[tuple[int, float, float]]] = {label: [] for label in RSS_LEVERS}
    for r in range(repeat):
        for label, patch in RSS_LEVERS.items():
            code = f"{patch}\nimport sys\nfrom unseen.cli import main\nsys.exit(main(sys.argv[1:]))"
            got = peak_rss([sys.executable, "-c", code, str(src), "-o", str(OUT / "rss" / "out"), "--force", "-q"],
                           with_cpu=True)
            runs[label].append(got)
            print(f"round {r + 1} {label}: peak RSS {got[0] / 1024:.1f} MiB, {got[1]:.1f} s wall, {got[2]:.1f} s CPU",
                  flush=True)
    res = {}
    for label, got in runs.items():
        mib = [k / 1024 for k, _, _ in got]
        res[label] = {"peak_rss_mib": round(statistics.median(mib), 1), "min_mib": round(min(mib), 1),
                      "max_mib": round(max(mib), 1), "seconds": round(statistics.median(g[1] for g in got), 1),
                      "cpu": round(statistics.median(g[2] for g in got), 1), "runs": len(got)}
    return res


def rss(args) -> dict:
    src = clip_path(SPEED_CLIP)
    res = {}
    for k in (1, 4):
        looped = OUT / "rss" / f"{SPEED_CLIP}-x{k}.mp4"
        looped.parent.mkdir(parents=True, exist_ok=True)
        if not looped.exists():
            loop_clip(src, looped, k)
        n = sum(1 for _ in frames(looped))
        kib, secs = peak_rss([str(UNSEEN_BIN), str(looped), "-o", str(OUT / "rss" / "out"), "--force", "-q"])
        res[f"x{k}"] = {"frames": n, "peak_rss_mib": round(kib / 1024, 1), "seconds": round(secs, 1)}
        print(f"x{k}: {n} frames, peak RSS {kib / 1024:.1f} MiB, {secs:.1f} s", flush=True)
    doc = {"provenance": provenance(), "runs": res}
    if args.levers:
        doc["levers"] = rss_levers(src, args.repeat)
    (OUT / "rss.json").write_text(json.dumps(doc, indent=1))
    return doc


# ---------------------------------------------------------------------------------------------
# Tuning: choose the detection schedule by simulation (cached per-pass detections, no pixels)
# ---------------------------------------------------------------------------------------------

CANDIDATES = {  # name -> (backend, scale, stored threshold)
    "cf1": ("centerface", 1.0, 0.05), "cf05": ("centerface", 0.5, 0.05),
    "rf1": ("retinaface", 1.0, 0.1), "rf05": ("retinaface", 0.5, 0.1), "rf2": ("retinaface", 2.0, 0.1),
}


def pass_file(name: str) -> Path:
    return OUT / "passes" / f"{name}.json"


def compute_passes(name: str) -> dict:
    """Every candidate pass on every scored frame; boxes, scores and CPU seconds per pass."""
    from unseen.detect.ensemble import BACKENDS, Detector

    backends = {b: BACKENDS[b]() for b in ("centerface", "retinaface")}
    doc = {"clip": CLIPS[name], "times": [], "cpu": {k: 0.0 for k in CANDIDATES}, "boxes": {k: [] for k in CANDIDATES}}
    for f in frames(clip_path(name)):
        if f.index >= TUNE_FRAMES:
            break
        doc["times"].append(f.time)
        for k, (b, scale, thr) in CANDIDATES.items():
            t0 = time.process_time()
            r = Detector.run_pass(f.rgb, backends[b], scale, thr)
            doc["cpu"][k] += time.process_time() - t0
            doc["boxes"][k] += [[f.index, *(round(float(x), 1) for x in bb), round(float(sc), 3)]
                                for bb, sc in zip(r.boxes, r.scores, strict=True)]
    doc["size"] = [f.rgb.shape[1], f.rgb.shape[0]]
    pass_file(name).parent.mkdir(parents=True, exist_ok=True)
    pass_file(name).write_text(json.dumps(doc))
    return doc


def simulate(name: str, schedule: list[tuple[str, float, float]], hold: float = 0.5, pad: float | None = None,
             threshold: float = MARKER_THRESHOLD, min_score: float = 0.0, single_hold: float | None = None,
             big_min_score: float = 0.0, big_size: float = 0.0) -> dict:
    """Geometric slip count for a schedule [(pass, threshold, period s)]: marked boxes whose area
    is < 70% inside the padded ellipses the tracker would mask. Plus the schedule's CPU cost.

    Precision levers tried on top of a schedule (not in unseen): ``min_score`` drops tracks whose best
    detection scores below it; ``single_hold`` holds tracks seen only once for that long instead of
    ``hold``; ``big_min_score`` drops only tracks whose best score is below it *and* whose median box
    side is at least ``big_size`` px (a big face scores high; the low-score big boxes are the large
    ellipses on pavement and backs of heads, while a tiny face may never score high)."""
    from unseen.mask import region_mask
    from unseen.options import DEFAULT_PAD
    from unseen.regions import Regions
    from unseen.track import Coverage, Tracker

    pad = DEFAULT_PAD if pad is None else pad
    doc = json.loads(pass_file(name).read_text())
    marks = marked_faces(load_markers(name), threshold)
    times = doc["times"]
    w, h = doc["size"]
    per = {k: np.array(v, np.float32).reshape(-1, 6) for k, v in doc["boxes"].items()}
    last = [-1e9] * len(schedule)
    tracker = Tracker()
    runs = {k: 0 for k in CANDIDATES}
    for i, t in enumerate(times):
        found = []
        for j, (k, thr, period, *rest) in enumerate(schedule):
            phase, max_face = (list(rest) + [0.0, 0.0])[:2]  # optional: phase s, max face px (0 = any)
            if period > 0 and (t - last[j] < period - 1e-6 or t < phase - 1e-6):
                continue
            last[j] = t
            runs[k] += 1
            r = per[k][(per[k][:, 0] == i) & (per[k][:, 5] >= thr)]
            if max_face:
                r = r[np.maximum(r[:, 3] - r[:, 1], r[:, 4] - r[:, 2]) < max_face]
            found.append(Regions.from_boxes(r[:, 1:5], r[:, 5]))
        tracker.update(t, Regions.concat(found).nms(0.35))
    tracks = [tr for tr in tracker.finish() if tr.score >= min_score]
    if big_min_score:
        tracks = [tr for tr in tracks if tr.score >= big_min_score or float(np.median(
            [max(b[2] - b[0], b[3] - b[1]) for b in tr.boxes])) < big_size]
    if single_hold is None:
        covs = [Coverage(tracks, hold)]
    else:
        covs = [Coverage([tr for tr in tracks if len(tr.times) > 1], hold),
                Coverage([tr for tr in tracks if len(tr.times) == 1], single_hold)]
    slips_, total = 0, 0
    masked, outside = 0.0, 0.0
    examples = []
    for i, t in enumerate(times):
        regions = Regions.concat([c.at(t) for c in covs]).padded(pad, w, h)
        m = np.zeros((h, w), bool)
        for b in regions.boxes:
            x1, y1, x2, y2 = int(np.floor(b[0])), int(np.floor(b[1])), int(np.ceil(b[2])), int(np.ceil(b[3]))
            if x2 > x1 and y2 > y1:
                m[y1:y2, x1:x2] |= region_mask((y2 - y1, x2 - x1), "ellipse")
        masked += float(m.mean())
        outside += float((m & ~marker_mask(marks.get(i, ()), (h, w))).mean())
        for b in marks.get(i, ()):
            x1, y1 = max(0, int(b[0])), max(0, int(b[1]))
            x2, y2 = min(w, int(np.ceil(b[2]))), min(h, int(np.ceil(b[3])))
            total += 1
            if x2 > x1 and y2 > y1 and m[y1:y2, x1:x2].mean() < COVER_FRACTION:
                slips_ += 1
                examples.append((i, [round(float(v)) for v in b]))
    n = len(times)
    cost = sum(doc["cpu"][k] / n * runs[k] / n for k in CANDIDATES)  # CPU s per frame
    return {"slips": slips_, "marked": total, "cpu_per_frame": cost, "deface_equiv": doc["cpu"]["cf1"] / n,
            "examples": examples[:6], "masked": masked / n, "outside": outside / n}


TUNE_SCHEDULES: dict[str, list[tuple]] = {  # label -> [(pass, threshold, period s, phase s, max face px)]
    "CenterFace 1x @0.2 every frame (deface's detector)": [("cf1", 0.2, 0)],
    "photo ensemble every frame (CF 1x @0.1 + RF 2x @0.15 small faces)": [("cf1", 0.1, 0), ("rf2", 0.15, 0, 0, 100.0)],
    "previous default: CF 1x @0.1 and RF 2x @0.15 (all sizes) taking turns, each every 0.3 s": [
        ("cf1", 0.1, 0.3, 0), ("rf2", 0.15, 0.3, 0.15)],
    "same, RF 2x keeping only faces < 100 px (as photos do)": [
        ("cf1", 0.1, 0.3, 0), ("rf2", 0.15, 0.3, 0.15, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.3 s": [("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.3, 0.075, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.45 s": [("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.6 s": [("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.6, 0.075, 100.0)],
    "CF 1x every 0.1 s, RF 2x < 100 px every 0.45 s": [("cf1", 0.1, 0.1, 0), ("rf2", 0.15, 0.45, 0.05, 100.0)],
    "CF 1x every 0.2 s, RF 2x < 100 px every 0.4 s": [("cf1", 0.1, 0.2, 0), ("rf2", 0.15, 0.4, 0.1, 100.0)],
    "CF 0.5x every 0.15 s, CF 1x every 0.45 s, RF 2x < 100 px every 0.45 s (cheaper CF)": [
        ("cf05", 0.1, 0.15, 0), ("cf1", 0.1, 0.45, 0.075), ("rf2", 0.15, 0.45, 0.225, 100.0)],
    "CF 0.5x every 0.2 s, CF 1x every 0.45 s, RF 2x < 100 px every 0.45 s": [
        ("cf05", 0.1, 0.2, 0), ("cf1", 0.1, 0.45, 0.1), ("rf2", 0.15, 0.45, 0.3, 100.0)],
    "CF 1x every 0.15 s, RF 2x < 100 px every 0.45 s, hold 0.25 s": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "hold=0.25"],
    # False-positive filters on the default schedule (issue 11's precision lever), not in unseen:
    "CF 1x every 0.15 s alone (where the grey comes from)": [("cf1", 0.1, 0.15, 0)],
    "default schedule, tracks seen once held 0.15 s (not 0.5 s)": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "single_hold=0.15"],
    "default schedule, tracks whose best score < 0.2 dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "min_score=0.2"],
    "default schedule, tracks whose best score < 0.25 dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "min_score=0.25"],
    "default schedule, tracks with best score < 0.4 and median side >= 32 px dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "big_min_score=0.4", "big_size=32"],
    "default schedule, tracks with best score < 0.5 and median side >= 24 px dropped": [
        ("cf1", 0.1, 0.15, 0), ("rf2", 0.15, 0.45, 0.075, 100.0), "big_min_score=0.5", "big_size=24"],
}


def tune(args) -> dict:
    names = [n for n in (args.clips.split(",") if args.clips else CLIPS) if pass_file(n).exists()]
    res: dict[str, dict] = {}
    for label, sched in TUNE_SCHEDULES.items():
        res[label] = {}
        opts = {"hold": 0.5, **{k: float(v) for k, v in (x.split("=") for x in sched if isinstance(x, str))}}
        sched = [x for x in sched if not isinstance(x, str)]
        for name in names:
            r = simulate(name, sched, **opts)
            res[label][name] = r
            print(f"{label[:50]:50s} {name:9s} slips {r['slips']:3d}/{r['marked']:4d} "
                  f"cpu {r['cpu_per_frame'] / r['deface_equiv']:.2f}x CF1x masked {r['masked']:.3f} "
                  f"outside {r['outside']:.3f}", flush=True)
    doc = {"clips": names, "results": res, "provenance": provenance()}
    (OUT / "tune.json").write_text(json.dumps(doc, indent=1))
    return doc


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def provenance() -> dict:
    return {"command": command_line(), "machine": machine(), "git": git_revision(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _prov(res: dict) -> str:
    p = res.get("provenance", {})
    return (f"Command: `{p.get('command', '?')}`  \nDate: {p.get('date', '?')}; machine: {p.get('machine', '?')}; "
            f"unseen git {p.get('git', '?')}.")


DESIGN = """Design, measured below: unseen reads a clip **twice** instead of buffering frames. Read 1 (a
thread) decodes every frame and runs the detection schedule, keeping only boxes; the tracker
(`src/unseen/track.py`) links them into tracks, bridges misses with the hull of the boxes on both
sides, and holds each track's mask 0.5 s before its first and after its last detection. Read 2 (the
main thread) decodes again and masks each frame with the boxes for its timestamp, trailing read 1
just far enough that no later detection can change them (`LiveCoverage.ready`: about 1 s of video,
up to 2.5 s while a face is being missed; a test checks the result equals two sequential passes).
Both reads and the encoder share the cores, and the schedule's passes on neighbouring frames run
on two threads. A look-ahead buffer would need every frame of the longest bridged gap in memory
(1080p: 6 MB a frame, 2 s of bridge = 300 MB at 25 fps); re-decoding costs ~13 ms CPU per 1080p
frame and keeps memory flat whatever the clip length (memory table). Detection is the cost that
matters, so the schedule is chosen by simulation on cached per-pass detections (first table), then
checked by running unseen itself on every clip (slip table). Self-check (re-detecting masked
frames) is not run for video: the slip measurement is the check."""


TUNE_NOTE = ("Costs are CPU time of the cached passes (CenterFace without its weights in the graph inputs: "
             "half its old cost, so RetinaFace 2x is now the expensive pass). The default adds a RetinaFace "
             "glance at 320 px on every frame (not in the cache, ~0.01x): insurance for big faces moving fast "
             "between strong passes. \"Masked outside marked faces\" is the share of the frame the padded "
             "ellipses cover beyond the marked faces padded to the head (geometry, first frames of each clip). "
             "The default is the row with 0 slips and the lowest cost that does not cover more outside the "
             "faces: CenterFace at 0.5x between full passes saves ~20% of the schedule's cost with 0 slips, "
             "but its looser boxes cover more outside the faces on most clips (hamilton, lp-s13, lp-s18 in "
             "the per-clip run) and a 0.2 s period already lets faces slip, so it was not taken. The cache holds "
             "the float RetinaFace's detections; on the CPU unseen now runs its int8 file (0.55x the CPU), "
             "checked on every clip by the slip table, which runs unseen itself. "
             "The last rows try false-positive filters on the default schedule. A score floor on tracks cuts "
             "MOT20's grey area by two thirds but leaves a marked face uncovered (a ~12 px face in the MOT20 crowd "
             "that CenterFace never scores above 0.19 and RetinaFace does not find); shorter holds for tracks "
             "seen once keep 0 slips but save little, and they take away the hold from exactly the faces the "
             "detectors are least sure of, which the markers (confident faces only) cannot show. Dropping "
             "only the big low-score tracks (best score under 0.4, median side 32 px or more: a big face scores "
             "high) keeps 0 slips but leaves MOT20 at ~27%; pushed to under 0.5 and 24 px it uncovers faces on "
             "facenet. MOT20's grey is mostly small low-score boxes on heads seen from above (16-32 px), which no "
             "score or size rule tells from small faces. None was taken: recall first. Where the grey goes on "
             "the worst clips: on MOT20, CenterFace at 0.1 on "
             "heads and backs seen from above (see the row with CenterFace alone); on "
             "hamilton and the LivePortrait close-ups, mostly the head around faces the markers box tightly "
             "(CenterFace at 2x returns an inner-face box on a face that fills the frame), which is coverage "
             "the brief asks for (padded to the head) rather than over-masking.")


def write_report(slip_res: dict | None, speed_res: dict | None, rss_res: dict | None,
                 tune_res: dict | None = None) -> None:
    note = ("The machine has 2 cores shared with other work (load average at start above), so wall "
            "times are noisy: each number is a median of side-by-side rounds, and CPU time (user+sys of "
            "the tool's processes) is given next to it as the steadier measure.")
    if tune_res:
        clips = tune_res["clips"]
        lines = [DESIGN, "", _prov(tune_res), "",
                 f"Schedule choice by simulation (`tune`): per-pass detections of the first {TUNE_FRAMES} frames of "
                 "each clip are cached (`passes`), then each schedule is replayed through unseen's tracker and the "
                 "marked faces are checked against the padded ellipses it would mask (geometry, no "
                 "pixels). Cost is the schedule's detector CPU time relative to CenterFace at 1x on "
                 "every frame (deface's detector).", "",
                 "| schedule | " + " | ".join(f"{c} slips" for c in clips)
                 + " | slips, all | masked outside marked faces (worst clip) | mot20 masked | cost vs CF 1x |",
                 "|---|" + "---:|" * len(clips) + "---:|---:|---:|---:|"]
        for label, per in tune_res["results"].items():
            cost = statistics.median(per[c]["cpu_per_frame"] / per[c]["deface_equiv"] for c in clips)
            worst = max(clips, key=lambda c: per[c].get("outside", 0))
            mot = f"{100 * per['mot20']['masked']:.1f}%" if "mot20" in per and "masked" in per["mot20"] else "-"
            lines.append(f"| {label} | " + " | ".join(f"{per[c]['slips']}/{per[c]['marked']}" for c in clips)
                         + f" | **{sum(per[c]['slips'] for c in clips)}** | "
                         f"{100 * per[worst].get('outside', 0):.1f}% ({worst}) | {mot} | {cost:.2f}x |")
        lines += ["", TUNE_NOTE]
        write_md("## Video: design and detection schedule (bench/video_bench.py tune)", "\n".join(lines))
    if slip_res:
        results = slip_res["clips"]
        made = [t for t in ("unseen", "deface") if any(f"{t}_seconds" in r for r in results.values())]
        kept = [t for t in ("unseen", "deface") if t not in made]
        reuse = ("With `--reuse`, a tool's output left by an earlier `slips` run is scored again instead of "
                 f"being made anew; this run made new outputs for {' and '.join(made) or 'no tool'} and scored "
                 f"the earlier outputs of {' and '.join(kept) or 'no tool'}, on every frame of every clip."
                 if "--reuse" in slip_res.get("provenance", {}).get("command", "") else "")
        lines = [_prov(slip_res), "", slip_method(), *(["", reuse] if reuse else []), "",
                 "| clip | frames | size | marked faces | unseen slips (frames) | deface slips (frames) "
                 "| changed area unseen / deface | changed outside marked faces unseen / deface |",
                 "|---|---:|---|---:|---:|---:|---:|---:|"]
        tot = {"unseen": 0, "deface": 0, "marked": 0}
        for name, r in results.items():
            cells = []
            for tool in ("unseen", "deface"):
                t = r.get(tool)
                cells.append(f"{t['slips']} ({t['slip_frames']})" if t else "-")
                tot[tool] += t["slips"] if t else 0
            area = " / ".join(f"{100 * r[t]['changed_area']:.1f}%" if t in r else "-" for t in ("unseen", "deface"))
            outside = " / ".join(f"{100 * r[t]['outside_area']:.1f}%" if "outside_area" in r.get(t, {}) else "-"
                                 for t in ("unseen", "deface"))
            tot["marked"] += r["marked"]
            notes = []
            d = r.get("deface", {})
            if d.get("frames_out", d.get("frames")) != d.get("frames"):
                notes.append(f"deface wrote {r['deface']['frames_out']} frames")
            lines.append(f"| {name}{' (' + '; '.join(notes) + ')' if notes else ''} | {r['frames']} | "
                         f"{r['size'][0]}x{r['size'][1]} | {r['marked']} | " + " | ".join(cells)
                         + f" | {area} | {outside} |")
        lines.append(f"| **all** | {sum(r['frames'] for r in results.values())} | | {tot['marked']} | "
                     f"**{tot['unseen']}** | **{tot['deface']}** | | |")
        write_md("## Video: frames where a face slips through (bench/video_bench.py slips)", "\n".join(lines))
    if speed_res:
        m, r = speed_res["median"], speed_res["ratios"]
        n = speed_res["frames"]
        lines = [_prov(speed_res), "", note, "",
                 f"Clip: `../shared/data/{speed_res['clip']}` ({n} frames, 1920x1080). "
                 f"{len(speed_res['rounds'])} rounds of unseen (defaults: faces and plates), unseen-faces "
                 "(`--cover faces`), deface (`--replacewith solid`) and "
                 "the ceiling (one decode + unseen's encoder and muxer, no detection), each a fresh process "
                 "(start-up and model loading included).", "",
                 "| run | median wall s | fps | median CPU s |", "|---|---:|---:|---:|"]
        for tool in (t for t in SPEED_TOOLS if t in m):
            lines.append(f"| {tool} | {m[tool]['wall']:.1f} | {n / m[tool]['wall']:.2f} | {m[tool]['cpu']:.1f} |")
        lines += ["",
                  f"unseen runs at **{r['unseen_vs_deface_wall']:.2f}x** deface's fps wall clock "
                  f"(**{r['unseen_vs_deface_cpu']:.2f}x** by CPU time) and at **{r['unseen_of_ceiling_wall']:.2f}x** "
                  f"the ceiling's fps ({r['unseen_of_ceiling_cpu']:.2f}x by CPU time). Medians of per-round ratios."]
        if "faces_vs_deface_wall" in r:
            lines[-1] += (f" Faces only (`--cover faces`, deface's job): **{r['faces_vs_deface_wall']:.2f}x** deface's "
                          f"fps ({r['faces_vs_deface_cpu']:.2f}x by CPU time).")
        if pass_file(SPEED_CLIP).exists():
            lines += ["", ceiling_gap(speed_res)]
        if speed_res.get("extra"):
            lines += ["", speed_res["extra"]]
        write_md("## Video: speed (bench/video_bench.py speed)", "\n".join(lines))
    if rss_res:
        lines = [_prov(rss_res), "",
                 "`unseen CLIP -o DIR` on the facenet clip re-encoded once (x1) and looped 4 times (x4); "
                 "peak RSS of the process (ru_maxrss of the child, measured by a fresh parent).", "",
                 "| length | frames | peak RSS MiB | seconds |", "|---|---:|---:|---:|"]
        for k, v in rss_res["runs"].items():
            lines.append(f"| {k} | {v['frames']} | {v['peak_rss_mib']} | {v['seconds']} |")
        runs = rss_res["runs"]
        if "x1" in runs and "x4" in runs:
            growth = runs["x4"]["peak_rss_mib"] / runs["x1"]["peak_rss_mib"]
            lines += ["", f"4x the frames, **{growth:.2f}x** the peak. Boxes, not frames, are kept between the "
                      "reads, so what grows is not the clip: the peak is the detector's working memory at the "
                      "moment two large passes (and the plate pass) happen to run at once, which a longer clip "
                      "meets more often. Passes on 1080p frames are tiled at 1536 detector px (`detect/schedule.py` "
                      "VIDEO_TILE); all models share one onnxruntime arena, which keeps what it grew to "
                      "(`detect/onnx_session.py`; with one arena per model the x1 run peaked at 1138-1278 MiB). "
                      "Turning the arena off measured worse (1573 MiB and more CPU, one run on 2026-11-30)."]
        if rss_res.get("levers"):
            n = max(v.get("runs", 1) for v in rss_res["levers"].values())
            lines += ["", f"Levers (`rss --levers`, the facenet clip x1, default options (faces and plates), {n} "
                      "interleaved rounds, medians and the range of the peak): the detector's tile size bounds the "
                      "activations of one pass; one detection thread runs one pass at a time.", "",
                      "| setting | peak RSS MiB, median (range) | wall s | CPU s |", "|---|---:|---:|---:|"]
            lines += [f"| {k} | {v['peak_rss_mib']} ({v.get('min_mib', v['peak_rss_mib'])}-"
                      f"{v.get('max_mib', v['peak_rss_mib'])}) | {v['seconds']} | {v['cpu']} |"
                      for k, v in rss_res["levers"].items()]
        write_md("## Video: memory (bench/video_bench.py rss)", "\n".join(lines))


def ceiling_gap(speed_res: dict) -> str:
    """Where the time goes against the ceiling: the detection schedule's cost per frame."""
    doc = json.loads(pass_file(SPEED_CLIP).read_text())
    n = len(doc["times"])
    cf, rf2 = doc["cpu"]["cf1"] / n, doc["cpu"]["rf2"] / n
    fps = (n - 1) / doc["times"][-1]
    from unseen.detect.schedule import CF_PERIOD, SMALL_PERIOD

    detect = cf / (CF_PERIOD * fps) + rf2 / (SMALL_PERIOD * fps)
    frames = speed_res["frames"]
    ceiling_cpu = speed_res["median"]["ceiling"]["cpu"] / frames
    unseen_cpu = speed_res["median"]["unseen"]["cpu"] / frames
    return (f"Where the time goes (CPU per frame): one CenterFace 1x pass costs {cf:.2f} s and one RetinaFace "
            f"2x pass {rf2:.2f} s on this clip (cached `passes` run, float RetinaFace; the int8 file unseen "
            "runs on the CPU costs ~0.55x that); the schedule runs CenterFace every "
            f"{CF_PERIOD:g} s and RetinaFace 2x every {SMALL_PERIOD:g} s, ~{detect:.2f} s of detection per frame, "
            f"against {ceiling_cpu:.2f} s for decode + encode (the ceiling run) and {unseen_cpu:.2f} s for the "
            "whole unseen run (two decodes, the glance, tracking, masking, encode).")


def slip_method() -> str:
    return (f"Markers: CenterFace at {MARKER_SCALE:g}x scale on every frame of the original, score >= "
            f"{MARKER_THRESHOLD}, box >= {MARKER_MIN_SIZE:g} px, seen in >= {MARKER_PERSIST} "
            "of the 5 frames "
            f"around it. A slip is a (frame, marked face) with < {COVER_FRACTION:.0%} of the box changed by "
            f"more than {TOL} (max abs RGB difference; pixels within {TOL} of the tool's fill colour left out). "
            "Both tools at defaults, unseen `CLIP -o DIR`, deface `--replacewith solid`. Markers reviewed by eye "
            "as not faces are left out for both tools (`NOT_FACES` in the script): "
            + "; ".join(f"{name} frames {a}-{b}: {what}" for name, rows in NOT_FACES.items() for a, b, _, what in rows)
            + ".")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("markers", "passes", "tune", "slips", "speed", "rss", "all", "report",
                                    "ceiling-run"))
    p.add_argument("paths", nargs="*")
    p.add_argument("--clips", help="comma-separated clip names (default: all)")
    p.add_argument("--tools", default="unseen,deface")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--reuse", action="store_true", help="score existing tool outputs instead of re-running")
    p.add_argument("--levers", action="store_true", help="rss: also measure the memory levers (RSS_LEVERS)")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    if args.what == "ceiling-run":
        ceiling_run(Path(args.paths[0]), Path(args.paths[1]))
        return 0
    if args.what == "markers":
        for name in (args.clips.split(",") if args.clips else CLIPS):
            if clip_path(name).exists():
                doc = load_markers(name)
                print(f"{name}: {doc['frames']} frames, {len(doc['boxes'])} boxes, {doc['seconds']} s", flush=True)
        return 0
    if args.what == "passes":
        for name in (args.clips.split(",") if args.clips else CLIPS):
            if clip_path(name).exists() and not pass_file(name).exists():
                doc = compute_passes(name)
                print(f"{name}: cpu {doc['cpu']}", flush=True)
        return 0
    s = sp = rs = tu = None
    if args.what == "tune":
        tu = tune(args)
    if args.what in ("slips", "all"):
        s = slips(args)
    if args.what in ("speed", "all"):
        sp = speed(args)
    if args.what in ("rss", "all"):
        rs = rss(args)
    if args.what == "report":
        s = json.loads((OUT / "slips.json").read_text()) if (OUT / "slips.json").exists() else None
        sp = json.loads((OUT / "speed.json").read_text()) if (OUT / "speed.json").exists() else None
        rs = json.loads((OUT / "rss.json").read_text()) if (OUT / "rss.json").exists() else None
        tu = json.loads((OUT / "tune.json").read_text()) if (OUT / "tune.json").exists() else None
    if args.write_md or args.what == "report":
        write_report(s, sp, rs, tu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
