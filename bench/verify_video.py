"""``unseen verify`` on videos: the verdict on every shared clip with people, and what a check costs.

For each clip of the slip table (bench/video_common.CLIPS): unseen's default output (``unseen CLIP -o
DIR``), then ``unseen verify CLIP OUTPUT --json`` as a child process (wall, CPU, peak RSS), one frame a
second (the default). Reported: the verdict, frames checked, faces the adversary found in the
original's checked frames, how many of those the recognizer put under 0.6 and were judged against
their blanked box (``verify.BLANK_MARGIN``), faces still matchable, faces detected in the output, text
boxes read and still readable. Then, as the check's other side, an unmasked output of the same clips
written by unseen's own writer with a detector that finds nothing (clean metadata: only the faces
can fail it): each must fail.

Usage: ``python bench/verify_video.py [--clips a,b] [--write-md]`` (needs ../shared/data or UNSEEN_SHARED).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import video_common  # noqa: E402

HEADING = "## Verify: videos (bench/verify_video.py)"
UNMASKED = ("facenet", "hamilton", "mot20", "lp-d6", "lp-s18")


class NoFaces:
    def detect(self, rgb):
        from unseen.regions import Regions

        return Regions.empty()


def verify_child(original: Path, output: Path, out_json: Path) -> tuple[float, float, float, dict]:
    with open(out_json, "wb") as fh:
        wall, cpu, rss, _code = benchlib.run_child(
            [sys.executable, "-m", "unseen", "verify", str(original), str(output), "--json"], stdout=fh)
    text = out_json.read_text().strip().splitlines()
    return wall, cpu, rss, json.loads(text[-1]) if text else {"verdict": "no output"}


def row(name: str, size: str, wall: float, cpu: float, rss: float, r: dict) -> str:
    if r.get("verdict") in ("error", "no output"):
        return f"| {name} | {size} | {r.get('verdict')}: {r.get('error', '')} |" + " |" * 10
    faces = r["faces"]
    near = sum("blank_distance" in f for f in faces)
    still = sum(f["verdict"] == "fail" for f in faces)
    text = r.get("text", {"checked": 0, "still_readable": []})
    per = cpu / max(1, r["frames_checked"])
    return (f"| {name} | {size} | **{r['verdict']}** | {r['frames_checked']} of {r['frames']} | {len(faces)} | "
            f"{near} | {still} | {len(r['faces_left'])} | {text['checked']} / {len(text['still_readable'])} | "
            f"{'; '.join(r['metadata']) or 'none'} | {wall:.1f} | {cpu:.1f} ({per:.1f} a frame) | {rss:.0f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", default=",".join(video_common.CLIPS))
    ap.add_argument("--write-md", action="store_true")
    args = ap.parse_args()
    from unseen.engine import video as engine_video
    from unseen.options import Options

    names = [n for n in args.clips.split(",") if n]
    head = ("| clip | size | verdict | frames checked | faces in the original | of them under 0.6, judged "
            "against the blanked box | still matchable | faces detected in the output | text read / still readable "
            "| metadata | wall s | CPU s | peak RSS MiB |")
    lines = benchlib.run_header(benchlib.machine())
    lines += ["", "unseen's default output of each clip (faces and plates), checked by `unseen verify CLIP OUTPUT "
              "--json` at its default of one frame a second, the first and last included.", "", head,
              "|" + "---|" * (head.count("|") - 1)]
    unmasked_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        for name in names:
            src = video_common.clip_path(name)
            if not src.exists():
                print(f"{name}: missing, skipped", file=sys.stderr)
                continue
            first = next(iter(video_common.frames(src)), None)
            size = "x".join(map(str, first.size)) if first is not None else "?"
            out_dir = tmpd / name
            subprocess.run([sys.executable, "-m", "unseen", str(src), "-o", str(out_dir), "-q", "--rename"],
                           check=False, env=benchlib.tool_env())
            outs = sorted(out_dir.glob("*"))
            if not outs:
                lines.append(f"| {name} | {size} | unseen wrote no output |" + " |" * 10)
                continue
            wall, cpu, rss, r = verify_child(src, outs[0], tmpd / f"{name}.json")
            lines.append(row(name, size, wall, cpu, rss, r))
            print(lines[-1], flush=True)
            if name in UNMASKED:
                bare = tmpd / f"{name}-unmasked.mp4"
                engine_video.anonymize_video(src, bare, Options(), NoFaces())
                wall, cpu, rss, r = verify_child(src, bare, tmpd / f"{name}-bare.json")
                unmasked_rows.append(row(name + ", unmasked", size, wall, cpu, rss, r))
                print(unmasked_rows[-1], flush=True)
    lines += ["", "The other side: the same clips written unmasked by unseen's own writer (a detector that finds "
              "nothing: clean metadata, every face left).", "", head, "|" + "---|" * (head.count("|") - 1),
              *unmasked_rows]
    benchlib.emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
