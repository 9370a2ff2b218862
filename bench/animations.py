"""Animated GIFs: time and peak memory with an animation's frames covered two at a time or one at a time.

Why: an animation is covered frame by frame with a photo's full detection (repeated frames once), so
a 56-frame GIF costs 56 photos. One frame alone leaves the second core idle between its passes; the
local engine fills it with a second small photo, and ``engine.image.cover_decoded`` now does the same
with a second frame (``frame_work``: ``IN_FLIGHT``, frames up to ``FRAME_OVERLAP_PIXELS``). This benchmark runs
the shipped command and the same command with one frame at a time (``frame_work.IN_FLIGHT = 1`` set
in a ``python -c`` child before ``main``) on every animated GIF of the shared data, and checks that both
write the same bytes. deface runs beside them as the peer: it writes the first frame only, so its
time is compared per frame written.

Rounds interleave the tools; reported are medians of wall time, CPU time (user + sys of the child) and
peak RSS (``ru_maxrss`` of the child via ``os.wait4``).

With ``--verify`` both unseen variants run with ``--verify --json`` (the adversary checks every frame,
``verify.check``, which runs its frames the same way) and must report the same verify result.

Usage: ``python bench/animations.py [--repeat N] [--only NAME,...] [--verify] [--write-md]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCHMARKS_MD, REPO, machine, run_child, run_header, write_md  # noqa: E402

SECTION = "## Animations: frames two at a time (bench/animations.py)"
VERIFY_SECTION = "## Animations with --verify: frames two at a time (bench/animations.py --verify)"
SHARED = REPO.parent / "shared" / "data"
GIFS = ("intel_sample_videos/preview/head-pose-face-detection-female-and-male.gif",
        "intel_sample_videos/preview/head-pose-face-detection-female.gif",
        "intel_sample_videos/preview/people-detection.gif",
        "dlib_examples/dlib/test/ffmpeg_data/elon-musk-smoke.gif",
        "photoprism_testdata/internal/meta/testdata/animated.gif")
OUT = REPO / "bench" / "out" / "animations"
DEFACE_BIN = REPO / "bench" / ".venv-deface" / "bin" / "deface"
# numpy must not load before ``choose_threads`` (unseen's command runs it first), so the patch comes after
CHILD = "from unseen.cli import choose_threads, end, main\nchoose_threads()\n{patch}end(main())\n"
UNSEEN = {"unseen": CHILD.format(patch=""),
          "unseen, one frame at a time": CHILD.format(
              patch="import unseen.frame_work as frame_work\nframe_work.IN_FLIGHT = 1\n")}
TOOLS = (*UNSEEN, "deface")


def argv_for(tool: str, src: Path, out: Path, verify: bool = False) -> list[str]:
    if tool == "deface":
        return [str(DEFACE_BIN), "--replacewith", "solid", str(src), "-o", str(out / src.name)]
    return [sys.executable, "-c", UNSEEN[tool], str(src), "-o", str(out), "--force", "-q",
            *(["--verify", "--json"] if verify else [])]


def run(argv: list[str], report: Path) -> tuple[float, float, float, int]:
    """Wall s, CPU s, peak RSS MiB, exit code of one child process; its stdout goes to ``report``."""
    with report.open("wb") as stdout:
        return run_child(argv, stdout)


def verify_report(report: Path) -> str:
    """The ``verify`` part of a ``--json`` run's report, as canonical JSON ("" when there is none)."""
    for line in report.read_text().splitlines():
        if line.startswith("{"):
            return json.dumps(json.loads(line).get("verify"), sort_keys=True)
    return ""


def describe(path: Path) -> tuple[str, int]:
    """``W x H, N frames (D distinct)`` and the frame count written, read with Pillow."""
    with Image.open(path) as im:
        n = getattr(im, "n_frames", 1)
        digests = set()
        for i in range(n):
            im.seek(i)
            digests.add(hashlib.blake2b(im.convert("RGB").tobytes(), digest_size=16).digest())
        return f"{im.size[0]} x {im.size[1]}, {n} frames ({len(digests)} distinct)", n


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", help="comma-separated file names (default: every GIF listed in GIFS)")
    p.add_argument("--verify", action="store_true",
                   help="unseen with --verify (the adversary checks every frame); its own section")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    gifs = [SHARED / g for g in GIFS if not args.only or Path(g).name in args.only.split(",")]
    missing = [g for g in gifs if not g.exists()]
    if missing:
        raise SystemExit(f"needs the shared data: {missing[0]} is missing")
    if not DEFACE_BIN.exists():
        raise SystemExit(f"missing {DEFACE_BIN} (bench/setup_peers.sh installs it)")
    machine_info = machine()
    results: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    outputs: dict[tuple[str, str], set[str]] = {}
    frames_out: dict[tuple[str, str], int] = {}
    verdicts: dict[tuple[str, str], set[str]] = {}
    for src in gifs:
        for rnd in range(args.repeat):
            for tool in TOOLS if rnd % 2 == 0 else TOOLS[::-1]:
                out = OUT / "".join(c if c.isalnum() else "_" for c in tool)
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                r = run(argv_for(tool, src, out, args.verify), OUT / "report.json")
                results.setdefault((src.name, tool), []).append(r)
                if args.verify and tool != "deface":
                    verdicts.setdefault((src.name, tool), set()).add(verify_report(OUT / "report.json"))
                written = out / src.name
                if r[3] == 0 and written.exists():
                    outputs.setdefault((src.name, tool), set()).add(hashlib.sha256(written.read_bytes()).hexdigest())
                    with Image.open(written) as im:
                        frames_out[(src.name, tool)] = getattr(im, "n_frames", 1)
                print(f"{src.name:48s} {tool:28s} wall {r[0]:7.2f} s cpu {r[1]:7.2f} s rss {r[2]:6.0f} MiB "
                      f"rc {r[3]}", file=sys.stderr, flush=True)

    def med(name: str, tool: str, i: int) -> float:
        return statistics.median(r[i] for r in results[(name, tool)])

    one = "unseen, one frame at a time"
    head = ["GIF", *(f"{t} wall s / CPU s / RSS MiB" for t in TOOLS), "unseen / one at a time: wall, CPU",
            "unseen / deface wall per frame written", "same bytes both ways", "frames written: unseen, deface"]
    if args.verify:
        head.append("same verify report both ways (verdict)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for src in gifs:
        what, _ = describe(src)
        name = src.name
        cells = [f"`{name}`: {what}"]
        for tool in TOOLS:
            ok = all(r[3] == 0 for r in results[(name, tool)])
            cells.append(f"{med(name, tool, 0):.2f} / {med(name, tool, 1):.2f} / {med(name, tool, 2):.0f}"
                         if ok else "failed")
        cells.append(f"{med(name, 'unseen', 0) / med(name, one, 0):.2f}x, "
                     f"{med(name, 'unseen', 1) / med(name, one, 1):.2f}x")
        wrote = all(frames_out.get((name, t), 0) for t in ("unseen", "deface"))
        per_frame = {t: med(name, t, 0) / max(1, frames_out.get((name, t), 0)) for t in ("unseen", "deface")}
        cells.append(f"{per_frame['unseen'] / per_frame['deface']:.2f}x" if wrote else "")
        a, b = outputs.get((name, "unseen"), set()), outputs.get((name, one), set())
        cells.append("yes" if a and a == b and len(a) == 1 else "NO" if a or b else "no output (failed)")
        cells.append(f"{frames_out.get((name, 'unseen'), 0)}, {frames_out.get((name, 'deface'), 0)}")
        if args.verify:
            a, b = verdicts.get((name, "unseen"), set()), verdicts.get((name, one), set())
            same = a and a == b and len(a) == 1 and "" not in a
            verdict = json.loads(next(iter(a))).get("verdict", "?") if same else "?"
            cells.append(f"yes ({verdict})" if same else "NO")
        lines.append("| " + " | ".join(cells) + " |")
    body = "\n".join([
        *run_header(machine_info),
        f"Medians of {args.repeat} interleaved rounds (the order turned round every other round); one "
        "single-file call per run, start-up and model loading included; unseen at its defaults (faces "
        f"and plates){' with `--verify --json`' if args.verify else ''}, deface `--replacewith solid`. "
        "\"Same bytes\": every run of both unseen variants wrote the same file."
        + (" \"Same verify report\": every run of both reported the same `verify` result (every face, "
           "distance, box left and text box)." if args.verify else ""),
        "",
        *lines,
    ])
    print(body)
    if args.write_md:
        write_md(VERIFY_SECTION if args.verify else SECTION, body)
        print(f"wrote section to {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
