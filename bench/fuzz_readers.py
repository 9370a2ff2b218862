"""Bounded fuzzing of unseen's readers with hypothesis (a benchmark, not a CI test).

Seeds are small, valid files made at start-up from the committed fixtures, in every format unseen
reads (JPEG with EXIF/GPS and a thumbnail, MPO-like JPEG, PNG with text chunks, 16-bit PNG, palette
PNG, animated GIF and WebP, TIFF, BMP, HEIC, AVIF; MP4, MOV, MKV, WebM, AVI, MPEG-TS). Hypothesis
mutates them (bit flips, byte overwrites biased towards headers, truncation, insertion, deletion,
chunk duplication, big integers in size fields) and each target must either succeed or fail with
``UnseenError``, within a time limit per input:

=====================  ====================================================================
target                 contract
=====================  ====================================================================
image.read             DecodedImage of uint8 (H, W, 3) frames, or UnseenError
image.encode           for what read returned: ``engine.image.encode_checked`` gives clean bytes
                       or UnseenError (its leak check must pass on every decodable input)
image.anonymize        the photo flow with the shipped detector (faces and plates, self-check):
                       ``cover_decoded`` then ``encode_checked`` give bytes or UnseenError;
                       bytes decode to the masked frames' size and, for an animation, the
                       input's timeline (``media.image.shown_frames``); ``--verify`` on them
                       (``verify.verify_pixels``) answers or raises UnseenError
image.anonymize.styles the same covering text too, in every style and shape (noise, pixelate,
                       blur and box have their own masking code)
metadata.inspect       ``inspect.inspect_file`` (``unseen inspect``): Findings or UnseenError
metadata.image_leaks   never raises on any bytes, for every format
video.anonymize        ``anonymize_video`` with a detector that finds nothing: dict or
                       UnseenError, and then the temporary output holds no metadata
video.anonymize.audio  the same with ``--audio keep`` (the audio decoded and re-encoded)
video.inspect          ``inspect_video``: Findings or UnseenError
=====================  ====================================================================

A *finding* is any other exception, a hang (time limit), or an UnseenError that only wraps an
unexpected internal exception (``__context__`` of a type a decoder should not raise, e.g.
TypeError, IndexError, KeyError) - the last kind fails closed already but points at a bug. Each
distinct finding (exception type + innermost frame) is saved once to
bench/out/fuzz/findings/<target>-<n>.bin with its traceback, and the run goes on.

Usage (hypothesis comes with ``pip install -e '.[bench]'``)::

    python bench/fuzz_readers.py [--examples 300] [--targets image.read,video.anonymize] [--seed N]
                                 [--write-md]

``--write-md`` writes the "## Fuzzing" section of docs/BENCHMARKS.md; the findings and their fixes
listed there are kept as regression tests in tests/test_bad_inputs.py (``test_fuzz_regression_*``).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import io
import os
import platform
import shlex
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
from fuzz_seeds import image_seeds, video_seeds

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "fuzz"
SECTION = "## Fuzzing"

def _expected(exc: BaseException) -> bool:
    """Exceptions a decoder raises for bad data by design (the rest point at a bug somewhere)."""
    import struct
    import zlib

    from PIL import Image

    expected: tuple[type[BaseException], ...] = (OSError, SyntaxError, EOFError, struct.error, zlib.error,
                                                 Image.DecompressionBombError)
    with contextlib.suppress(ImportError):
        import av

        expected += (av.error.FFmpegError,)
    # ValueError is how Pillow says "bad data" but UnicodeDecodeError is a ValueError too: not expected.
    if isinstance(exc, UnicodeError):
        return False
    if isinstance(exc, RuntimeError):  # Pillow's AVIF and HEIF plugins say "bad data" this way
        frames = traceback.extract_tb(exc.__traceback__)
        return bool(frames) and any(k in frames[-1].filename for k in ("/PIL/", "pillow_heif"))
    return isinstance(exc, expected) or type(exc) is ValueError


class Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise Hang("time limit per input exceeded")


# ------------------------------------------------------------------------------------------------
# mutation strategy
# ------------------------------------------------------------------------------------------------

def mutated(seeds: dict[str, bytes]):
    from hypothesis import strategies as st

    names = sorted(seeds)
    interesting = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]

    @st.composite
    def strat(draw):
        # Positions and values come from a seeded Random that hypothesis draws: uniform over the
        # file, where hypothesis's own integers would crowd at 0 (the magic bytes) while shrinking.
        rnd = draw(st.randoms(use_true_random=False))
        name = draw(st.sampled_from(names))
        data = bytearray(seeds[name])
        for _ in range(rnd.randint(1, 6)):
            n = len(data)
            if n == 0:
                break
            # Half of the edits land in the first 1 KiB, where headers and boxes are parsed.
            hi = min(n, 1024) if rnd.random() < 0.5 else n
            pos = rnd.randrange(hi)
            op = rnd.choice(["flip", "byte", "bytes", "int", "truncate", "insert", "delete", "dup"])
            if op == "flip":
                data[pos] ^= 1 << rnd.randrange(8)
            elif op == "byte":
                data[pos] = rnd.randrange(256)
            elif op == "bytes":
                chunk = rnd.randbytes(rnd.randint(1, 16))
                data[pos : pos + len(chunk)] = chunk
            elif op == "int":
                width = rnd.choice([2, 4])
                value = rnd.choice(interesting) & ((1 << (8 * width)) - 1)
                data[pos : pos + width] = value.to_bytes(width, rnd.choice(["big", "little"]))
            elif op == "truncate":
                del data[max(pos, 8):]
            elif op == "insert":
                data[pos:pos] = rnd.randbytes(rnd.randint(1, 64))
            elif op == "delete":
                del data[pos : pos + rnd.randint(1, 64)]
            else:
                length = rnd.randint(1, 256)
                data[pos:pos] = data[pos : pos + length]
        return name, bytes(data)

    return strat()


# ------------------------------------------------------------------------------------------------
# targets
# ------------------------------------------------------------------------------------------------

class NoFaces:
    """A detector that finds nothing (``detect``/``check`` like unseen's ensemble)."""

    threshold_shift = 0.0
    nms_iou = 0.35

    def detect(self, rgb, *args, **kwargs):  # noqa: ARG002
        from unseen.regions import Regions

        return Regions.empty()

    check = detect


def t_image_read(path: Path) -> None:
    from unseen.engine.image import MaskedImage, encode_checked
    from unseen.media import image as image_io
    from unseen.regions import Frame, Regions

    img = image_io.read(path, max_pixels=4_000_000)
    assert img.frames, "no frames"
    for f, a in zip(img.frames, img.alpha, strict=True):
        assert f.dtype == np.uint8 and f.ndim == 3 and f.shape[2] == 3, f"bad frame {f.dtype} {f.shape}"
        assert a is None or a.shape == f.shape[:2], "alpha shape"
    masked = MaskedImage(frames=[Frame(f, Regions.empty(), index=i) for i, f in enumerate(img.frames)], counts={})
    encode_checked(img, masked)  # raises UnseenError if the output would not be clean


_DETECTORS: dict = {}  # per --cover, loaded once


def t_image_anonymize(path: Path, options=None) -> None:
    from PIL import Image, ImageSequence

    from unseen.engine.image import cover_decoded, encode_checked
    from unseen.media import image as image_io
    from unseen.options import Options
    from unseen.verify import verify_pixels

    options = options or Options()
    if options.cover not in _DETECTORS:
        _DETECTORS[options.cover] = options.make_detector()
    img = image_io.read(path, max_pixels=1_000_000)  # the real detector: keep each input under a second
    masked = cover_decoded(img, _DETECTORS[options.cover], options)
    assert len(masked.frames) == len(img.frames), "a frame lost while covering"
    data = encode_checked(img, masked, [])
    with Image.open(io.BytesIO(data)) as back:
        h, w = masked.frames[0].pixels.shape[:2]
        assert back.size == (w, h), f"output {back.size}, masked {(w, h)}"
        if len(img.frames) > 1 and getattr(back, "n_frames", 1) > 1:
            times = [image_io.frame_ms(f) for f in ImageSequence.Iterator(back)]
            assert image_io.shown_frames(img.durations, times) is not None, "timeline changed"
    verdict = verify_pixels(img.frames, data, img.output_format, options.cover, img.durations)
    assert verdict.get("verdict") in ("pass", "fail"), f"verify answered {verdict.get('verdict')!r}"


def t_image_anonymize_styles(path: Path) -> None:
    """The same with faces, plates and text covered, in each style and shape in turn (picked by the
    input's size): noise, pixelation and blur have their own masking code."""
    from unseen.mask import SHAPES, STYLES
    from unseen.options import Options

    n = path.stat().st_size
    t_image_anonymize(path, Options(cover=("face", "plate", "text"), style=STYLES[n % len(STYLES)],
                                    shape=SHAPES[(n // len(STYLES)) % len(SHAPES)]))


def t_metadata_inspect(path: Path) -> None:
    from unseen.inspect import inspect_file  # ``unseen inspect`` without face counting

    inspect_file(path, None)


def t_image_leaks(path: Path) -> None:
    from unseen.media.image_check import leaks as image_leaks

    data = path.read_bytes()
    for fmt in ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP"):
        out = image_leaks(data, fmt)
        assert isinstance(out, list)


def t_video_anonymize(path: Path, audio: str = "drop") -> None:
    from unseen.engine.video import anonymize_video
    from unseen.media.video_check import verify_output
    from unseen.options import Options

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ".unseen-tmp-out.mp4"
        out.touch()
        info = anonymize_video(path, out, Options(audio=audio), NoFaces(), None, None)
        problems = verify_output(out, "h264", -1, info.audio.startswith("kept"))
        leaks = [p for p in problems if "frame" not in p]
        assert not leaks, f"output not clean: {leaks}"


def t_video_anonymize_audio(path: Path) -> None:
    """The same with ``--audio keep``: the audio stream is decoded, re-encoded and placed on the
    output's timeline (``engine.video.output_origin``)."""
    t_video_anonymize(path, "keep")


def t_video_inspect(path: Path) -> None:
    from unseen.inspect.video import inspect_video

    inspect_video(path)


TARGETS = {
    "image.read": ("image", t_image_read),
    "image.anonymize": ("image", t_image_anonymize),
    "image.anonymize.styles": ("image", t_image_anonymize_styles),
    "metadata.inspect": ("image", t_metadata_inspect),
    "metadata.image_leaks": ("image", t_image_leaks),
    "video.anonymize": ("video", t_video_anonymize),
    "video.anonymize.audio": ("video", t_video_anonymize_audio),
    "video.inspect": ("video", t_video_inspect),
}


# ------------------------------------------------------------------------------------------------
# runner
# ------------------------------------------------------------------------------------------------

def _signature(exc: BaseException, tb_exc: BaseException | None = None) -> str:
    src = tb_exc or exc
    frames = traceback.extract_tb(src.__traceback__)
    inner = frames[-1] if frames else None
    where = f"{Path(inner.filename).name}:{inner.lineno} {inner.name}" if inner else "?"
    return f"{type(src).__name__} at {where}"


def run_target(name: str, seeds: dict[str, bytes], examples: int, limit: float, seed: int | None,
               findings_dir: Path) -> dict:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    from unseen.errors import UnseenError

    kind, fn = TARGETS[name]
    stats = collections.Counter()
    found: dict[str, dict] = {}
    tmp = Path(tempfile.mkdtemp(prefix="unseen-fuzz-"))

    def check(case):
        seed_name, data = case
        path = tmp / ("input" + Path(seed_name).suffix)
        path.write_bytes(data)
        signal.setitimer(signal.ITIMER_REAL, limit)
        sig = None
        try:
            fn(path)
            stats["ok"] += 1
        except UnseenError as exc:
            ctx = exc.__context__
            if ctx is not None and not _expected(ctx) and not isinstance(ctx, UnseenError):
                sig = "wrapped " + _signature(ctx)
                stats["wrapped internal error"] += 1
                detail = "".join(traceback.format_exception(ctx))
            else:
                stats["UnseenError"] += 1
        except Hang:
            sig, detail = f"hang > {limit:.0f} s", traceback.format_exc()
            stats["hang"] += 1
        except AssertionError as exc:
            sig, detail = f"contract: {str(exc)[:80]}", traceback.format_exc()
            stats["contract broken"] += 1
        except MemoryError:
            stats["MemoryError"] += 1
        except Exception as exc:  # noqa: BLE001 - this is what we are looking for
            sig, detail = _signature(exc), traceback.format_exc()
            stats["uncaught exception"] += 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if sig and sig not in found:
            n = len(found) + 1
            out = findings_dir / f"{name}-{n}{Path(seed_name).suffix}"
            out.write_bytes(data)
            out.with_suffix(out.suffix + ".txt").write_text(f"seed: {seed_name}\n{sig}\n\n{detail}")
            found[sig] = {"file": out.name, "seed": seed_name, "count": 0}
            print(f"  finding {name}: {sig} ({out.name})", file=sys.stderr, flush=True)
        if sig:
            found[sig]["count"] += 1

    test = given(mutated(seeds))(check)
    test = settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
                    suppress_health_check=list(HealthCheck), phases=["generate"])(test)
    if seed is not None:
        test = hseed(seed)(test)
    t0 = time.perf_counter()
    test()
    return {"target": name, "kind": kind, "examples": sum(stats.values()), "stats": dict(stats),
            "findings": found, "seconds": time.perf_counter() - t0}


def render(results: list[dict], meta: dict) -> str:
    L = [
        "Bounded fuzzing of the readers with hypothesis (`bench/fuzz_readers.py`, a benchmark, not CI). "
        "Seeds are small valid files made from the fixtures in every format unseen reads; each input is "
        "a seed with 1-6 mutations (bit flips, byte and integer overwrites biased towards headers, "
        "truncation, insertion, deletion, duplication). A target must succeed or raise `UnseenError` "
        f"within {meta['limit']:.0f} s. A finding is any other exception, a hang, a broken contract, or an "
        "`UnseenError` that only wraps an exception a decoder should not raise (fails closed, but a bug).",
        "",
        f"- Run: {meta['when']}, {meta['machine']}, Pillow {meta['pillow']}, pillow-heif {meta['heif']}, "
        f"PyAV {meta['av']}, hypothesis {meta['hypothesis']}; seeds: {meta['seeds']}.",
        f"- Command: `{meta['command']}`",
        "",
        "| target | inputs | ok | UnseenError | findings (distinct) | seconds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r["stats"]
        L.append(f"| {r['target']} | {r['examples']} | {s.get('ok', 0)} | {s.get('UnseenError', 0)} | "
                 f"{len(r['findings'])} | {r['seconds']:.0f} |")
    L += ["", "Findings in this run:", ""]
    any_found = False
    for r in results:
        for sig, f in r["findings"].items():
            any_found = True
            how = ("fails closed with one line, listed because the exception type points at a bug"
                   if sig.startswith("wrapped") else "**not handled**")
            L.append(f"- {r['target']}: {sig} (x{f['count']}, from {f['seed']}; saved as {f['file']}): {how}")
    if not any_found:
        L.append("- none")
    L += ["", *meta.get("history", [])]
    return "\n".join(L)




def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--examples", type=int, default=300, help="inputs per target (default 300)")
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--limit", type=float, default=20, help="seconds per input before it counts as a hang")
    p.add_argument("--seed", type=int, help="hypothesis seed (default: derandomized, reproducible)")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    try:
        import hypothesis
    except ImportError:
        print("fuzz_readers: needs hypothesis (pip install -e '.[bench]')", file=sys.stderr)
        return 2
    import av
    import PIL
    import pillow_heif

    signal.signal(signal.SIGALRM, _alarm)
    OUT.mkdir(parents=True, exist_ok=True)
    findings_dir = OUT / "findings"
    findings_dir.mkdir(exist_ok=True)
    seeds_img = image_seeds()
    with tempfile.TemporaryDirectory() as tmp:
        seeds_vid = video_seeds(Path(tmp))
    results = []
    for name in args.targets.split(","):
        kind = TARGETS[name][0]
        seeds = seeds_img if kind == "image" else seeds_vid
        if kind == "video":
            from importlib.util import find_spec

            if find_spec("unseen.engine.video") is None:
                print(f"fuzz: skipping {name}: unseen.engine.video not present", file=sys.stderr)
                continue
        print(f"fuzz: {name}: {args.examples} inputs from {len(seeds)} seeds", file=sys.stderr, flush=True)
        r = run_target(name, seeds, args.examples, args.limit, args.seed, findings_dir)
        print(f"fuzz: {name}: {r['stats']} in {r['seconds']:.0f} s", file=sys.stderr, flush=True)
        results.append(r)
    meta = {
        "when": dt.datetime.now().strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU(s)",
        "pillow": PIL.__version__, "heif": pillow_heif.__version__, "av": av.__version__,
        "hypothesis": hypothesis.__version__,
        "seeds": ", ".join(sorted(seeds_img) + sorted(seeds_vid)),
        "limit": args.limit,
        "command": shlex.join(["python", "bench/fuzz_readers.py", *argv]),
        "history": HISTORY_LINES,
    }
    body = render(results, meta)
    print(body)
    if args.write_md:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from benchlib import write_md

        write_md(SECTION, body)
    return 1 if any(r["findings"] for r in results) else 0


# What earlier runs (and the corpus sweep) found, and what became of each; rendered under the table.
HISTORY_LINES: list[str] = [
    "Found by earlier runs and by the corpus sweep, each kept as a regression test (`test_fuzz_regression_*` in "
    "tests/test_bad_inputs.py and tests/test_bad_inputs_media.py, or the test named):",
    "",
    "| finding | effect | fix |",
    "|---|---|---|",
    "| image.read: corrupt AVIF, Pillow raises `RuntimeError` (\"Missing or empty image item\"); a TIFF "
    "page without ImageWidth raises `TypeError` (exiftool's CanonRaw.cr2) | traceback instead of one line "
    "| media/image.py: any decoder exception becomes `cannot read image header/cannot decode image: ...` |",
    "| image.read: libtiff prints `ZIPDecode: Decoding error ...` to C-level stderr | two stderr lines "
    "| media/image.py: libtiff's error/warning handlers are reset at import |",
    "| metadata.image_leaks: the TIFF check raised on unparseable bytes | traceback if our own output "
    "were unreadable | media/image_check.py: any parser exception means \"not clean\" |",
    "| raw camera files (DNG, CR2, NEF ...): Pillow reads the small preview, or fails oddly | a tiny "
    "preview written as if it were the photo, or a confusing error | media/image.py: refused by name "
    "and by content (DNGVersion tag, CR2 magic) with a clear line |",
    "| video.*: `av.error.ValueError` does not exist (PyAV 18), hit on any corrupt header | "
    "`video processing failed: AttributeError`; traceback in `unseen inspect` | fixed in media/video_read.py |",
    "| video.*: container tag not valid UTF-8 (PyAV `UnicodeDecodeError`) | a playable video refused; "
    "traceback in `unseen inspect` | fixed in media/ffmpeg.py (`av.open(..., metadata_errors=\"replace\")`) |",
    "| video.*: video track with an unknown codec has `codec_context` None | `AttributeError`; traceback "
    "in `unseen inspect` | fixed in media/video_read.py (clear refusal) and inspect/video.py (any video reader "
    "error is one line) |",
    "| image.anonymize: an animated WebP whose frames are alike once masked (2026-12-02) | refused (\"output "
    "is ... x2, expected ... x3\"): the re-read took the folded frames' times before decoding them, when "
    "Pillow's WebP reader has not set them | media/image.py (`frame_ms` decodes the frame first); "
    "tests/test_photo.py `test_a_webp_whose_frames_are_alike_once_masked_is_written_and_verified` |",
    "| image.read: a JPEG turned by EXIF whose GPS version is stored as text (2026-12-02) | refused (\"cannot "
    "apply EXIF orientation: can't concat str to bytes\"): Pillow's `exif_transpose` writes the EXIF back "
    "and that fails | media/image.py: the pixels are transposed by the orientation tag alone (`_ORIENTATION`) |",
    "| metadata.inspect: a PNG whose image data is cut short (2026-12-02) | `unseen inspect` said \"cannot read "
    "image: AssertionError\" (Pillow decodes the PNG to reach text chunks after it; a second decode asserts) "
    "| inspect/image.py: listed as \"PNG chunks after the image data (unreadable ...)\" |",
    "| image.read: a GIF cut short (2026-12-02) | refused with \"cannot read image header: index out of range\" "
    "(Pillow counts its frames past the end); a cut WebP said \"could not create decoder object\" | media/image.py "
    "`_reason`: \"the file is truncated or corrupt (...)\"; every cut of a small file of each format is checked "
    "(`test_fuzz_regression_a_cut_file_is_called_cut`) |",
]


if __name__ == "__main__":
    sys.exit(main())
