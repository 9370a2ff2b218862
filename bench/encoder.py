"""x264 preset for unseen's video output: CPU per frame, file size and quality, side by side.

Every output frame is re-encoded (the masks are burned in), so the encoder is a fixed cost of every
clip: on the 1080p facenet clip it was ~4.5 CPU s of unseen's ~25 s. This decodes each clip once,
then encodes the same frames with each preset at unseen's other settings (crf 20, mbtree=0, x264's
own threads) in interleaved rounds, and reports the median CPU per frame, the file size and PSNR-Y
against the decoded source (the quality the viewer gets; 45 dB and up is visually clean).

Usage: ``python bench/encoder.py [--repeat 3] [--write-md]``; UNSEEN_SHARED points at the shared
data (default ../shared/data).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, git_revision, machine  # noqa: E402

SHARED = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))
CLIPS = {
    "facenet 1920x1080": "facenet_pytorch_timesler/examples/video.mp4",
    "lp-s18 1280x720": "liveportrait_kwaivgi/assets/examples/source/s18.mp4",
    "hamilton 640x360": "face_recognition_ageitgey/examples/short_hamilton_clip.mp4",
}
PRESETS = ("veryfast", "superfast", "ultrafast")
HEADING = "## Video: encoder preset (bench/encoder.py)"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def encode(frames: list[np.ndarray], width: int, height: int, preset: str) -> tuple[float, bytes]:
    """CPU seconds and the MP4 bytes of ``frames`` (yuv420p planes) encoded as unseen does."""
    from unseen.media.video_write import ENCODER_OPTIONS

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as c:
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = width, height, "yuv420p"
        s.codec_context.options = {**ENCODER_OPTIONS["libx264"], "preset": preset}
        s.codec_context.thread_count = 0
        t0 = cpu()
        for a in frames:
            for p in s.encode(av.VideoFrame.from_ndarray(a, format="yuv420p")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
        spent = cpu() - t0
    return spent, buf.getvalue()


def psnr_y(frames: list[np.ndarray], data: bytes, height: int) -> float:
    with av.open(io.BytesIO(data)) as c:
        out = [f.to_ndarray(format="yuv420p")[:height] for f in c.decode(video=0)]
    mse = np.mean([np.mean((a[:height].astype(np.float32) - b) ** 2) for a, b in zip(frames, out, strict=True)])
    return float(10 * np.log10(255.0**2 / max(mse, 1e-9)))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    prov = (f"Command: `{command_line()}`  \nDate: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"machine: {machine()}; unseen git {git_revision()}.")
    rows = []
    for label, rel in CLIPS.items():
        path = SHARED / rel
        if not path.exists():
            print(f"skip {label}: {path} not found")
            continue
        with av.open(str(path)) as c:
            frames = [f.to_ndarray(format="yuv420p") for f in c.decode(video=0)]
            width, height = c.streams.video[0].codec_context.width, c.streams.video[0].codec_context.height
        cpus: dict[str, list[float]] = {k: [] for k in PRESETS}
        data: dict[str, bytes] = {}
        for r in range(args.repeat):
            for preset in PRESETS[r % len(PRESETS) :] + PRESETS[: r % len(PRESETS)]:  # rotate the order between rounds
                spent, data[preset] = encode(frames, width, height, preset)
                cpus[preset].append(spent)
        for preset in PRESETS:
            rows.append((label, preset, statistics.median(cpus[preset]) / len(frames), len(data[preset]) / 1024,
                         psnr_y(frames, data[preset], height)))
            print(*rows[-1], flush=True)
    base = {r[0]: r for r in rows if r[1] == "veryfast"}
    lines = [prov, "",
             "Each clip decoded once; its frames encoded with each x264 preset at unseen's other settings "
             f"(crf 20, mbtree=0, x264's own threads), {args.repeat} interleaved rounds, median CPU (user + sys). "
             "PSNR-Y against the decoded source.", "",
             "| clip | preset | CPU ms per frame | vs veryfast | file KiB | vs veryfast | PSNR-Y dB |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for label, preset, c, kib, q in rows:
        b = base[label]
        lines.append(f"| {label} | {preset} | {1000 * c:.1f} | {c / b[2]:.2f}x | {kib:.0f} | {kib / b[3]:.2f}x "
                     f"| {q:.2f} |")
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
