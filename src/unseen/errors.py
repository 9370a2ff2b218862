"""One exception type for every failure a user should see as a single clear line."""

from __future__ import annotations

import re


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


def os_cause(exc: BaseException) -> str:
    """What the system said of a path, for ``unseen: PATH: cause`` ("file name too long"; a symlink
    loop's own message), without Python's errno and file name around it."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
