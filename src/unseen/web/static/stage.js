/* unseen review: the picture and its regions (drawing, moving, zooming) and the preview as saved. */
import { api } from "./api.js";
import {
  MIN_SIZE, S, activity, current, dims, edit, el, fmtTime, isVideo, kindOf, newRegion, place, ready,
  status, view, withToken,
} from "./state.js";

const ZOOM_MIN = 0.05, ZOOM_MAX = 16;
const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

// ---------------------------------------------------------------------------------------------
// The picture
export function sampleAt() {
  return isVideo() ? S.detail.samples.find((x) => x.k === S.sample) || null : null;
}

export function sampleTime() {
  const s = sampleAt();
  return s ? s.t : null;
}

export function imageUrl() {
  const f = current();
  if (!f || !S.detail) return "";
  if (isVideo()) {
    const s = sampleAt();
    return s ? withToken(`/api/files/${f.id}/frame/${s.k}`) : "";
  }
  return withToken(`/api/files/${f.id}/image`);
}

/* The unmasked picture, for the crops in the region list (never the preview). */
export const cropSource = new Image();
cropSource.addEventListener("load", () => view.renderList());

export function loadImage() {
  const url = imageUrl();
  if (url && cropSource.getAttribute("src") !== url) cropSource.src = url;
  if (S.preview) return refreshPreview();
  if (url && el.photo.getAttribute("src") !== url) {
    activity("Loading the picture\u2026");
    el.photo.src = url;
  }
  return undefined;
}

el.photo.addEventListener("load", () => { activity(""); if (S.fitted) fit(); });
el.photo.addEventListener("error", () => {
  activity("");
  if (el.photo.getAttribute("src")) status("The picture could not be shown.", "error");
});

export function layout() {
  const d = dims();
  el.stage.hidden = !d;
  el.empty.hidden = !!current();
  if (!d) return;
  el.stage.style.width = `${d.w * S.zoom}px`;
  el.stage.style.height = `${d.h * S.zoom}px`;
  el.zoomLevel.textContent = `${Math.round(S.zoom * 100)}%`;
}

export function setZoom(z, clientX, clientY) {
  if (!dims()) return;
  z = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z));
  const vp = el.viewport.getBoundingClientRect();
  const cx = clientX ?? vp.left + vp.width / 2;
  const cy = clientY ?? vp.top + vp.height / 2;
  const st = el.stage.getBoundingClientRect();
  const px = (cx - st.left) / S.zoom, py = (cy - st.top) / S.zoom; // image point under the anchor
  S.zoom = z;
  S.fitted = false;
  layout();
  renderRegions();
  const st2 = el.stage.getBoundingClientRect();
  el.viewport.scrollLeft += st2.left + px * z - cx;
  el.viewport.scrollTop += st2.top + py * z - cy;
}

export function fit() {
  const d = dims();
  if (!d) return;
  const pad = 24;
  const z = Math.min((el.viewport.clientWidth - pad) / d.w, (el.viewport.clientHeight - pad) / d.h, 4);
  S.zoom = Math.max(ZOOM_MIN, z);
  S.fitted = true;
  layout();
  renderRegions();
}

/* Zoom so that a box is well visible (at least 1/5 of the view), centred. */
export function centreOn(box) {
  const d = dims();
  if (!d) return;
  const vw = el.viewport.clientWidth, vh = el.viewport.clientHeight;
  const want = Math.min(vw / Math.max(box.w, 1), vh / Math.max(box.h, 1)) / 5;
  if (want > S.zoom) {
    S.zoom = Math.min(ZOOM_MAX, want, 4);
    S.fitted = false;
    layout();
    renderRegions();
  }
  const st = el.stage.getBoundingClientRect(), vp = el.viewport.getBoundingClientRect();
  el.viewport.scrollLeft += st.left + (box.x + box.w / 2) * S.zoom - (vp.left + vw / 2);
  el.viewport.scrollTop += st.top + (box.y + box.h / 2) * S.zoom - (vp.top + vh / 2);
}

// ---------------------------------------------------------------------------------------------
// Regions
export function activeAt(r, t) {
  return t == null || ((r.t0 == null || t >= r.t0 - 1e-6) && (r.t1 == null || t <= r.t1 + 1e-6));
}

/* Regions of the open file with their numbers: [{r, editable, n}]. Video: this frame's
 * detections (read-only: they are redone on every frame when saving) and the added regions. */
export function visibleRegions() {
  const e = edit();
  if (!e || !ready()) return [];
  if (!isVideo()) return e.regions.map((r, i) => ({ r, editable: true, n: i + 1 }));
  const t = sampleTime();
  const s = sampleAt();
  const detected = s ? s.regions.map((r, i) => ({ r: Object.assign({ uid: `d${S.sample}-${i}` }, r), editable: false })) : [];
  const added = e.regions.filter((r) => activeAt(r, t) || r.uid === S.selected).map((r) => ({ r, editable: true }));
  return detected.concat(added).map((v, i) => Object.assign(v, { n: i + 1 }));
}

export function selectedRegion() {
  const e = edit();
  return e ? e.regions.find((r) => r.uid === S.selected) || null : null;
}

export function label(r, n) {
  const k = kindOf(r.kind).label;
  let what = r.drawn ? `${n}. ${k}, added` : `${n}. ${k}, score ${Number(r.score).toFixed(2)}`;
  if (r.foundBy === "self-check") what = `${n}. ${k}, found again by the self-check`;
  if (r.unsure && !r.drawn) what = `${n}. possible ${k}, score ${Number(r.score).toFixed(2)}, not sure to be covered`;
  if (isVideo() && r.drawn) what += `, ${fmtTime(r.t0 ?? 0)} to ${fmtTime(r.t1 ?? S.detail.duration)}`;
  return `${what}, ${place(r)}`;
}

function position(div, b) {
  div.style.left = `${b.x * S.zoom}px`;
  div.style.top = `${b.y * S.zoom}px`;
  div.style.width = `${b.w * S.zoom}px`;
  div.style.height = `${b.h * S.zoom}px`;
}

function markSelected(div, on, editable) {
  div.classList.toggle("selected", on);
  div.setAttribute("aria-pressed", on ? "true" : "false");
  const has = !!div.querySelector(".handle");
  if (on && editable && !has) {
    for (const h of HANDLES) {
      const hd = document.createElement("span");
      hd.className = `handle ${h}`;
      hd.dataset.handle = h;
      div.append(hd);
    }
  } else if (!(on && editable) && has) {
    for (const hd of div.querySelectorAll(".handle")) hd.remove();
  }
}

function regionDiv({ r, editable, n }, t, stop) {
  const div = document.createElement("div");
  div.className = `region ${r.kind}`;
  if (!editable) div.classList.add("readonly");
  if (r.foundBy === "self-check") div.classList.add("self-check");
  if (r.unsure && !editable) div.classList.add("unsure");
  if (isVideo() && editable && !activeAt(r, t)) div.classList.add("outside");
  div.dataset.uid = r.uid;
  div.dataset.kind = r.kind;
  div.style.setProperty("--c", kindOf(r.kind).colour);
  div.tabIndex = String(r.uid) === stop ? 0 : -1;
  div.setAttribute("role", "button");
  div.setAttribute("aria-label", label(r, n));
  position(div, r);
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = String(n);
  if (r.w * S.zoom < 16 || r.h * S.zoom < 16) tag.classList.add("small"); // tiny faces: no tag over neighbours
  div.append(tag);
  markSelected(div, String(r.uid) === String(S.selected), editable);
  div.addEventListener("focus", () => { if (String(S.selected) !== String(r.uid)) select(r.uid, false); });
  return div;
}

function marker(box, cls, text) {
  const div = document.createElement("div");
  div.className = cls;
  div.setAttribute("aria-hidden", "true");
  div.title = text;
  position(div, box);
  return div;
}

export const regionEl = (uid) => el.overlay.querySelector(`.region[data-uid="${CSS.escape(String(uid))}"]`);

export function renderRegions() {
  const active = document.activeElement;
  const focused = active && el.overlay.contains(active) ? active.dataset.uid : null;
  el.overlay.textContent = "";
  const vis = visibleRegions().filter(({ r }) => !S.hidden.has(r.kind));
  const t = sampleTime();
  const sel = vis.find((v) => String(v.r.uid) === String(S.selected));
  const stop = sel ? String(sel.r.uid) : vis.length ? String(vis[0].r.uid) : null; // one tab stop
  const frag = document.createDocumentFragment();
  for (const v of vis) frag.append(regionDiv(v, t, stop));
  const c = S.check && S.check.box;
  if (c) frag.append(marker(c, "candidate", "possible face, not covered"));
  for (const r of S.lost) frag.append(marker(r, "lost", "the saved file covers this; this save would not"));
  el.overlay.append(frag);
  el.overlay.classList.toggle("previewing", S.preview);
  el.overlay.classList.toggle("no-labels", !S.labels);
  el.stage.classList.toggle("adding", S.tool === "add");
  if (focused) {
    const div = regionEl(focused);
    if (div) div.focus({ preventScroll: true });
  }
}

export function select(uid, focus) {
  const was = S.selected;
  S.selected = uid;
  if (isVideo() && was !== uid) {
    renderRegions(); // the added regions shown depend on the selection (one outside its range stays)
  } else {
    let any = false;
    for (const div of el.overlay.querySelectorAll(".region[data-uid]")) {
      const on = div.dataset.uid === String(uid);
      any = any || on;
      markSelected(div, on, !div.classList.contains("readonly"));
      div.tabIndex = on ? 0 : -1;
    }
    const first = el.overlay.querySelector(".region[data-uid]");
    if (!any && first) first.tabIndex = 0;
  }
  view.renderList();
  view.renderDetail();
  view.renderToolbar();
  if (focus) focusRegion(uid);
}

export function focusRegion(uid) {
  const div = uid == null ? null : regionEl(uid);
  if (!div) return;
  div.focus({ preventScroll: true });
  div.scrollIntoView({ block: "nearest", inline: "nearest" });
}

// ---------------------------------------------------------------------------------------------
// Adding and changing regions
export function clampBox(b) {
  const d = dims();
  let { x, y, w, h } = b;
  w = Math.min(Math.max(w, 1), d.w);
  h = Math.min(Math.max(h, 1), d.h);
  x = Math.min(Math.max(x, 0), d.w - w);
  y = Math.min(Math.max(y, 0), d.h - h);
  return { x, y, w, h };
}

export function addRegion(box, kind = S.drawKind, quiet = false) {
  const e = edit();
  view.snapshot();
  const r = newRegion(Object.assign({ kind, score: 1, drawn: true }, box));
  if (isVideo()) {
    const t = sampleTime() ?? 0;
    const step = S.detail.duration / Math.max(1, S.detail.sample_total);
    r.t0 = Math.max(0, +(t - step).toFixed(3));
    r.t1 = Math.min(S.detail.duration, +(t + step).toFixed(3));
  }
  e.regions.push(r);
  S.selected = r.uid;
  view.changed();
  if (!quiet) {
    const what = kind === "manual" ? "Region" : kindOf(kind).label.replace(/^./, (c) => c.toUpperCase());
    status(isVideo()
      ? `${what} added from ${fmtTime(r.t0)} to ${fmtTime(r.t1)}; set its range in the panel or with [ and ].`
      : `${what} added. The arrow keys move it, Shift+arrows resize it.`);
  }
  return r;
}

/* Cover the selected detection the video's own check turned down (``unsure``): a face region the reviewer
   adds over it, around this frame, which the save keeps. True when there was one. */
export function coverSelected() {
  const v = S.selected != null && visibleRegions().find((x) => !x.editable && String(x.r.uid) === String(S.selected));
  if (!v || !v.r.unsure) return false;
  const r = addRegion({ x: v.r.x, y: v.r.y, w: v.r.w, h: v.r.h }, v.r.kind || "face", true);
  status(`Covered from ${fmtTime(r.t0)} to ${fmtTime(r.t1)}; set its range in the panel or with [ and ].`, "ok");
  return true;
}

/* Keyboard path for adding: a region in the middle of what is on screen; the arrows then move it. */
export function addAtCenter() {
  const d = dims();
  if (!d || !ready()) return;
  const vp = el.viewport.getBoundingClientRect();
  const st = el.stage.getBoundingClientRect();
  const cx = (Math.min(vp.right, st.right) + Math.max(vp.left, st.left)) / 2;
  const cy = (Math.min(vp.bottom, st.bottom) + Math.max(vp.top, st.top)) / 2;
  const size = Math.max(16, Math.round(Math.min(d.w, d.h) * 0.1));
  const x = (cx - st.left) / S.zoom, y = (cy - st.top) / S.zoom;
  const r = addRegion(clampBox({ x: x - size / 2, y: y - size / 2, w: size, h: size }));
  setTool("select", true);
  focusRegion(r.uid);
}

export function nudge(key, resize) {
  const r = selectedRegion();
  if (!r) return;
  const step = Math.max(1, Math.round(4 / S.zoom));
  const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
  const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
  view.snapshot();
  const b = resize ? { x: r.x, y: r.y, w: Math.max(MIN_SIZE, r.w + dx), h: Math.max(MIN_SIZE, r.h + dy) }
    : { x: r.x + dx, y: r.y + dy, w: r.w, h: r.h };
  Object.assign(r, clampBox(b));
  edited(r);
  view.changed();
}

/* A detection the reviewer moved or resized is the reviewer's region from then on: on a video or an
   animation the save keeps only those (the detector runs on every frame anyway), and a detection
   enlarged on an animation was dropped on save while the preview showed it covered. */
function edited(r) {
  if (isVideo() || (S.detail && S.detail.animated)) r.drawn = true;
}

export function setTool(t, quiet = false) {
  S.tool = t;
  view.renderToolbar();
  el.stage.classList.toggle("adding", S.tool === "add");
  if (t === "add" && !quiet) status(`Drag on the picture to draw ${article(kindOf(S.drawKind).label)}, or press Enter for one in the middle. Esc stops adding.`);
}

const article = (w) => (/^[aeiou]/i.test(w) ? `an ${w}` : `a ${w}`);

// ---------------------------------------------------------------------------------------------
// Pointer: draw, move, resize, pan
let drag = null;

function toImage(ev) {
  const st = el.stage.getBoundingClientRect();
  return { x: (ev.clientX - st.left) / S.zoom, y: (ev.clientY - st.top) / S.zoom };
}

el.viewport.addEventListener("pointerdown", (ev) => {
  if (!ready() || ev.button > 1) return;
  const target = ev.target;
  const handle = target.dataset && target.dataset.handle;
  const regionDiv = target.closest && target.closest(".region[data-uid]");
  const p = toImage(ev);
  el.viewport.setPointerCapture(ev.pointerId);
  if (ev.button === 0 && (S.tool === "add" || ev.shiftKey)) {
    drag = { mode: "draw", x0: p.x, y0: p.y, box: null };
    ev.preventDefault();
    return;
  }
  if (ev.button === 1 || !regionDiv) {
    drag = { mode: "pan", sx: ev.clientX, sy: ev.clientY, left: el.viewport.scrollLeft, top: el.viewport.scrollTop, moved: false };
    el.viewport.classList.add("panning");
    el.viewport.focus({ preventScroll: true });
    ev.preventDefault();
    return;
  }
  const uid = regionDiv.dataset.uid;
  const r = edit().regions.find((x) => String(x.uid) === uid);
  select(r ? r.uid : uid, false);
  focusRegion(r ? r.uid : uid); // the pointer does not focus (default prevented): Tab goes on from here
  ev.preventDefault();
  if (!r) return; // read-only video detection
  drag = { mode: handle ? "resize" : "move", handle, p0: p, orig: { x: r.x, y: r.y, w: r.w, h: r.h }, r, snap: JSON.stringify(edit().regions), moved: false };
});

el.viewport.addEventListener("pointermove", (ev) => {
  if (!drag) return;
  const d = dims();
  if (drag.mode === "pan") {
    const dx = ev.clientX - drag.sx, dy = ev.clientY - drag.sy;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    el.viewport.scrollLeft = drag.left - dx;
    el.viewport.scrollTop = drag.top - dy;
    return;
  }
  const p = toImage(ev);
  if (drag.mode === "draw") {
    const x1 = Math.max(0, Math.min(drag.x0, p.x)), y1 = Math.max(0, Math.min(drag.y0, p.y));
    const x2 = Math.min(d.w, Math.max(drag.x0, p.x)), y2 = Math.min(d.h, Math.max(drag.y0, p.y));
    drag.box = { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
    el.drawing.style.setProperty("--c", kindOf(S.drawKind).colour);
    position(el.drawing, drag.box);
    el.drawing.hidden = false;
    return;
  }
  const dx = p.x - drag.p0.x, dy = p.y - drag.p0.y;
  const o = drag.orig;
  let b;
  if (drag.mode === "move") {
    b = clampBox({ x: o.x + dx, y: o.y + dy, w: o.w, h: o.h });
  } else {
    let x1 = o.x, y1 = o.y, x2 = o.x + o.w, y2 = o.y + o.h;
    const h = drag.handle;
    if (h.includes("w")) x1 = Math.min(x2 - MIN_SIZE, Math.max(0, o.x + dx));
    if (h.includes("e")) x2 = Math.max(x1 + MIN_SIZE, Math.min(d.w, o.x + o.w + dx));
    if (h.includes("n")) y1 = Math.min(y2 - MIN_SIZE, Math.max(0, o.y + dy));
    if (h.includes("s")) y2 = Math.max(y1 + MIN_SIZE, Math.min(d.h, o.y + o.h + dy));
    b = { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
  }
  if (Math.abs(dx) + Math.abs(dy) > 0.5 / S.zoom) drag.moved = true;
  Object.assign(drag.r, b);
  const div = regionEl(drag.r.uid);
  if (div) position(div, b);
});

function endDrag(ev) {
  if (!drag) return;
  const dr = drag;
  drag = null;
  el.viewport.classList.remove("panning");
  if (el.viewport.hasPointerCapture && el.viewport.hasPointerCapture(ev.pointerId)) el.viewport.releasePointerCapture(ev.pointerId);
  if (dr.mode === "pan") {
    if (!dr.moved && S.selected !== null) select(null, false);
    return;
  }
  if (dr.mode === "draw") {
    el.drawing.hidden = true;
    if (!dr.box || dr.box.w < MIN_SIZE || dr.box.h < MIN_SIZE) return;
    const r = addRegion(dr.box);
    focusRegion(r.uid);
    return;
  }
  if (dr.moved) {
    edited(dr.r);
    edit().history.push(dr.snap);
    view.changed();
  }
}
el.viewport.addEventListener("pointerup", endDrag);
el.viewport.addEventListener("pointercancel", endDrag);

el.viewport.addEventListener("wheel", (ev) => {
  if (!ev.ctrlKey && !ev.metaKey) return;
  ev.preventDefault();
  setZoom(S.zoom * Math.exp(-ev.deltaY * 0.0015), ev.clientX, ev.clientY);
}, { passive: false });

window.addEventListener("resize", () => { if (S.fitted) fit(); });

// ---------------------------------------------------------------------------------------------
// Preview as saved: the engine's own masking (padding included), no boxes drawn over it
let previewTimer = null;
let previewSeq = 0;

/* One region as a draft or a save sends it, for a file that is a video or not. A draft sent after the
   reviewer had moved on to another file once left out drawn, found_by and the times: back after a reload,
   a face drawn on a video was a detection, which a video's save drops, and a manual box lost its times. */
export function regionPayload(r, video) {
  const o = { x: r.x, y: r.y, w: r.w, h: r.h, kind: r.kind, score: r.score };
  if (r.drawn) o.drawn = true;
  if (r.foundBy) o.found_by = r.foundBy;
  if (video) { o.t0 = r.t0; o.t1 = r.t1; }
  return o;
}

export function payloadRegions(forPreview) {
  const e = edit();
  if (!forPreview) return e.regions.map((r) => regionPayload(r, isVideo()));
  // A detection the video's own check turned down (``unsure``) is shown as the save may leave it: uncovered.
  return visibleRegions().filter(({ r, editable }) => activeAt(r, sampleTime()) && (editable || !r.unsure))
    .map(({ r }) => ({ x: r.x, y: r.y, w: r.w, h: r.h, kind: r.kind, score: r.score }));
}

export function setPreview(on) {
  S.preview = on;
  el.preview.checked = on;
  if (!on) {
    clearTimeout(previewTimer);
    previewSeq++;
    activity("");
    if (S.previewUrl) { URL.revokeObjectURL(S.previewUrl); S.previewUrl = null; }
    const url = imageUrl();
    if (url && el.photo.getAttribute("src") !== url) el.photo.src = url;
    renderRegions();
    if (document.activeElement === document.body && S.selected != null) focusRegion(S.selected);
  } else {
    renderRegions();
    refreshPreview();
  }
}

export function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(refreshPreview, 250);
}

export async function refreshPreview() {
  const f = current();
  if (!f || !ready()) return;
  const seq = ++previewSeq;
  activity("Drawing the preview\u2026");
  try {
    const r = await api(`/api/files/${f.id}/preview`, {
      json: { style: S.style, regions: payloadRegions(true), frame: S.sample }, raw: true,
    });
    const blob = await r.blob();
    if (seq !== previewSeq || !S.preview) return;
    const url = URL.createObjectURL(blob);
    if (S.previewUrl) URL.revokeObjectURL(S.previewUrl);
    S.previewUrl = url;
    el.photo.src = url;
  } catch (err) {
    if (seq === previewSeq) status(`No preview: ${err.message}`, "error");
  } finally {
    if (seq === previewSeq) activity("");
  }
}
