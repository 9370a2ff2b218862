"""Run unseen over every image and video in the shared corpus and prove nothing leaks.

Each media file in ../shared/data (or $UNSEEN_SHARED, or --data) is given to the real command line
in its own process, exactly as a user would type it: ``unseen FILE -o TMPDIR/N --json -q``, with a
time limit per file. Every file must end in one of two ways:

* **clean output**: exit 0, one output file, no hidden temporary file left, and exiftool (run with
  ``-a -u -ee -G0:1``, so duplicate, unknown and embedded tags count too) finds nothing outside the
  explicit allow-list below (file-system facts, JFIF basics, image structure such as width,
  height, bit depth, and container structure for video).
* **clear refusal**: exit 1, stderr is exactly one line ``unseen: PATH: cause``, no output file and
  no temporary file.

Everything else is a failure and is counted: tracebacks ("Traceback" on stderr), hangs (time limit
hit; the process group is SIGKILLed and the folder checked for a final output), crashes (killed by
a signal), unclear errors, outputs with identifying metadata, leftover temporary files, and inputs
whose SHA-256 changed (every corpus file is hashed before the sweep and after it).

Formats a camera or phone writes (JPEG incl. MPO, HEIC/HEIF, AVIF, WebP, PNG, TIFF, MOV/MP4) must
come out clean, not refused; refusals of those are listed by name so a reader can judge each one
(a file the corpus marks as corrupt may be refused). Raw camera formats (DNG, CR2, NEF, ...) are
refused with a clear line by design: unseen does not develop raw files (see the section text).

``--detector none`` swaps face detection for a stub that finds nothing: the file handling,
decoding, orientation, colour conversion, encoding, metadata checks and atomic writes are the same
code, minutes instead of hours. The default, ``--detector real``, is the shipped detector.

Usage::

    python bench/corpus_sweep.py [--detector real|none] [--jobs N] [--only SUBSTR] [--write-md]

Results go to bench/out/corpus_sweep/<detector>/results.jsonl (one JSON object per file, so a long
run can be resumed with --resume) and, with --write-md, into the "## Corpus sweep" section of
docs/BENCHMARKS.md. Not a CI test: a full run with the real detector takes hours on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCHMARKS_MD, write_md  # noqa: E402
from leak_rules import identifying_tags, input_kinds  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Corpus sweep"
DEFAULT_DATA = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))
OUT_ROOT = REPO / "bench" / "out" / "corpus_sweep"
TMP_PREFIX = ".unseen-tmp-"
CHILD_IMPORTS = ("benchlib.py", "leak_rules.py")  # bench modules the child copy imports

# ------------------------------------------------------------------------------------------------
# Which files are "images and videos": by extension, explicit. Non-media files (json, txt, xmp
# sidecars, pdf, audio, fonts, executables) are not swept.
# ------------------------------------------------------------------------------------------------
IMAGE_EXT = {
    "jpg", "jpeg", "jpe", "jfif", "mpo", "jps", "png", "webp", "gif", "tif", "tiff", "btf", "bmp",
    "heic", "heif", "hif", "avif", "avifs", "jxl", "jp2", "j2c", "ico", "ppm", "pgm", "pbm", "pfm",
    "psd", "psp", "xcf", "pcx", "pict", "pcd", "dpx", "exr", "hdr", "fits", "fit", "miff", "mie", "flif",
    "bpg", "pgf", "wpg", "djvu", "dcm", "svg", "eps", "xisf", "czi", "mrc",
}
RAW_EXT = {"dng", "cr2", "cr3", "crw", "nef", "raf", "rw2", "mrw", "x3f", "iiq", "raw", "r3d", "dr4", "lfp"}
VIDEO_EXT = {"mp4", "mov", "m4v", "mkv", "webm", "avi", "mts", "m2ts", "3gp", "wmv", "flv", "mxf", "dv",
             "rm", "swf", "wtv"}
MEDIA_EXT = IMAGE_EXT | RAW_EXT | VIDEO_EXT

# What a camera or phone writes: these must come out clean unless the file itself is broken.
CAMERA_TYPES = {"JPEG", "MPO", "HEIC", "HEIF", "AVIF", "WEBP", "PNG", "TIFF", "MOV", "MP4", "M4V", "3GP"}

# ------------------------------------------------------------------------------------------------
# One file, one process.
# ------------------------------------------------------------------------------------------------

def run_one(argv: list[str], detector: str) -> NoReturn:
    """Child mode: the real ``unseen`` command line, optionally with a detector that finds nothing,
    ended as the command ends (``cli.end``: no interpreter teardown after a run)."""
    if detector == "none":
        import unseen.detect as detect_pkg
        from unseen.regions import Regions

        class NoFaces:
            """Answers the detector's calls (``detect``, ``check``) with "no faces"."""

            threshold_shift = 0.0
            nms_iou = 0.35

            def __init__(self, *args, **kwargs):
                pass

            def detect(self, rgb, *args, **kwargs):  # noqa: ARG002
                return Regions.empty()

            check = detect

        detect_pkg.Detector = NoFaces
    from unseen.cli import end, main

    end(main(argv))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def exiftool_json(paths: list[Path], extra: list[str], timeout: float) -> dict[str, dict]:
    if not paths:
        return {}
    with tempfile.NamedTemporaryFile("w", suffix=".args", delete=False) as fh:
        for p in paths:
            fh.write(str(p) + "\n")
        argfile = fh.name
    try:
        proc = subprocess.run(["exiftool", "-j", "-a", "-u", "-G0:1", "-charset", "filename=utf8", *extra,
                               "-@", argfile], capture_output=True, timeout=timeout)
    finally:
        os.unlink(argfile)
    try:
        rows = json.loads(proc.stdout.decode("utf-8", "replace") or "[]")
    except json.JSONDecodeError:
        return {}
    return {r["SourceFile"]: r for r in rows}


def timeout_for(path: Path, kind: str, args: argparse.Namespace) -> float:
    if kind == "video":
        if args.detector != "real":
            return args.video_timeout
        try:  # detection work grows with frames x pixels: allow for it, a hang is "no end in sight"
            import av

            with av.open(str(path)) as c:
                v = c.streams.video[0]
                seconds = float(v.duration * v.time_base) if v.duration else float(c.duration or 0) / 1e6
                rate = float(v.average_rate or 30)
                work = seconds * rate * v.codec_context.width * v.codec_context.height / 1e6
        except Exception:
            work = 0.0
        return args.video_timeout + args.seconds_per_mp_frame * work
    megapixels = 0.0
    try:
        import pillow_heif
        from PIL import Image

        pillow_heif.register_heif_opener()
        Image.MAX_IMAGE_PIXELS = None
        with Image.open(path) as im:  # every frame of an animation is detected (and checked again)
            megapixels = im.size[0] * im.size[1] * int(getattr(im, "n_frames", 1) or 1) / 1e6
    except Exception:
        pass
    # Detection time grows with pixels (tiling): the limit is a hang detector, not a speed target.
    return args.image_timeout + (args.seconds_per_mp * megapixels if args.detector == "real" else 0)


def sweep_file(idx: int, src: Path, data: Path, work: Path, args: argparse.Namespace) -> dict | None:
    if args.deadline and time.monotonic() > args.deadline:
        return None  # --max-minutes reached: leave the rest for --resume
    ext = src.suffix.lower().lstrip(".")
    kind = "video" if ext in VIDEO_EXT else "raw" if ext in RAW_EXT else "image"
    out_dir = work / f"{idx:04d}"
    out_dir.mkdir(parents=True, exist_ok=True)
    before = sha256(src)
    limit = timeout_for(src, kind, args)
    cmd = [sys.executable, str(work / "corpus_sweep_child.py"), "--run-one", "--detector", args.detector, "--",
           str(src), "-o", str(out_dir), "--json", "-q"]
    row: dict = {"file": str(src.relative_to(data)), "ext": ext, "kind": kind, "limit": round(limit)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            cwd=str(work))
    try:
        out, errb = proc.communicate(timeout=limit)
        row["rc"] = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, errb = proc.communicate()
        row["rc"] = None
    row["seconds"] = round(time.perf_counter() - t0, 2)
    stderr = errb.decode("utf-8", "replace")
    row["stderr"] = stderr[-2000:]
    try:
        report = json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        report = {}
    row["format_out"] = report.get("format_out", "")
    row["faces"] = report.get("faces")
    row["notes"] = report.get("notes", [])
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() or p.is_symlink())
    temps = [p.name for p in files if p.name.startswith(TMP_PREFIX)]
    finals = [p for p in files if not p.name.startswith(TMP_PREFIX)]
    row["temps_left"] = temps
    row["outputs"] = [p.name for p in finals]
    row["input_changed"] = sha256(src) != before
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    prefix = f"unseen: {src}: "
    if row["rc"] is None:
        row["outcome"] = "hang"
    elif "Traceback" in stderr:
        row["outcome"] = "traceback"
    elif row["rc"] < 0:
        row["outcome"] = f"crash (signal {-row['rc']})"
    elif row["rc"] == 0:
        if len(finals) != 1:
            row["outcome"] = "ok but output missing"
        else:
            tags = exiftool_json(finals, ["-ee", "-api", "LargeFileSupport=1"], 300).get(str(finals[0]), {})
            row["out_type"] = str(tags.get("File:FileType", ""))
            row["leaks"] = identifying_tags(tags) if tags else ["exiftool could not read the output"]
            row["outcome"] = "clean" if not row["leaks"] else "LEAK"
    elif row["rc"] == 1:
        clear = len(lines) == 1 and lines[0].startswith(prefix) and len(lines[0]) > len(prefix)
        row["error"] = lines[0][len(prefix):] if clear else stderr.strip()[:300]
        row["outcome"] = "refused" if clear and not finals else "unclear error"
        if finals:
            row["outcome"] = "error but output left"
    else:
        row["outcome"] = f"exit {row['rc']}"
    if temps and row["outcome"] in ("clean", "refused"):
        row["outcome"] += " (temp left)"
    if not args.keep_outputs:
        shutil.rmtree(out_dir, ignore_errors=True)
    return row


# ------------------------------------------------------------------------------------------------
# Corpus, tallies, markdown.
# ------------------------------------------------------------------------------------------------

def corpus(data: Path) -> list[Path]:
    return sorted(p for p in data.rglob("*") if p.is_file() and not p.is_symlink()
                  and p.suffix.lower().lstrip(".") in MEDIA_EXT)


def interleave(files: list[Path], data: Path) -> list[Path]:
    """Round-robin over the corpus's top folders, so a partial run still covers every source."""
    groups: dict[str, list[Path]] = collections.defaultdict(list)
    for f in files:
        groups[f.relative_to(data).parts[0]].append(f)
    out: list[Path] = []
    queues = [list(g) for _, g in sorted(groups.items())]
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def tree_hashes(data: Path) -> dict[str, str]:
    return {str(p.relative_to(data)): sha256(p) for p in sorted(data.rglob("*")) if p.is_file()
            and not p.is_symlink()}


def format_of(row: dict, types: dict[str, dict]) -> str:
    t = types.get(row["file"], {})
    ft = str(t.get("File:FileType", "") or "").upper()
    return ft or f"?{row['ext']}"


# Refusals of camera/phone formats a reader can accept, and why (checked by hand, file by file).
JUDGED = {
    "metadata_extractor_images_drewnoakes/heic/": "malformed on purpose: metadata-extractor's crash "
    "regression files, named after the exception each one caused",
    "exiftool_test_images/t/images/": "exiftool's metadata samples, with the picture data cut out "
    "(a few hundred bytes to a few KB each)",
}


def judged(row: dict) -> str:
    return next((why for prefix, why in JUDGED.items() if row["file"].startswith(prefix)), "")


FAILURE_OUTCOMES = ("traceback", "hang", "LEAK", "unclear error", "error but output left", "ok but output missing")


def render(rows: list[dict], types: dict[str, dict], meta: dict) -> str:
    by_outcome = collections.Counter(r["outcome"] for r in rows)
    by_format: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in rows:
        by_format[format_of(r, types)][r["outcome"]] += 1
    outcomes = ["clean", "refused"] + sorted(k for k in by_outcome if k not in ("clean", "refused"))
    n_tb = sum(r["outcome"] == "traceback" for r in rows)
    n_hang = sum(r["outcome"] == "hang" for r in rows)
    n_leak = sum(r["outcome"] == "LEAK" for r in rows)
    n_changed = meta["inputs_changed"]
    n_temp = sum(bool(r.get("temps_left")) for r in rows if r["outcome"] != "hang")
    n_temp_killed = sum(bool(r.get("temps_left")) for r in rows if r["outcome"] == "hang")
    n_crash = sum(r["outcome"].startswith("crash") for r in rows)
    input_kind = collections.Counter()
    for r in rows:
        for k in r.get("input_kinds", []):
            input_kind[k] += 1
    cleaned_kind = collections.Counter()
    for r in rows:
        if r["outcome"] == "clean":
            for k in r.get("input_kinds", []):
                cleaned_kind[k] += 1
    L = [
        f"- Files: {len(rows)} of the {meta.get('selected', len(rows))} media files"
        + (" (**a partial run**; files taken round-robin over the corpus's folders)"
           if len(rows) < meta.get("selected", len(rows)) else "")
        + f". Time limit per file: {meta['image_timeout']:.0f} s per image"
        + (f" + {meta['seconds_per_mp']:.0f} s per megapixel" if meta["detector"] == "real" else "")
        + f", {meta['video_timeout']:.0f} s per video"
        + (f" + {meta.get('seconds_per_mp_frame', 0):g} s per megapixel of each frame" if meta["detector"] == "real"
           else "")
        + " (detection time grows with pixels; a hang is a run with no end in sight).",
        f"- Run: {meta['when']}, unseen {meta['version']}, {meta['machine']}, detector: **{meta['detector']}**"
        + (" (a stub that finds no faces: same reading, decoding, writing and checking code, without the hours "
           "of detection)" if meta["detector"] == "none" else "")
        + f", {meta['jobs']} file(s) at a time, {meta['wall']:.0f} s wall.",
        f"- Command: `{meta['command']}`",
        *([f"- Note: {meta['note']}"] if meta.get("note") else []),
        "",
        "| target | result |",
        "|---|---|",
        f"| tracebacks | **{n_tb}** |",
        f"| hangs (time limit hit) | **{n_hang}** |",
        f"| crashes (killed by a signal) | **{n_crash}** |",
        f"| outputs where exiftool finds identifying metadata | **{n_leak}** |",
        f"| inputs changed (SHA-256 of all {meta['tree_files']} corpus files before and after) | **{n_changed}** |",
        f"| runs that left a temporary file | **{n_temp}**"
        + (f" (+{n_temp_killed} hidden `.unseen-tmp-*` after a time-limit SIGKILL, as designed)"
           if n_temp_killed else "") + " |",
        "",
        "By outcome: " + ", ".join(f"{k} {by_outcome[k]}" for k in outcomes if by_outcome[k]) + ".",
        "",
        "| format (exiftool FileType of the input) | files | " + " | ".join(outcomes) + " |",
        "|---|---:|" + "---:|" * len(outcomes),
    ]
    for fmt in sorted(by_format, key=lambda f: (-sum(by_format[f].values()), f)):
        c = by_format[fmt]
        L.append(f"| {fmt} | {sum(c.values())} | " + " | ".join(str(c[k] or "") for k in outcomes) + " |")
    L += [
        "",
        "What the inputs carried, and how many of those files came out clean (outputs carry none of it):",
        "",
        "| in the input | files | clean outputs from them |",
        "|---|---:|---:|",
    ]
    for k, n in input_kind.most_common():
        L.append(f"| {k} | {n} | {cleaned_kind[k]} |")
    camera_refused = [r for r in rows if r["outcome"] != "clean" and format_of(r, types) in CAMERA_TYPES]
    L += ["", f"Camera/phone formats not written ({len(camera_refused)}), each with its reason:", ""]
    if not camera_refused:
        L.append("- none")
    for r in camera_refused:
        why = judged(r) if r["outcome"] == "refused" else ""
        L.append(f"- `{r['file']}` ({format_of(r, types)}): {r['outcome']}: {(r.get('error') or '')[:160]}"
                 + (f" (*{why}*)" if why else ""))
    reasons = collections.Counter()
    for r in rows:
        if r["outcome"] == "refused" and format_of(r, types) not in CAMERA_TYPES:
            reasons[_reason_class(r.get("error", ""))] += 1
    L += ["", "Other refusals, grouped by cause:", ""]
    for k, n in reasons.most_common():
        L.append(f"- {n} x {k}")
    failures = [r for r in rows if r["outcome"] in FAILURE_OUTCOMES or r["outcome"].startswith("crash")
                or r.get("input_changed") or (r.get("temps_left") and r["outcome"] != "hang")]
    if failures:
        L += ["", "Failures:", ""]
        for r in failures:
            last = ([ln for ln in r.get("stderr", "").splitlines() if ln.strip()] or [""])[-1]
            detail = "; ".join(r.get("leaks", [])[:5]) or (r.get("error") or last)[:200]
            if r["outcome"] == "hang":
                detail = f"killed at its {r['limit']} s limit"
            detail = detail.replace("\n", " ").replace("`", "'")
            L.append(f"- `{r['file']}`: {r['outcome']}: {detail}")
    slow = sorted(rows, key=lambda r: -r["seconds"])[:3]
    L += ["", "Slowest files: " + ", ".join(f"`{r['file']}` {r['seconds']:.0f} s" for r in slow) + "."]
    return "\n".join(L)


def intro(meta: dict) -> str:
    return (
        f"Every image and video file in the shared corpus ({meta['data']}: {meta.get('selected', '?')} files "
        f"picked by extension from {meta['corpus_files']}; sidecars, documents and audio are not media) is run "
        "through the real command line in its own process, `unseen FILE -o TMPDIR --json -q`, by "
        "`bench/corpus_sweep.py`. An output counts as clean only if exiftool (`-a -u -ee -G0:1`: duplicates, "
        "unknown and embedded tags too) finds no tag outside the allow-list in the script (file-system facts, "
        "JFIF version and density, image and container structure; video dates only when zero; any name with "
        "GPS, Make, Model, Software, Encoder, Comment, Thumbnail, Preview... fails). A refusal counts as clear "
        "only with exit 1, exactly one stderr line `unseen: PATH: cause`, and no output or temporary file left. "
        "Every corpus file is hashed (SHA-256) before and after. Raw camera files (DNG, CR2, NEF, RAF, RW2, "
        "X3F, ...) are refused by design with a clear line: unseen does not develop raw sensor data."
    )


def subsections(page: str) -> dict[str, str]:
    """``### title`` -> its text, inside this benchmark's section of docs/BENCHMARKS.md."""
    start = page.find(SECTION + "\n")
    if start < 0:
        return {}
    end = page.find("\n## ", start + len(SECTION))
    out = {}
    for chunk in page[start:end if end >= 0 else len(page)].split("\n### ")[1:]:
        title, _, body = chunk.partition("\n")
        out[title.strip()] = body.strip("\n")
    return out


def _reason_class(error: str) -> str:
    e = re.sub(r"\d+", "N", error or "")
    e = re.sub(r"\(.*?\)", "(...)", e)
    return e[:120]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--run-one"]:
        det = "real"
        rest = argv[1:]
        if rest[:1] == ["--detector"]:
            det, rest = rest[1], rest[2:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
        run_one(rest, det)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--detector", choices=("real", "none"), default="real")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--image-timeout", type=float, default=60)
    p.add_argument("--seconds-per-mp", type=float, default=20,
                   help="extra time per megapixel with the real detector (default 20)")
    p.add_argument("--video-timeout", type=float, default=120)
    p.add_argument("--seconds-per-mp-frame", type=float, default=0.5,
                   help="extra time per megapixel of each video frame with the real detector (default 0.5)")
    p.add_argument("--only", action="append", default=[], help="sweep only paths containing this")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--max-minutes", type=float, default=0,
                   help="start no new file after this long; finish, hash and report (resume later)")
    p.add_argument("--resume", action="store_true", help="skip files already in results.jsonl")
    p.add_argument("--keep-outputs", action="store_true")
    p.add_argument("--write-md", action="store_true")
    p.add_argument("--render-only", action="store_true", help="rewrite the markdown from results.jsonl")
    args = p.parse_args(argv)
    args.deadline = time.monotonic() + 60 * args.max_minutes if args.max_minutes else 0
    if shutil.which("exiftool") is None:
        print("corpus_sweep: exiftool is required (apt-get install libimage-exiftool-perl)", file=sys.stderr)
        return 2
    data = args.data.resolve()
    out_root = OUT_ROOT / args.detector
    out_root.mkdir(parents=True, exist_ok=True)
    results = out_root / "results.jsonl"
    meta_file = out_root / "meta.json"
    files = corpus(data)
    if args.only:
        files = [f for f in files if any(s in str(f) for s in args.only)]
    if args.limit:
        files = files[: args.limit]
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    types_file = out_root / "input_tags.json"
    input_tags = json.loads(types_file.read_text()) if types_file.exists() else {}
    missing = [f for f in files if str(f.relative_to(data)) not in input_tags]
    if missing:
        log(f"reading input metadata of {len(missing)} files with exiftool ...")
        for i in range(0, len(missing), 100):
            part = exiftool_json(missing[i : i + 100], [], 600)
            input_tags.update({str(Path(k).relative_to(data)): v for k, v in part.items()})
        types_file.write_text(json.dumps(input_tags))
    if not args.render_only:
        done: dict[str, dict] = {}
        if args.resume and results.exists():
            # --resume keeps earlier rows; with --only, the selected files are run again.
            redo = {str(f.relative_to(data)) for f in files} if args.only else set()
            kept = []
            for line in results.read_text().splitlines():
                r = json.loads(line)
                if r["file"] not in redo:
                    done[r["file"]] = r
                    kept.append(line)
            results.write_text("".join(k + "\n" for k in kept))
        else:
            results.write_text("")
        log(f"hashing the corpus ({data}) ...")
        hashes_before = tree_hashes(data)
        todo = interleave([f for f in files if str(f.relative_to(data)) not in done], data)
        lock = threading.Lock()
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="unseen-sweep-") as tmp, \
                cf.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            # Children run a frozen copy of this script and the bench modules it imports: editing them
            # during a long sweep changes nothing.
            here = Path(__file__).resolve()
            shutil.copy2(here, Path(tmp) / "corpus_sweep_child.py")
            for module in CHILD_IMPORTS:
                shutil.copy2(here.with_name(module), Path(tmp) / module)
            futures = {pool.submit(sweep_file, i, f, data, Path(tmp), args): f for i, f in enumerate(todo)}
            for n, fut in enumerate(cf.as_completed(futures), 1):
                row = fut.result()
                if row is None:
                    continue
                row["input_kinds"] = sorted(input_kinds(input_tags.get(row["file"], {})))
                with lock, open(results, "a") as fh:
                    fh.write(json.dumps(row) + "\n")
                log(f"[{n}/{len(todo)}] {row['outcome']:<10} {row['seconds']:6.1f}s {row['file']}"
                    + (f"  -- {row.get('error') or '; '.join(row.get('leaks', [])[:3])}"
                       if row["outcome"] != "clean" else ""))
        old_meta = json.loads(meta_file.read_text()) if args.resume and meta_file.exists() else {}
        wall = time.perf_counter() - t0 + old_meta.get("wall", 0)
        command = shlex.join(["python", "bench/corpus_sweep.py", *argv])
        if old_meta.get("command"):
            command = f"{old_meta['command']}` then `{command}"
        hashes_after = tree_hashes(data)
        changed = sorted(k for k in hashes_before if hashes_after.get(k) != hashes_before[k])
        import unseen

        meta = {
            "data": os.path.relpath(data, REPO.parent) if data.is_relative_to(REPO.parent) else str(data),
            "corpus_files": sum(1 for p in data.rglob("*") if p.is_file()),
            "tree_files": len(hashes_before), "inputs_changed": len(changed), "changed": changed,
            "selected": len(corpus(data)), "detector": args.detector, "jobs": args.jobs,
            "image_timeout": args.image_timeout,
            "seconds_per_mp": args.seconds_per_mp, "video_timeout": args.video_timeout,
            "seconds_per_mp_frame": args.seconds_per_mp_frame,
            "when": dt.datetime.now().strftime("%Y-%m-%d"), "version": unseen.__version__,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU(s) shared with other work",
            "wall": wall, "command": command,
        }
        meta_file.write_text(json.dumps(meta))
    meta = json.loads(meta_file.read_text())
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    print(render(rows, input_tags, meta))
    if args.write_md:
        parts = [intro(meta)]
        written = subsections(BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "")
        for det, title in (("none", "Detector stub: every file"), ("real", "Shipped detector")):
            d = OUT_ROOT / det
            if not (d / "meta.json").exists():  # not run on this machine: keep what the page says
                if title in written:
                    parts += ["", f"### {title}", "", written[title]]
                continue
            m = json.loads((d / "meta.json").read_text())
            rs = [json.loads(line) for line in (d / "results.jsonl").read_text().splitlines() if line.strip()]
            tags = json.loads((d / "input_tags.json").read_text()) if (d / "input_tags.json").exists() else {}
            parts += ["", f"### {title}", "", render(rs, tags, m)]
        write_md(SECTION, "\n".join(parts))
        log(f"wrote {SECTION} to {BENCHMARKS_MD}")
    bad = sum(r["outcome"] in FAILURE_OUTCOMES or r["outcome"].startswith("crash") for r in rows)
    return 1 if bad or meta["inputs_changed"] else 0


if __name__ == "__main__":
    sys.exit(main())
