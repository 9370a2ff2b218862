"""The C heap (glibc's malloc) of an unseen process: fewer arenas, and freed memory handed back.

Why: the peak memory of an 8K photo or animation was set as much by memory already freed as by what
was in use. glibc gives each thread that calls ``malloc`` while another holds an arena an arena of
its own (up to 8 per core), and a freed block stays in the arena that served it; the detector pool,
the writer thread and onnxruntime's threads can each keep their own high-water mark. Measured on 2 cores
(docs/BENCHMARKS.md, "The C heap: arenas"): two arenas cut the peak RSS of an 8K photo from 1275 to
1078 MiB, of the 12 MP photo from 785 to 738 MiB and of ``--verify`` on two 8K frames from 1731 to
1380 MiB, for the same CPU (1.01-1.03x, one run each); a fixed ``M_MMAP_THRESHOLD`` of 1 MiB cut as
much but cost 3-8% CPU (every mid-sized buffer mapped and zeroed again). ``give_back`` returns free
pages at the end of each frame ``verify`` checks, where one peak is over and the next frame's begins
(13 MiB less on the two 8K frames: small, as little is left in two arenas).

Both are best effort and change no result: off glibc (musl, macOS) or when ``mallopt`` refuses,
nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

ARENAS = 2
"""Most malloc arenas: one for the main thread, one shared by every other (measured with 1 and 2,
same peak and CPU on 2 cores; two keeps the writer and the detector pool off the main thread's lock)."""

_M_ARENA_MAX = -8  # glibc's malloc.h


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """glibc, or None elsewhere (only glibc has ``mallopt`` with arenas and ``malloc_trim``)."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        lib.mallopt.argtypes, lib.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        lib.malloc_trim.argtypes, lib.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
        lib.gnu_get_libc_version.restype = ctypes.c_char_p
        lib.gnu_get_libc_version()
    except (OSError, AttributeError):
        return None
    return lib


def fewer_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas``, before the threads that would make more start (the
    command calls it first thing). A user's own ``MALLOC_ARENA_MAX`` is kept. True when set."""
    lib = _libc()
    if lib is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return lib.mallopt(_M_ARENA_MAX, arenas) == 1


def give_back() -> bool:
    """Hand free heap pages back to the system (``malloc_trim(0)``): after a large frame's work, so
    the next frame's peak does not stack on the last one's leftovers. True when pages were released."""
    lib = _libc()
    return bool(lib is not None and lib.malloc_trim(0))
