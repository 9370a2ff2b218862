"""What the review page says, in a reader's words: the engine's notes, the names of the metadata it
removed and its errors, rewritten for a person who never used the command line.

The command line keeps its own (technical, exact) wording; the page shows these. Nothing here
decides anything: an unknown text is passed through unchanged (with any command-line flag cut).
"""

from __future__ import annotations

import re
from pathlib import Path

_NOTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^colour converted to sRGB; ICC profile dropped$"),
     "colours converted to the standard screen colours (the file's colour profile is not kept)"),
    (re.compile(r"^ICC profile unreadable; colours taken as sRGB$"),
     "the file's colour profile could not be read: colours are taken as standard screen colours"),
    (re.compile(r"^EXIF orientation \d applied to pixels$"), "turned upright, as the camera recorded it"),
    (re.compile(r"^EXIF unreadable; orientation left as stored$"),
     "the camera's rotation setting could not be read: the picture is kept as stored"),
    (re.compile(r"^\S+ reduced to 8-bit$"), "extra colour depth reduced to ordinary 8-bit colour"),
    (re.compile(r"^(\w+) written as (\w+)$"), r"saved as \2 (the original is \1)"),
    (re.compile(r"^(\d+) pictures in the file; only the first is written$"),
     r"the file holds \1 pictures: only the first is saved"),
    (re.compile(r"^audio re-encoded; voices can identify people$"),
     "the sound is kept (re-encoded): voices can identify people"),
    (re.compile(r"^rotation (\d+) degrees applied to the pixels$"), r"turned \1 degrees upright"),
    (re.compile(r"^rotation (\d+) degrees and mirrored applied to the pixels$"),
     r"turned \1 degrees and mirrored, as the file says to show it"),
    (re.compile(r"^(mirrored left to right|flipped top to bottom) applied to the pixels$"),
     r"\1, as the file says to show it"),
    (re.compile(r"^(\d+)x(\d+) cropped to (\d+)x(\d+) \(4:2:0 needs even sizes\)$"),
     r"one pixel cut from an odd edge (\1 x \2 to \3 x \4), as video needs even sizes"),
]
# A draft or save made in one tab after another tab or window of the same session changed the file.
CHANGED_ELSEWHERE = ("This file was changed in another tab or window: reload this page to see those "
                     "changes. What you changed here since is not kept.")
# The input was replaced (another picture, another size) after the page opened it.
CHANGED_ON_DISK = ("This file changed on disk since it was opened: reload the page to review it again "
                   "(the review starts over on the new file).")

# Notes a reader does not need: how the engine spent its time, and the boxes file's "only" mode, which is how
# the page saves a photo as the reviewer left it (detection ran when the page opened it).
_QUIET = re.compile(r"^\d+ detector passes|^\d+ frames in [\d.]+ s|^--\w+ applies to photos"
                    r"|^no detector ran: the boxes file gives the regions to cover \(mode only\)$")

_METADATA: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^GPS$"), "location (GPS)"),
    (re.compile(r"^EXIF( \(malformed\))?$"), "camera details and date"),
    (re.compile(r"^EXIF thumbnail.*$|^preview in the EXIF block$"), "hidden preview picture"),
    (re.compile(r"^XMP$"), "editing history and captions"),
    (re.compile(r"^IPTC( \(malformed\))?$"), "captions, credits and keywords"),
    (re.compile(r"^ICC profile$"), "colour profile"),
    (re.compile(r"^comment$"), "comment"),
    (re.compile(r"^PNG text chunks.*$"), "text notes"),
    (re.compile(r"^multi-picture \(MPF\) extra images$"), "extra pictures stored in the file"),
    (re.compile(r"^maker notes$"), "camera maker's notes"),
    (re.compile(r"^(HEIF|Photoshop) thumbnail.*$|^TIFF sub-image.*$"), "hidden preview picture"),
    (re.compile(r"^HEIF (picture \d+ of \d+|auxiliary picture|depth map|items).*$"),
     "extra pictures stored in the file"),
    (re.compile(r"^Photoshop layers? .*$"), "layers (each a picture of its own)"),
    (re.compile(r"^EXIF in the Photoshop resources$"), "camera details and date"),
    (re.compile(r"^JPEG 2000 (XML box|box \w+)$"), "application data"),
    (re.compile(r"^MP4 user data box (.+)$"), r"camera maker's data (\1)"),
    (re.compile(r"^(video|audio) stream tags.*$"), r"\1 labels"),
    (re.compile(r"^chapters.*$"), "chapters"),
    (re.compile(r"^telemetry.*$"), "sensor data (motion, location)"),
    (re.compile(r"^cover picture.*$"), "cover picture"),
    (re.compile(r"^a video after the picture.*$"), "a short video of the moment (motion photo)"),
    (re.compile(r"^\d+ bytes? after the end of the picture$"), "hidden data after the picture"),
    (re.compile(r"^JFXX extension thumbnail$"), "hidden preview picture"),
    (re.compile(r"^APP\d+ segment \((.+)\)$"), r"camera maker's data (\1)"),
    (re.compile(r"^GIF application block \((.+)\)$"), r"application data (\1)"),
    (re.compile(r"^GIF plain-text block.*$"), "text drawn over the picture"),
    (re.compile(r"^PNG chunks after the image data.*$"), "unreadable data after the picture"),
    (re.compile(r"^PNG chunk tIME.*$"), "time the picture was last changed"),
    (re.compile(r"^(?:PNG|WebP) chunk (\w+)$"), r"application data (\1)"),
]

_FLAG = re.compile(r"\s*\((?:use|try|pass|with) --[\w-]+[^)]*\)")
_EXISTS = re.compile(r"^output (.+) exists \(use --force to replace it\)$")


def note(text: str) -> str | None:
    """A note in plain words; None for notes a reader does not need."""
    if _QUIET.search(text):
        return None
    for pattern, words in _NOTES:
        if pattern.search(text):
            return pattern.sub(words, text)
    return _FLAG.sub("", text)


def notes(texts: list[str]) -> list[str]:
    return [n for n in (note(t) for t in texts) if n]


def metadata(names: list[str]) -> list[str]:
    out = []
    for name in names:
        for pattern, words in _METADATA:
            if pattern.search(name):
                name = pattern.sub(words, name)
                break
        if name not in out:
            out.append(name)
    return out


def error(text: str) -> str:
    """An error for the page: no command-line flag, and a file named by its name (the folder is shown
    apart, where there is room for it)."""
    m = _EXISTS.match(text)
    if m:
        path = Path(m.group(1))
        return f"{path.name} already exists in {path.parent}, and nothing was replaced"
    return _FLAG.sub("", text)
