"""One exception type for every failure a user should see as a single clear line."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path


class UnseenError(Exception):
    """A failure with a message fit for ``unseen: PATH: message`` (no traceback)."""


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message, for a one-line error (never a traceback).

    FFmpeg's errno prefix and trailing file name (``[Errno 1094995529] Invalid data ...: 'x.mp4'``)
    are cut: the caller prints the path itself, and the errno means nothing to a user.
    """
    text = str(exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    text = re.sub(r"^\[Errno -?\d+\] ", "", text)
    text = re.sub(r": '[^']*'$", "", text)
    return text[:limit]


def as_read(text: str) -> str:
    """An engine's error as a command that writes nothing says it (``inspect``, ``verify``): without the run's
    "nothing written" and its way out (``--audio drop``). ``unseen inspect`` said "...; nothing written" of a
    file it never meant to write (a hunt, 2026-12-06)."""
    return _WRITTEN.sub("", text)


_WRITTEN = re.compile(r"; nothing written(?: for this file)?(?: \(use --[\w-]+[^)]*\))?")


def os_cause(exc: BaseException) -> str:
    """What the system said of a path, for ``unseen: PATH: cause`` ("file name too long"; a symlink
    loop's own message), without Python's errno and file name around it."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on (escape sequences, carriage returns,
    newlines, bytes of a name that is not UTF-8) written out as Python escapes (\\x1b, \\n, \\xff): a file name or a
    tag value comes from whoever made the file, and printed raw, ``ESC ] 2 ;`` retitles the window,
    ``ESC [ 2 J`` clears the screen, and a carriage return writes over the line that names the file."""
    # bytes of a name that is not UTF-8 (os.fsdecode's surrogates) as \\xNN, as the file system has them;
    # any other lone surrogate is escaped below
    with contextlib.suppress(UnicodeEncodeError):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def fsname(path: str | Path) -> str:
    """Print any file name, even one that is not valid UTF-8 (as \\xNN), on one line."""
    return printable(os.fsdecode(path))
