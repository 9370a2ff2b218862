"""Writing an output so that failure leaves nothing behind (fail closed).

An output is written to a hidden temporary file in the target folder, checked, flushed to disk and
only then given its final name, atomically, never replacing an existing file without ``--force``.
Any error (or Ctrl-C, SIGTERM) removes the temporary file; temporary files a killed run left behind
are swept the next time a run writes into that folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import UnseenError, os_cause
from ..interrupt import check

TMP_PREFIX = ".unseen-tmp-"
STALE_TEMP_SECONDS = 6 * 3600
_SWEPT: set[Path] = set()


class OutputExists(UnseenError):
    """The output is already there and may not be replaced (no ``--force``).

    Its own type so that ``--skip-existing`` (and a retried file on a cluster) can count the file as
    skipped instead of failed; ``path`` is the existing output.
    """

    def __init__(self, path: Path):
        super().__init__(f"output {path} exists (use --force to replace it)")
        self.path = path


def claim(dst: Path, force: bool) -> None:
    """Fail before any work when ``dst`` exists and may not be replaced (``atomic_output`` checks
    again when it renames: another process may write it meanwhile). A folder, or without ``--force``
    a symbolic link (one to the original made the original count as its own output with
    ``--skip-existing``), is no output unseen wrote: an error, not ``OutputExists``."""
    try:
        link, folder = dst.is_symlink(), dst.is_dir()
        if folder or (link and not force):
            what = "a symbolic link" if link else "a folder"
            raise UnseenError(f"output {dst} exists and is {what}, not a file unseen wrote")
        if not force and dst.exists():
            raise OutputExists(dst)
    except OSError as exc:  # a name too long for the file system
        raise UnseenError(f"cannot write {dst}: {os_cause(exc)}") from None


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux), else set and reset."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii",
                                                        errors="replace") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_stale_temps(folder: Path) -> None:
    """Delete our own hidden temporary files that a killed run (SIGKILL, power loss) left behind.

    Only names starting with ``TMP_PREFIX`` and untouched for ``STALE_TEMP_SECONDS`` are removed: a
    run still writing one keeps touching it, and losing a live one only fails that run (closed).
    """
    if folder in _SWEPT:  # once per folder per run: a big folder is not re-listed for every output
        return
    _SWEPT.add(folder)
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(TMP_PREFIX):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if entry.is_file(follow_symlinks=False) and now - st.st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(entry.path)


def _not_a_folder(folder: Path) -> str | None:
    """Why ``folder`` cannot be made when a part of its path is a file: "File exists" named no file."""
    for part in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            if part.exists() and not part.is_dir():
                return f"{part} is a file, not a folder"
    return None


def _new_temp(dst: Path) -> Path:
    """A new empty private file beside ``dst``, named in the folder as the system finds it: mkstemp
    makes its folder absolute by text, so ``link/..`` became the folder holding the link (the system
    takes the one above the link's target), and resolving the folder first reads ``/dev/fd/N`` or
    ``/proc/PID/root`` as the text of a link, which another mount may hide."""
    for _ in range(100):
        tmp = dst.parent / f"{TMP_PREFIX}{secrets.token_hex(4)}{dst.suffix}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name in {dst.parent}")


@contextlib.contextmanager
def atomic_output(dst: Path, force: bool, source: Path | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``dst``; on success give it the final name, else delete it.

    ``source``: the input the output is made from, checked again as the name is given (the plan
    checks it before any work): an ``-o`` folder swapped mid-run for a link to the input's folder
    had ``--force`` replace the original with its output, reported ok (a hunt, 2026-12-05)."""
    claim(dst, force)
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(dst.parent)
        tmp = _new_temp(dst)
    except OSError as exc:
        raise UnseenError(f"cannot write to {dst.parent}: {_not_a_folder(dst.parent) or exc.strerror or exc}") from None
    folder = _held(dst.parent)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # the data must be on disk before the name points at it
            # mkstemp makes 0600, and so the file stays while it is written: what a killed run leaves
            # was never checked. An output is an ordinary file: 0666 less the umask, like `cp` or `>`.
            with contextlib.suppress(OSError):  # a filesystem without modes: still private, which is safe
                os.fchmod(fh.fileno(), 0o666 & ~_umask())
            os.fsync(fh.fileno())
        check()  # interrupted: not named
        if source is not None and same_file(source, dst):
            raise UnseenError("output would overwrite the input")
        if force:
            os.replace(tmp, dst)
        else:
            try:
                os.link(tmp, dst)  # fails if dst appeared meanwhile: never clobber
            except FileExistsError:
                raise OutputExists(dst) from None
            except OSError:
                if dst.exists():
                    raise OutputExists(dst) from None
                os.replace(tmp, dst)
    except OSError as exc:
        raise UnseenError(f"cannot write {dst}: {exc.strerror or exc}") from None
    finally:
        _remove(tmp, folder)


def _held(folder: Path) -> int | None:
    """The output folder, held open so that the temporary file made in it is removed from it (``_remove``)
    even when the folder is renamed or swapped for a link meanwhile: removed by its path, a whole video's
    unchecked output stayed in a folder moved mid-run (a hunt, 2026-12-05). None where folders cannot be
    opened or files removed through one (Windows)."""
    if os.unlink not in os.supports_dir_fd:
        return None
    try:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None


def _remove(tmp: Path, folder: int | None) -> None:
    """Delete the temporary file from the folder it was made in (``_held``), then let the folder go."""
    try:
        with contextlib.suppress(FileNotFoundError):
            if folder is None:
                tmp.unlink()
            else:
                os.unlink(tmp.name, dir_fd=folder)
    finally:
        if folder is not None:
            os.close(folder)


def identity(src: Path) -> tuple[int, ...]:
    """What changes when a file is written to or replaced (``unchanged_since``)."""
    st = os.stat(src)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def unchanged_since(src: Path, before: tuple[int, ...]) -> None:
    """Fail when ``src`` changed since ``identity`` gave ``before``. A video is read twice (to find
    the faces, then to write) and an animation's frames are decoded again as they are covered: one
    overwritten in place meanwhile (``rsync --inplace``, ``cat new > old``) came out with one read's
    masks on another read's pictures, reported "ok"."""
    if identity(src) != before:
        raise UnseenError("the file changed while it was read (it is read more than once: to find the faces, "
                          "then to write); nothing written")


MTIME_SLACK_NS = 2_000_000_000


def written_before(dst: Path, changed_ns: int) -> bool:
    """Was ``dst`` last written before ``changed_ns`` (a time in ns since the epoch)? Then it is not made
    from what changed then. Unknown (unreadable): not before. ``MTIME_SLACK_NS`` on file systems that keep
    whole seconds (FAT keeps times to 2 s, rounded down), none on those that keep finer times."""
    try:
        written = dst.stat().st_mtime_ns
    except OSError:
        return False
    slack = MTIME_SLACK_NS if written % 1_000_000_000 == 0 else 0
    return written + slack < changed_ns


def older_than_input(dst: Path, src: Path) -> bool:
    """Was ``dst`` last written before ``src`` was (``written_before``)? Then it is no output of ``src`` as it
    is now: another file's under the same name (a camera's counter started again, a second card run into
    one folder), or made before ``src`` changed. ``--skip-existing`` took day2/IMG_0001.JPG's different photo
    for done, exit 0 (a hunt, 2026-12-06). A modification time later than the file's status change is no
    time it changed: one set by a copy or ``touch`` (a camera's clock ahead, kept by ``cp -p``), which no
    output may ever pass (every resume failed the file, and again once that date had passed): not used."""
    try:
        st = src.stat()
    except OSError:
        return False
    return st.st_mtime_ns <= st.st_ctime_ns and written_before(dst, st.st_mtime_ns)


def same_file(a: Path, b: Path) -> bool:
    """True when ``b`` exists and is ``a`` (the output would overwrite the input)."""
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False
