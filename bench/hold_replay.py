"""Held boxes replayed: the tracker's masks before a face's first and after its last detection, under
other rules for how a held box moves and grows, scored on the slip table's clips in seconds.

    python bench/hold_replay.py record [--clips NAME,...]     # runs unseen once per clip and setting
    python bench/hold_replay.py replay [--clips NAME,...] [--write-md]

Why: a held box moves with its track's motion at that end (``track._Timeline._end_velocity``) and grows
by HOLD_GROWTH a second; on MOT20, gps-mov and hamilton the held boxes covered 1.5-2.2x the area they
would standing still (2026-12-03, scratch hooks), and a rule change there needed the whole slip table
(~35 min) to judge.

``record`` runs unseen on each clip of the slip table (by default and ``--cover faces``) and on each
turned copy ``video_turned.py`` made (``--cover faces``), in a child process that keeps what the tracker
finished with (``Tracker.finish``: every masked track, frozen, and the cuts) and the time of every frame
the writer asked for; cached in bench/out/video/tracks/ with unseen's source stamp. The held boxes' rules
change only what ``track.Coverage`` answers from those tracks, never the tracks (detection and linking do
not use them), so ``replay`` is exact for them: it asks ``Coverage`` for every frame under each rule
(``RULES``: unseen's own code with other values of its constants), draws the masks as unseen draws them
(``Regions.to_draw``, ``mask.coverage``) and scores them against the slip markers (``video_common``): a
slip is a marked face with < 70% of its box inside the mask; outside is the share of the frame masked
outside the marked faces padded as unseen pads a face. The mask as drawn, not its pixels' change: pixels
of the fill's own colour count as covered here (the slip table leaves them out), so the outside figures
sit up to ~0.5 points over the table's; on the tracks of git 81e1376 the rule then in force ("any size"
below) gave back the slip table's 0 and the turned table's 119 slips exactly.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import pickle
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, machine, tool_env  # noqa: E402
from video_bench import source_stamp  # noqa: E402
from video_common import CLIPS, COVER_FRACTION, OUT, clip_path, load_markers, marked_faces, marker_mask  # noqa: E402
from video_turned import DEFAULT_CLIPS as TURNED_CLIPS  # noqa: E402
from video_turned import TURNED  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
from unseen import mask, track  # noqa: E402
from unseen.options import DEFAULT_PAD  # noqa: E402

HEADING = "## Video: held boxes replayed (bench/hold_replay.py)"
TRACKS = OUT / "tracks"
SETTINGS = {"default": [], "faces": ["--cover", "faces"]}

# The child: unseen's own command, keeping the finished tracks, the cuts and each written frame's time.
CHILD = r"""
import atexit, pickle, sys
from unseen import track
from unseen.engine import video
out = sys.argv.pop(1)
rec = {"tracks": None, "cuts": None, "times": []}
finish = track.Tracker.finish
def kept(self):
    done = finish(self)
    if rec["tracks"] is None:
        rec["tracks"], rec["cuts"] = done, list(self.cuts)
    return done
track.Tracker.finish = kept
regions_at = video._Pass2.regions_at
def asked(self, t):
    rec["times"].append(t)
    return regions_at(self, t)
video._Pass2.regions_at = asked
atexit.register(lambda: pickle.dump(rec, open(out, "wb")))
from unseen.cli import run
run()
"""


@dataclass(frozen=True)
class Rule:
    """How a held box moves and grows, as unseen's own ``_end_velocity`` and ``box_at`` run with other values
    of track.py's constants: ``same_size`` (SAME_SIZE; inf: a box of any size), ``growth`` (HOLD_GROWTH),
    ``max_speed`` (MAX_SPEED; 0: never moves). ``only``: when the window holds no box of the end box's size
    the held box stands still (unseen then takes the farthest box of any size)."""

    note: str
    same_size: float = track.SAME_SIZE
    only: bool = False
    growth: float = track.HOLD_GROWTH
    max_speed: float = track.MAX_SPEED


RULES = {
    "unseen": Rule("the rule in force"),
    "any size": Rule("the farthest box in the window whatever its size (the rule before SAME_SIZE)", math.inf),
    "same size only": Rule(f"a box within {track.SAME_SIZE}x the end box's size, else none", only=True),
    "same size 1.5 only": Rule("the same within 1.5x", 1.5, only=True),
    "growth 0.15": Rule("as unseen, HOLD_GROWTH 0.15 a second instead of 0.3", growth=0.15),
    "speed 2": Rule("as unseen, motion capped at 2 box sizes a second instead of 4", max_speed=2.0),
    "speed 1": Rule("as unseen, capped at 1 box size a second", max_speed=1.0),
    "still": Rule("held boxes never move (grown only)", max_speed=0.0),
}


def standing_without_same_size(own):
    """``own`` (unseen's ``_end_velocity``), but no motion when the window (the boxes ``own`` chooses
    among) holds no box within SAME_SIZE of the end box's size."""

    def velocity(tl, at_start: bool) -> np.ndarray:
        n, times = len(tl.times), tl.times
        if n >= 2:
            window = track.VELOCITY_WINDOW
            if at_start:
                end, others = 0, range(1, max(1, bisect.bisect_right(times, times[0] + window) - 1) + 1)
            else:
                end, others = n - 1, range(min(n - 2, bisect.bisect_left(times, times[-1] - window)), n - 1)
            size, same = track._size(tl.boxes[end]), track.SAME_SIZE
            if not any(1 / same <= track._size(tl.boxes[j]) / size <= same for j in others):
                return np.zeros(4, np.float32)
        return own(tl, at_start)

    return velocity


def record_file(name: str, setting: str) -> Path:
    return TRACKS / f"{name}.{setting}.pkl"


def record(names: list[str]) -> None:
    """Run unseen once per clip and setting (and turned copy), keeping the tracks; skip fresh caches."""
    TRACKS.mkdir(parents=True, exist_ok=True)
    stamp = source_stamp()
    jobs = [(n, s, clip_path(n), SETTINGS[s]) for n in names for s in SETTINGS]
    jobs += [(f"{n}-t{k}", "faces", TURNED / f"{n}-t{k}.mp4", SETTINGS["faces"])
             for n in names if n in TURNED_CLIPS for k in (1, 3)]
    for name, setting, src, extra in jobs:
        dst, made = record_file(name, setting), TRACKS / f"{name}.{setting}.json"
        if not src.exists():
            print(f"skip {name}: {src} missing (turned copies: video_turned.py)", file=sys.stderr)
            continue
        if dst.exists() and made.exists() and json.loads(made.read_text()).get("source") == stamp:
            continue
        out = TRACKS / "_out"
        out.mkdir(exist_ok=True)
        cmd = [sys.executable, "-c", CHILD, str(dst), str(src), "-o", str(out), "--force", "-q", *extra]
        subprocess.run(cmd, check=True, env={**tool_env(), "PYTHONPATH": str(REPO / "src")})
        made.write_text(json.dumps({"source": stamp, "clip": str(src), "options": extra}))
        print(f"recorded {name} {setting}", file=sys.stderr, flush=True)


def turned_marks(marks: dict, turn: int, w: int, h: int) -> dict:
    """Upright marker boxes in the clip turned by ``turn`` quarter turns counter-clockwise (np.rot90)."""
    out = {}
    for i, boxes in marks.items():
        rows = [[y1, w - x2, y2, w - x1] if turn == 1 else [h - y2, x1, h - y1, x2] for x1, y1, x2, y2 in
                (b[:4] for b in boxes)]
        out[i] = np.asarray(rows, np.float32)
    return out


def replay(name: str, setting: str, rules: list[str]) -> dict[str, tuple[int, float]]:
    """Each rule's (slips, outside share) on one recorded clip."""
    rec = pickle.loads(record_file(name, setting).read_bytes())
    turned = re.fullmatch(r"(.+)-t([13])", name)  # a turned copy: NAME-t1, NAME-t3
    turn = int(turned.group(2)) if turned else 0
    doc = load_markers(turned.group(1) if turned else name)
    w, h = doc["size"]
    marks = marked_faces(doc)
    if turn:
        marks, (w, h) = turned_marks(marks, turn, w, h), (h, w)
    saved = track._Timeline._end_velocity, track.SAME_SIZE, track.HOLD_GROWTH, track.MAX_SPEED
    out = {}
    try:
        for r in rules:
            rule = RULES[r]
            track.SAME_SIZE, track.HOLD_GROWTH, track.MAX_SPEED = rule.same_size, rule.growth, rule.max_speed
            track._Timeline._end_velocity = standing_without_same_size(saved[0]) if rule.only else saved[0]
            cov = track.Coverage(rec["tracks"], track.DEFAULT_HOLD, rec["cuts"])
            slips, outside = 0, 0.0
            for i, t in enumerate(rec["times"]):
                found = cov.at(t)
                boxes = marks.get(i, ())
                m = mask.coverage(found.to_draw(DEFAULT_PAD, w, h), w, h) if len(found) else np.zeros((h, w), bool)
                for b in boxes:
                    x1, y1 = int(max(0, np.floor(b[0]))), int(max(0, np.floor(b[1])))
                    x2, y2 = int(min(w, np.ceil(b[2]))), int(min(h, np.ceil(b[3])))
                    slips += int(x2 > x1 and y2 > y1 and m[y1:y2, x1:x2].mean() < COVER_FRACTION)
                if not turn:
                    outside += float((m & ~marker_mask(boxes, (h, w))).mean())
            out[r] = (slips, outside / max(1, len(rec["times"])))
    finally:
        track._Timeline._end_velocity, track.SAME_SIZE, track.HOLD_GROWTH, track.MAX_SPEED = saved
    return out


def report(names: list[str], write: bool) -> None:
    rules = list(RULES)
    upright = {(n, s): replay(n, s, rules) for n in names for s in SETTINGS if record_file(n, s).exists()}
    turned = {n: replay(n, "faces", rules) for n in (f"{c}-t{k}" for c in names if c in TURNED_CLIPS
                                                      for k in (1, 3)) if record_file(n, "faces").exists()}
    lines = [
        f"Command: `{command_line()}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {machine()}; unseen source "
        f"{source_stamp()[:12]} (tracks recorded with it).", "",
        "Rules: " + "; ".join(f"**{k}**: {r.note}" for k, r in RULES.items()) + ".", "",
        "Upright clips: slips (both settings together), and the share of the frame masked outside the marked "
        "faces (`--cover faces` / default). Turned copies (`--cover faces`): slips.", "",
        f"| clip | {' | '.join(rules)} |",
        f"|---|{'---:|' * len(rules)}",
    ]
    for n in names:
        f, d = upright.get((n, "faces")), upright.get((n, "default"))
        if f and d:
            lines.append(f"| {n} | " + " | ".join(
                f"{f[r][0] + d[r][0]} slips, {100 * f[r][1]:.2f}% / {100 * d[r][1]:.2f}%" for r in rules) + " |")
    for n, res in turned.items():
        lines.append(f"| {n} (turned) | " + " | ".join(f"{res[r][0]} slips" for r in rules) + " |")
    tot = {r: sum(v[r][0] for v in upright.values()) for r in rules}
    tt = {r: sum(v[r][0] for v in turned.values()) for r in rules}
    lines.append("| **all** | " + " | ".join(f"**{tot[r]}** upright, **{tt[r]}** turned" for r in rules) + " |")
    emit(HEADING, lines, write)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("record", "replay"))
    p.add_argument("--clips", help="comma-separated (default: every clip of the slip table)")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    names = args.clips.split(",") if args.clips else list(CLIPS)
    if args.what == "record":
        record(names)
    else:
        report(names, args.write_md)


if __name__ == "__main__":
    main()
