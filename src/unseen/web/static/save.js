/* unseen review: saving (and asking first when a save would uncover something or replace a file the
 * page cannot prove it wrote), and keeping unsaved work on the server so a reload loses nothing. */
import { ApiError, UNREACHABLE, api } from "./api.js";
import { renderFileList, savedWhen, showSaveResult } from "./panel.js";
import { payloadRegions, regionPayload, renderRegions } from "./stage.js";
import {
  S, activity, current, edit, el, isVideo, newRegion, plural, progress, ready, status, view,
} from "./state.js";

// ---------------------------------------------------------------------------------------------
// A question in a dialog: resolves "ok", "alt" or "cancel" (Esc).
export function ask({ title, text, ok, alt }) {
  return new Promise((resolve) => {
    el.confirmTitle.textContent = title;
    el.confirmText.textContent = text;
    el.confirmOk.textContent = ok;
    el.confirmAlt.hidden = !alt;
    el.confirmAlt.textContent = alt || "";
    const done = (answer) => {
      el.confirm.removeEventListener("close", onClose);
      for (const [b, f] of handlers) b.removeEventListener("click", f);
      if (el.confirm.open) el.confirm.close();
      resolve(answer);
    };
    const onClose = () => done("cancel");
    const handlers = [[el.confirmOk, () => done("ok")], [el.confirmAlt, () => done("alt")], [el.confirmCancel, () => done("cancel")]];
    for (const [b, f] of handlers) b.addEventListener("click", f);
    el.confirm.addEventListener("close", onClose);
    el.confirm.showModal();
    (alt ? el.confirmAlt : el.confirmCancel).focus();
  });
}

// ---------------------------------------------------------------------------------------------
// Drafts: the regions since the last save, kept by the server (in memory) until saved. One timer
// per file: a change to the next file within the debounce must not cancel this file's draft.
const draftTimers = new Map();

export function scheduleDraft() {
  const f = current(), e = edit();
  if (!f || !e || !ready()) return;
  e.synced = false;
  clearTimeout(draftTimers.get(f.id));
  draftTimers.set(f.id, setTimeout(() => { draftTimers.delete(f.id); sendDraft(f, e); }, 400));
}

// One draft in flight per file, sent in order: each carries the draft number it was made on
// (e.base), and two at once would carry the same one, the second then refused as "changed in
// another tab" when only this tab changed it.
const draftSends = new Map();

function sendDraft(f, e) {
  const next = (draftSends.get(f.id) || Promise.resolve()).then(() => sendDraftNow(f, e));
  draftSends.set(f.id, next);
  return next;
}

/* Until the drafts this tab has sent for the file have been answered (a save carries e.base too). */
export const draftsSent = (f) => draftSends.get(f.id) || Promise.resolve();

async function sendDraftNow(f, e) {
  const version = e.version;
  const regions = e.dirty ? payloadRegionsOf(f, e) : null;
  try {
    await api(`/api/files/${f.id}/draft`, { json: { regions, base: e.base } });
    if (typeof e.base === "number") e.base++; // each draft the server takes moves its number on by one
    if (e.version === version) e.synced = true;
    f.draft = regions !== null;
  } catch (err) {
    // Not kept by the server: the work is in this tab only. Say so at once, and ask before the tab
    // is closed or reloaded (beforeunload), whatever an earlier answer said.
    e.synced = false;
    draftRefused(f, e, err);
  }
}

/* Why the server did not keep a draft (or a save), in the status line while the file is shown. */
function draftRefused(f, e, err) {
  let text;
  if (err instanceof ApiError && err.data.code === "changed") {
    // Another tab or window sent this file's regions since this one loaded them: said again
    // whenever the file is shown (app.js fileStatus), until the page is reloaded.
    e.conflict = err.message;
    text = err.message;
  } else if (err instanceof ApiError && (err.data.offline || err.data.stopped)) {
    text = UNREACHABLE;
  } else {
    text = `The review server did not keep these changes: ${err.message}`;
  }
  if (f === current()) status(text, "error");
}

function payloadRegionsOf(f, e) {
  return f === current() ? payloadRegions(false) : e.regions.map((r) => regionPayload(r, f.kind === "video"));
}

// ---------------------------------------------------------------------------------------------
// Saving
export async function save(flags = {}) {
  const f = current();
  if (!f || !ready()) return;
  if (S.saving) { status("Still saving: wait until this save is done.", "busy"); return; }
  const e = edit();
  clearTimeout(draftTimers.get(f.id)); // the save carries the regions; a late draft must not outlive it
  draftTimers.delete(f.id);
  e.synced = true;
  S.saving = true;
  view.renderToolbar();
  el.result.textContent = "";
  status(isVideo() ? "Saving the video: every frame is searched again, this can take a while\u2026" : "Saving\u2026", "busy");
  const gen = S.gen;
  const version = e.version;
  const regions = payloadRegions(false); // now: another file may be shown once the drafts are answered
  const more = isVideo() ? { audio: S.audio } : {};
  try {
    await draftsSent(f); // the save is made on the draft number the last one got back
    await api(`/api/files/${f.id}/save`, { json: Object.assign({ style: S.style, regions, base: e.base }, more, flags) });
    await pollSave(gen, version);
  } catch (err) {
    S.saving = false;
    if (err instanceof ApiError && err.data.code === "changed") {
      e.synced = false;
      draftRefused(f, e, err);
      return;
    }
    if (err instanceof ApiError && err.data.code && gen === S.gen) {
      await confirmThenSave(err, flags);
    } else {
      status(`Not saved: ${err.message}`, "error");
    }
    if (e.dirty) scheduleDraft();
  } finally {
    S.saving = false;
    view.renderToolbar();
  }
}

async function confirmThenSave(err, flags) {
  const d = err.data;
  status("Not saved yet: answer the question first.", "warning");
  if (d.code === "uncover") {
    S.lost = d.regions || [];
    renderRegions();
    const n = S.lost.length;
    const answer = await ask({
      title: n === 1 ? "Uncover a region?" : `Uncover ${n} regions?`,
      text: `The saved file covers ${plural(n, "region")} that this save would uncover (outlined in red on the picture). `
        + "Saving now would publish what is under them. Put them back to keep them covered.",
      ok: "Uncover and save", alt: n === 1 ? "Put it back" : "Put them back",
    });
    S.lost = [];
    if (answer === "alt") {
      view.snapshot();
      for (const r of d.regions) edit().regions.push(newRegion(Object.assign({ drawn: isVideo() || r.kind === "manual" }, r)));
      view.changed();
      status(`${plural(n, "region")} put back. Save when ready.`, "ok");
      return;
    }
    renderRegions();
    if (answer !== "ok") { status("Not saved: nothing was changed.", "info"); return; }
    S.saving = false;
    await save(Object.assign({}, flags, { confirm_uncover: true }));
  } else if (d.code === "exists") {
    const answer = await ask({ title: "Replace a file?", text: err.message, ok: "Replace it" });
    if (answer !== "ok") { status("Not saved: the existing file was left as it is.", "info"); return; }
    S.saving = false;
    await save(Object.assign({}, flags, { replace: true }));
  } else {
    status(`Not saved: ${err.message}`, "error");
  }
}

export async function pollSave(gen, version) {
  const f = current();
  for (;;) {
    let d;
    try {
      d = await api(`/api/files/${f.id}`);
    } catch (err) {
      status(`Lost contact with the review server: ${err.message}`, "error");
      progress(0, 0);
      return;
    }
    // Another file is shown now: a draft sent for this one while it saved is kept by the server
    // (a save clears only the draft it was made from), so nothing is lost by leaving here.
    if (gen !== S.gen) return;
    const sv = d.save || {};
    if (sv.state === "running") {
      if (sv.progress && sv.progress[1]) {
        activity(`Saving: frame ${sv.progress[0]} of ${sv.progress[1]}`);
        progress(sv.progress[0], sv.progress[1]);
      }
      await new Promise((res) => setTimeout(res, 400));
      continue;
    }
    activity("");
    progress(0, 0);
    S.detail.save = sv;
    S.detail.review = d.review;
    f.saved = d.saved;
    f.draft = d.draft !== null;
    const e = S.edits[f.id];
    if (sv.state === "done") {
      // What the file shows: the self-check's additions join the regions (they are in the sidecar too).
      if (!isVideo() && !S.detail.animated) {
        for (const r of sv.self_check || []) e.regions.push(newRegion(r));
      }
      // Unsaved work is what changed since the save began here, or (a reload while it ran) the
      // draft the server kept for this file.
      e.dirty = d.draft !== null || (version !== undefined && e.version !== version);
      if (e.dirty) scheduleDraft();
      status(`Saved. ${savedWhen(f) === "Saved in this session." ? "" : savedWhen(f)}`.trim(), "ok");
      view.renderAll();
    } else if (sv.state === "error") {
      status(`Not saved: ${sv.error}`, "error");
      if (e.dirty) scheduleDraft();
    }
    renderFileList();
    showSaveResult(sv);
    return;
  }
}
