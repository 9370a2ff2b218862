"""Reading and writing media files. This module is the one table of file types unseen knows.

Every entry point (the command line, the review page, ``verify``, ``inspect``, the engines) asks
``kind_of`` which way a file goes in, so a suffix added here is handled everywhere at once.
Readers and writers live in one module each: ``image`` (reading photos), ``image_write``,
``image_check`` (strict output allow-lists), ``ffmpeg`` (the only way any video file is opened),
``video_read``, ``video_write``, ``video_check`` and one module per output container (``mp4``,
``webm``).
"""

from __future__ import annotations

from pathlib import Path

IMAGE_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif",
    ".heic", ".heif", ".hif", ".avif", ".ppm", ".pgm", ".pbm", ".ico", ".mpo",
    ".jp2", ".j2k", ".jpf", ".jpx", ".psd", ".pcx",  # read since the start (``image_open.READ_FORMATS``)
    ".thm",  # a camera's JPEG still of each clip (Canon, GoPro): the clip's faces, under another name
    ".insp",  # an Insta360 photo: a JPEG of both lenses' circles, with GPS in its EXIF
    ".jps",  # a stereo camera's JPEG, both views side by side: read by name, a folder run passed it over
    # an animated PNG under its own name, and an AVIF sequence: read by name, a folder run passed them over as
    # "not photos or videos", exit 0 (a hunt, 2026-12-06)
    ".apng", ".avifs",
})
VIDEO_NAMES = "MP4, MOV, MKV, WebM, AVI, MPEG-TS"  # the containers those suffixes name, for messages
# Cameras' MP4s under names of their own, kept on the card beside the clips (a folder run passed them over
# as "not photos or videos", exit 0, faces and GPS in them): .lrv a GoPro's and .lrf a DJI drone's
# low-resolution copy of each clip, .insv an Insta360 clip, .360 a GoPro MAX clip (the output is the
# stream a player shows; the run says which other streams it leaves out).
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".qt", ".m4v", ".mkv", ".webm", ".avi", ".mts", ".m2ts", ".ts", ".3gp",
                            ".lrv", ".lrf", ".insv", ".360"})
# Suffixes other kinds of file use too, with what a media file of that suffix holds at a given offset:
# ``.ts`` is MPEG-TS from a camcorder or a broadcast recorder, and TypeScript source. A folder's file
# that does not hold it is no media file (``is_media_file``); one named on the command line is tried.
SHARED_SUFFIXES = {".ts": ((0, b"\x47"), (188, b"\x47")),  # the sync byte of the first two 188-byte packets
                   ".mod": ((0, b"\x00\x00\x01\xba"),),  # a camcorder's MPEG-PS pack, not a Go module or music
                   ".thm": ((0, b"\xff\xd8\xff"),),  # a JPEG, not a theme file; both were "not photos or videos"
                   ".lrf": ((4, b"ftyp"),)}  # an MP4, not a Sony Reader book (BBeB, "L\0R\0F\0")
# Raw camera files are refused: Pillow would only find the small embedded preview (or nothing), and
# developing raw sensor data is a different tool's job. The user exports a JPEG/TIFF first.
RAW_SUFFIXES = frozenset({
    ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".rw2", ".rwl", ".orf",
    ".pef", ".srw", ".x3f", ".mrw", ".3fr", ".fff", ".iiq", ".erf", ".kdc", ".dcr", ".mos", ".mef", ".raw",
    ".gpr",  # a GoPro's raw photo (DNG-based), beside its JPEG: a folder run passed it over, exit 0
})
# Videos and photos in forms unseen does not read: a folder's are refused one by one, as raw files are,
# so that a folder of .mpg or .wmv clips never looks done (they were passed over as "not photos or
# videos", exit 0); named on the command line they are refused the same way.
UNREAD_SUFFIXES = {
    **{s: "MPEG video" for s in (".mpg", ".mpeg", ".m2v", ".vob", ".mod", ".tod")},
    **{s: "Windows Media video" for s in (".wmv", ".asf")}, ".flv": "Flash video", ".f4v": "Flash video",
    ".ogv": "Ogg video", ".rm": "RealMedia video", ".rmvb": "RealMedia video", ".divx": "DivX video",
    ".mxf": "MXF video", ".dv": "DV video", ".3g2": "3GPP2 video", ".jxl": "JPEG XL image",
    **{s: "raw video" for s in (".r3d", ".braw", ".crm")},  # RED, Blackmagic and Canon cinema cameras' raw clips
    # an archive's scans of prints are often PDFs: passed over as "not photos or videos", exit 0, the run
    # looked done while the photos in them never were (a hunt, 2026-12-06)
    ".pdf": "PDF document",
    # what a DVR, an NVR or a dashcam exports: a bare H.264/H.265/MJPEG stream, or Dahua's .dav. Passed
    # over as "not photos or videos", exit 0, the faces in them untouched (a hunt, 2026-12-06)
    **{s: "raw H.264 video stream" for s in (".h264", ".264")},
    **{s: "raw H.265 video stream" for s in (".h265", ".265", ".hevc")},
    **{s: "raw MJPEG video stream" for s in (".mjpeg", ".mjpg")}, ".dav": "Dahua DVR video",
    # Pictures and videos in other forms, named by their usual suffixes: passed over as "not photos or videos",
    # exit 0, and a TGA named alone was called a "CUR image" (a hunt, 2026-12-06)
    ".tga": "TGA image", ".exr": "OpenEXR image", ".hdr": "Radiance HDR image", ".dpx": "DPX image",
    ".xcf": "GIMP image", ".psp": "PaintShop Pro image", ".pspimage": "PaintShop Pro image",
    **{s: "PICT image" for s in (".pict", ".pct")}, ".bpg": "BPG image", ".flif": "FLIF image", ".qoi": "QOI image",
    ".sgi": "SGI image", **{s: "JPEG XR image" for s in (".jxr", ".wdp", ".hdp")}, ".mng": "MNG animation",
    ".eps": "PostScript document", ".dcm": "DICOM medical image", ".fits": "FITS image",
    ".heics": "HEIF image sequence", ".swf": "Flash video", ".wtv": "Windows TV recording video",
    ".dvr-ms": "Windows TV recording video", ".y4m": "raw YUV video", ".amv": "AMV video",
}
# Sound on its own (a witness's voice memo): no pictures to cover, and unseen does not change a recording alone.
# Named on the command line it was told "convert it first" (an MP3 with cover art "GBR image"), and converted
# to MP4 it was "no video stream" (a hunt, 2026-12-06). A folder run leaves them alone, as other files.
AUDIO_SUFFIXES = frozenset({".m4a", ".mp3", ".wav", ".ogg", ".oga", ".opus", ".flac", ".aac", ".amr", ".wma",
                            ".aif", ".aiff", ".caf"})
MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES
# Files that travel with photos and videos and can tell where, when or who: editors' XMP sidecars, a photo
# export's JSON (Google Takeout's geoData), a drone's GPS subtitles, GPS tracks, an iPhone's edit file,
# Windows' thumbnail cache (small copies of the folder's photos, faces unmasked). Never read or copied;
# a folder run names them apart from other files it leaves alone, so they are not published beside outputs.
SIDECAR_SUFFIXES = frozenset({".xmp", ".json", ".srt", ".aae", ".gpx", ".kml", ".kmz", ".nmea", ".dop", ".pp3",
                              ".on1"})
SIDECAR_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "zbthumbnail.info"})


def is_sidecar(path: Path | str) -> bool:
    """One of the files ``SIDECAR_SUFFIXES`` and ``SIDECAR_NAMES`` name."""
    p = Path(path)
    return p.suffix.lower() in SIDECAR_SUFFIXES or p.name.lower() in SIDECAR_NAMES
# Output extension a suffix will most likely get (the real one follows the decoded format): used to
# plan the names of one run so that two inputs never claim one output (``engine.plan``).
LIKELY_OUTPUT = {**{s: ".jpg" for s in (".jpg", ".jpeg", ".jpe", ".jfif", ".heic", ".heif", ".hif", ".avif", ".mpo",
                                        ".thm", ".insp", ".jps", ".avifs")},
                 ".png": ".png", ".apng": ".png", ".ppm": ".png", ".pgm": ".png", ".pbm": ".png", ".ico": ".png",
                 ".webp": ".webp", ".tif": ".tif", ".tiff": ".tif", ".bmp": ".bmp", ".gif": ".gif",
                 **{s: ".png" for s in (".jp2", ".j2k", ".jpf", ".jpx", ".psd", ".pcx")}}


def pixels_said(n: float) -> str:
    """A pixel count in a message: megapixels from 0.1 MP, else pixels (``--max-pixels 1`` read "0 MP, over
    the 0 MP limit")."""
    if n >= 100_000:
        return f"{n / 1e6:.1f} MP"
    return f"{int(n)} pixel{'' if int(n) == 1 else 's'}"


def kind_of(path: Path | str) -> str:
    """``"video"``, ``"image"``, ``"raw"`` (refused with a reason) or ``""`` (not media) by suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in RAW_SUFFIXES:
        return "raw"
    return ""


def is_media_file(path: Path) -> bool:
    """Is this file in a folder a photo, a video, a raw file or one of ``UNREAD_SUFFIXES`` unseen should
    take (the last two to refuse in one line)? By suffix, and for
    a suffix other files share (``SHARED_SUFFIXES``) by the bytes it must hold."""
    suffix = path.suffix.lower()
    if suffix not in MEDIA_SUFFIXES | RAW_SUFFIXES and suffix not in UNREAD_SUFFIXES:
        return False
    marks = SHARED_SUFFIXES.get(suffix)
    if not marks:
        return True
    try:
        if not path.is_file():  # a FIFO would block the walk: taken, and refused as no regular file
            return True
        with open(path, "rb") as f:
            head = f.read(max(at + len(b) for at, b in marks))
    except OSError:
        return True  # unreadable: taken, so that the run says why in one line
    return all(head[at:at + len(b)] == b for at, b in marks)


def is_video(path: Path | str) -> bool:
    return kind_of(path) == "video"
