"""Unsaved review work kept on disk, so that it outlives the review server (a crash, a closed laptop,
Ctrl-C), not only a reload of the page.

A file's draft is written where its save's sidecar goes, as ``NAME.EXT.unseen-draft.json``: the sidecar's
format plus the input's size in bytes and modification time. It is replaced (atomically, like every
file unseen writes) on each change the page sends, and removed once the file is saved or the page
drops its draft. It holds what the sidecar will hold (where the regions are, never what they show).
It is opened again only for the very file it was made on (its name, size in pixels, size in bytes
and modification time): regions drawn on another picture of that name would cover the wrong places,
and leave the right ones uncovered. Files dropped on the page live in a temporary folder: their
drafts stay in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path

from .. import boxes as boxes_file
from ..engine.output import atomic_output
from ..errors import UnseenError
from . import saving
from .items import Item, draft_path


def path(item: Item) -> Path:
    """Where this file's draft is kept (``items.draft_path``)."""
    return draft_path(item.job)


def keep(item: Item) -> str | None:
    """Write ``item.draft`` to disk, or remove the file when there is no draft. Returns a note for the
    page when the draft cannot be written there (it is then kept in memory only), else None. Called
    under ``item.lock``, so that drafts reach the disk in the order the page sent them."""
    if item.uploaded:
        return None
    if item.draft is None:
        drop(item)
        return None
    doc = {"version": boxes_file.SCHEMA_VERSION, "image": item.src.name, "width": item.width,
           "height": item.height, "identity": list(item.identity or ()), "regions": item.draft}
    try:
        with atomic_output(path(item), force=True) as tmp:
            tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    except (UnseenError, OSError) as exc:
        return (f"unsaved changes to this file cannot be kept on disk ({exc}): they last only while this "
                "review runs")
    return None


def drop(item: Item) -> None:
    """Remove the file's draft from disk (saved, or dropped by the page). Never raises."""
    if not item.uploaded:
        with contextlib.suppress(OSError):
            path(item).unlink(missing_ok=True)


def reopen(item: Item) -> None:
    """Open the unsaved work an earlier review session left on disk for this very file as unsaved work
    (``item.draft``), validated like any draft the page sends; say why one there is not opened."""
    regions, problem = load(item)
    if problem:
        item.notes.append(problem)
    if regions is None:
        return
    try:
        item.draft = saving.normalise(regions, item.kind == "video", item.width, item.height)
    except saving.RequestError:
        item.notes.append(_unreadable(item))
        return
    item.notes.append("unsaved changes from an earlier review of this file are opened: they are not saved yet")


def _unreadable(item: Item) -> str:
    return f"{path(item).name} holds unsaved work unseen cannot read; it is left as it is"


def load(item: Item) -> tuple[list | None, str | None]:
    """(the regions of an earlier session's unsaved work on this very file, None); (None, why) when
    there is a draft but it is not this file's or cannot be read (it is left as it is, and replaced
    by the next change); (None, None) when there is none. The regions are as written: the caller
    validates them like any the page sends."""
    if item.uploaded:
        return None, None
    draft = path(item)
    unreadable = _unreadable(item)
    try:
        st = os.stat(draft)
        if not stat.S_ISREG(st.st_mode) or st.st_size > boxes_file.MAX_BYTES:  # a FIFO would hang the page
            return None, unreadable
        doc = json.loads(draft.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError, RecursionError):
        return None, unreadable
    if not isinstance(doc, dict) or not isinstance(doc.get("regions"), list):
        return None, unreadable
    if doc.get("image") != item.src.name:  # the same name from another folder, reviewed into this one
        return None, (f"{draft.name} holds unsaved work on another file of this name; it is not opened, and is "
                      "replaced by your next change")
    same = ((doc.get("width"), doc.get("height")) == (item.width, item.height)
            and item.identity is not None and doc.get("identity") == list(item.identity))
    if not same:
        return None, (f"{draft.name} holds unsaved work on another version of this file (it was changed "
                      "since); it is not opened, and is replaced by your next change")
    return doc["regions"], None
