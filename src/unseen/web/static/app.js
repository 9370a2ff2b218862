/* unseen review page: the entry point (files, keys, uploads). ES modules, no build step, nothing
 * fetched from anywhere but this server (the CSP allows 'self' only).
 *
 *   state.js     state, elements, shared helpers      api.js       requests, errors in plain words
 *   stage.js     picture, regions, zoom, preview      panel.js     file list, legend, region list, results
 *   timeline.js  video frames and tracks              save.js      saving, questions, drafts
 *   check.js     places to check
 */
import { api } from "./api.js";
import { coverCheck, resetCheck, stepCheck } from "./check.js";
import {
  fileMessage, listKey, renderAudio, renderDestination, renderDetail, renderFileList, renderLegend,
  renderList, renderToolbar, savedWhen, showSaveResult,
} from "./panel.js";
import { pollSave, save, scheduleDraft } from "./save.js";
import {
  addAtCenter, coverSelected, fit, focusRegion, layout, loadImage, nudge, renderRegions, sampleTime,
  schedulePreview, selectedRegion, setPreview, setTool, setZoom,
} from "./stage.js";
import { S, current, dims, edit, el, kindOf, newRegion, status, view } from "./state.js";
import { renderTimeline, setTimes, stepSample, thumbKey } from "./timeline.js";

// The token stays in the address bar: a reload needs it, and there is no cookie to carry it (a
// cookie of 127.0.0.1 reaches every other port of 127.0.0.1, another local service included).

// ---------------------------------------------------------------------------------------------
// Rendering and changes
function renderAll() {
  layout();
  renderRegions();
  renderLegend();
  renderList();
  renderDetail();
  renderToolbar();
  renderTimeline();
  renderAudio();
  renderDestination();
}

function snapshot() {
  const e = edit();
  e.history.push(JSON.stringify(e.regions));
  if (e.history.length > 100) e.history.shift();
}

function changed() {
  const e = edit();
  e.dirty = true;
  e.version++;
  renderAll();
  renderFileList();
  scheduleDraft();
  if (S.preview) schedulePreview();
}

function undo() {
  const e = edit();
  if (!e || !e.history.length) return;
  e.regions = JSON.parse(e.history.pop());
  if (!selectedRegion()) S.selected = null;
  changed();
  status("Undone.");
}

function deleteSelected() {
  const e = edit();
  const r = selectedRegion();
  if (!r) return;
  const inList = el.regionList.contains(document.activeElement);
  snapshot();
  e.regions = e.regions.filter((x) => x !== r);
  S.selected = null;
  changed();
  status(!r.drawn ? `Detected ${kindOf(r.kind).label} removed: it will not be covered, unless the self-check finds it again when saving.`
    : `${kindOf(r.kind).label} deleted.`);
  if (!inList) el.viewport.focus({ preventScroll: true });
}

Object.assign(view, { renderAll, renderList, renderDetail, renderToolbar, changed, snapshot, go, focusRegion });

// ---------------------------------------------------------------------------------------------
// Files
async function refreshSession() {
  S.session = await api("/api/session");
  S.files = S.session.files;
  renderFileList();
}

async function go(i) {
  if (i < 0 || i >= S.files.length) return;
  S.index = i;
  S.selected = null;
  S.sample = 0;
  S.fitted = true;
  S.detail = null;
  S.lost = [];
  resetCheck();
  setPreview(false);
  setTool("select", true);
  const gen = ++S.gen;
  el.result.textContent = "";
  el.note.textContent = "";
  status("");
  renderFileList();
  renderAll();
  await loadDetail(gen);
  // Start detection on the next file while this one is reviewed.
  const nxt = S.files[i + 1];
  if (nxt && nxt.state === "new") api(`/api/files/${nxt.id}`).then((d) => { nxt.state = d.state; }).catch(() => {});
}

function openRegions(d) {
  // What was last worked on: the unsaved draft, else what was saved, else the detections.
  const drawnOnly = d.kind === "video" || d.animated;
  const saved = d.review ? d.review.regions.map((r) => newRegion(Object.assign({ drawn: drawnOnly }, r))) : null;
  if (d.draft) return d.draft.map((r) => newRegion(r));
  if (d.kind === "video") return saved || [];
  const detected = d.regions.map((r) => newRegion(r));
  if (!saved) return detected;
  // "only": the reviewer's list is final. "add" (animations, or a boxes file written by hand): the
  // detector still runs, so the detections come too.
  return d.animated || d.review.mode === "add" ? detected.concat(saved) : saved;
}

async function loadDetail(gen) {
  const f = current();
  if (!f) return;
  let d;
  try {
    d = await api(`/api/files/${f.id}`);
  } catch (err) {
    if (gen === S.gen) status(`Could not open ${f.name}: ${err.message}`, "error");
    return;
  }
  if (gen !== S.gen) return;
  const first = !S.detail;
  const wasReady = !first && S.detail.state === "ready";
  const hadDims = !!dims();
  S.detail = d;
  Object.assign(f, { state: d.state, saved: d.saved, saved_earlier: d.saved_earlier, draft: d.draft !== null });
  const e = edit();
  if (d.state === "ready" && !e.loaded) {
    e.regions = openRegions(d);
    e.dirty = !!d.draft;
    e.base = d.draft_gen; // the draft this tab's work is made on: the server refuses one made on an older
    e.loaded = true;
  }
  if (d.state === "ready" && (first || !wasReady)) fileStatus(f);
  if (d.state === "error") {
    status(`This file cannot be reviewed: ${d.error}`, "error");
  } else if (d.state !== "ready") {
    status(d.kind === "video" ? "Sampling frames and finding faces\u2026" : "Finding faces\u2026", "busy");
  }
  el.note.textContent = d.notes && d.notes.length ? d.notes.join("; ") : "";
  if (first || d.kind === "video") loadImage();
  renderFileList();
  renderAll();
  if (!hadDims && dims() && S.fitted) fit();
  if (d.save && d.save.state === "running") pollSave(gen);
  else if (first && d.save && d.save.state === "done") showSaveResult(d.save);
  const looking = d.kind !== "video" && d.state === "ready" && d.maybe === null;
  if ((d.state !== "ready" && d.state !== "error") || looking) {
    setTimeout(() => { if (gen === S.gen) loadDetail(gen); }, looking ? 800 : 500);
  }
}

function fileStatus(f) {
  const e = edit(f);
  const d = S.detail;
  if (e.conflict) status(e.conflict, "error");
  else if (d.save && d.save.state === "error") status(`Not saved: ${d.save.error}`, "error");
  else if (e.dirty) status("Changes not saved yet: they are kept until you save.", "warning");
  else status(savedWhen(f), "ok");
}

// ---------------------------------------------------------------------------------------------
// Uploads (drag and drop, file picker)
async function upload(fileList) {
  const files = Array.from(fileList || []);
  if (!files.length || !S.session) return;
  const before = S.files.length;
  let ok = 0;
  for (const file of files) {
    const dot = file.name.lastIndexOf(".");
    const ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    if (!S.session.suffixes.includes(ext)) {
      fileMessage(file.name, "not a photo or video type unseen reads.");
      continue;
    }
    if (file.size > S.session.max_upload) {
      fileMessage(file.name, `larger than the upload limit (${Math.round(S.session.max_upload / 1048576)} MB).`);
      continue;
    }
    fileMessage(file.name, "adding\u2026", "busy");
    try {
      await api("/api/upload", {
        body: file, headers: { "Content-Type": "application/octet-stream", "X-Filename": encodeURIComponent(file.name) },
      });
      el.fileMessages.firstElementChild.remove();
      ok++;
    } catch (err) {
      el.fileMessages.firstElementChild.remove();
      fileMessage(file.name, err.message);
    }
  }
  try {
    await refreshSession();
  } catch (err) {
    fileMessage("", err.message);
    return;
  }
  if (ok) go(before < S.files.length ? before : S.files.length - 1);
}

let dragDepth = 0;
const hasFiles = (ev) => ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes("Files");
window.addEventListener("dragenter", (ev) => { if (hasFiles(ev)) { dragDepth++; el.dropzone.hidden = false; ev.preventDefault(); } });
window.addEventListener("dragover", (ev) => { if (hasFiles(ev)) { ev.preventDefault(); ev.dataTransfer.dropEffect = "copy"; } });
window.addEventListener("dragleave", () => { dragDepth = Math.max(0, dragDepth - 1); if (!dragDepth) el.dropzone.hidden = true; });
window.addEventListener("drop", (ev) => {
  if (!hasFiles(ev)) return;
  ev.preventDefault();
  dragDepth = 0;
  el.dropzone.hidden = true;
  upload(ev.dataTransfer.files);
});
el.fileInput.addEventListener("change", () => { upload(el.fileInput.files); el.fileInput.value = ""; });

// ---------------------------------------------------------------------------------------------
// Buttons
function setLabels(on) {
  S.labels = on;
  el.labels.checked = on;
  renderRegions();
}

el.prev.addEventListener("click", () => go(S.index - 1));
el.next.addEventListener("click", () => go(S.index + 1));
el.toolSelect.addEventListener("click", () => setTool("select"));
el.toolAdd.addEventListener("click", () => setTool(S.tool === "add" ? "select" : "add"));
el.drawKind.addEventListener("change", () => { S.drawKind = el.drawKind.value; renderLegend(); });
el.delete.addEventListener("click", deleteSelected);
el.coverDetected.addEventListener("click", coverSelected);
el.undo.addEventListener("click", undo);
el.zoomIn.addEventListener("click", () => setZoom(S.zoom * 1.25));
el.zoomOut.addEventListener("click", () => setZoom(S.zoom / 1.25));
el.zoomFit.addEventListener("click", fit);
el.preview.addEventListener("change", () => setPreview(el.preview.checked));
el.labels.addEventListener("change", () => setLabels(el.labels.checked));
el.checkNext.addEventListener("click", () => stepCheck(1));
el.save.addEventListener("click", () => save());
el.framePrev.addEventListener("click", () => stepSample(-1));
el.frameNext.addEventListener("click", () => stepSample(1));
el.setT0.addEventListener("click", () => setTimes(sampleTime(), undefined));
el.setT1.addEventListener("click", () => setTimes(undefined, sampleTime()));
el.setAll.addEventListener("click", () => setTimes(0, S.detail.duration));
for (const [box, start] of [[el.t0, true], [el.t1, false]]) {
  // A typed time is taken when the field is left or Enter is pressed, as a number field's "change";
  // the arrows step it by 0.1 s, as a number field's do.
  const take = (v) => (start ? setTimes(v, undefined) : setTimes(undefined, v));
  box.addEventListener("blur", () => take(Number(box.textContent.trim())));
  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); take(Number(box.textContent.trim())); }
    else if (ev.key === "ArrowUp" || ev.key === "ArrowDown") {
      ev.preventDefault();
      take(Math.max(0, Number(box.textContent.trim()) + (ev.key === "ArrowUp" ? 0.1 : -0.1)));
      const r = selectedRegion();  // the panel leaves the field being typed in as it is: show the step
      if (r) box.textContent = (start ? (r.t0 ?? 0) : (r.t1 ?? S.detail.duration)).toFixed(2);
    }
  });
}
el.audio.addEventListener("change", () => { S.audio = el.audio.value; });
el.helpBtn.addEventListener("click", () => el.help.showModal());
el.style.addEventListener("change", () => {
  S.style = el.style.value;
  if (S.session.reversible.includes(S.style)) status(S.session.reversible_warning.replace("{style}", S.style), "warning");
  else status("");
  if (S.preview) setPreview(true);
});

// ---------------------------------------------------------------------------------------------
// Keys
function typingIn(t) {
  if (!t || !t.tagName) return false;
  if (t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable) return true;
  return t.tagName === "INPUT" && !["checkbox", "radio", "button", "file"].includes(t.type);
}

document.addEventListener("keydown", (ev) => {
  if (el.help.open || el.confirm.open) return;
  const t = ev.target;
  const typing = typingIn(t);
  if (typing && ev.key !== "Escape") return;
  if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "z") { ev.preventDefault(); undo(); return; }
  if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "s") { ev.preventDefault(); save(); return; }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (listKey(ev) || thumbKey(ev)) return;
  const k = ev.key;
  const control = t && t.closest && t.closest("button, a, select, input, [role=option]") && !t.classList.contains("region");
  if (k.startsWith("Arrow")) {
    // The arrows move the selected region wherever the focus is (not in a control): after M, after
    // a click on the picture. With nothing selected, left/right go through the files.
    if (selectedRegion()) {
      if (!control) { ev.preventDefault(); nudge(k, ev.shiftKey); }
      return;
    }
    if (control && t.tagName !== "BUTTON") return;
    if (k === "ArrowRight" || k === "ArrowLeft") { ev.preventDefault(); go(S.index + (k === "ArrowRight" ? 1 : -1)); }
    return;
  }
  if (k === "Enter" && !control) {
    if (S.tool === "add") { ev.preventDefault(); addAtCenter(); return; }
    if (coverCheck() || coverSelected()) { ev.preventDefault(); return; }
    return;
  }
  const act = {
    n: () => go(S.index + 1), p: () => go(S.index - 1),
    a: () => setTool(S.tool === "add" ? "select" : "add"),
    Delete: deleteSelected, Backspace: deleteSelected,
    "+": () => setZoom(S.zoom * 1.25), "=": () => setZoom(S.zoom * 1.25), "-": () => setZoom(S.zoom / 1.25),
    0: fit, s: () => save(), m: () => setPreview(!S.preview), l: () => setLabels(!S.labels), u: undo,
    c: () => stepCheck(ev.shiftKey ? -1 : 1),
    ",": () => stepSample(-1), ".": () => stepSample(1),
    "[": () => setTimes(sampleTime(), undefined), "]": () => setTimes(undefined, sampleTime()),
    "?": () => el.help.showModal(),
    Escape: () => {
      if (typing) t.blur();
      S.selected = null;
      S.lost = [];
      resetCheck();
      setTool("select", true);
      status("");
      renderAll();
    },
  }[k.length === 1 ? k.toLowerCase() : k];
  if (!act) return;
  if (k === "Backspace" || k === "Delete") ev.preventDefault();
  act();
});

window.addEventListener("beforeunload", (ev) => {
  // Drafts are kept by the server: only ask when one has not reached it yet.
  if (Object.values(S.edits).some((e) => e.dirty && !e.synced)) { ev.preventDefault(); ev.returnValue = ""; }
});

// ---------------------------------------------------------------------------------------------
async function init() {
  try {
    await refreshSession();
  } catch (err) {
    status(err.message, "error");
    return;
  }
  S.style = S.session.style;
  for (const s of S.session.styles) {
    const o = document.createElement("option");
    o.value = s;
    o.textContent = s + (S.session.reversible.includes(s) ? " (reversible)" : "");
    el.style.append(o);
  }
  el.style.value = S.style;
  for (const k of S.session.kinds) {
    S.kinds[k.name] = k;
    const o = document.createElement("option");
    o.value = k.name;
    o.textContent = k.label;
    el.drawKind.append(o);
  }
  el.drawKind.value = S.drawKind;
  S.audio = S.session.audio_choices[0];
  renderAll();
  if (S.files.length) go(0);
  else status("Drop photos or videos onto the page to start.");
}

init();
