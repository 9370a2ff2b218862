/* unseen review: everything around the picture (file list, legend, region list, details, results). */
import { cropSource, label, select, selectedRegion, visibleRegions } from "./stage.js";
import { S, current, edit, el, fmtTime, isVideo, kindOf, place, plural, ready, view, withToken } from "./state.js";

const CROP = 36; // px, the region list's thumbnails

// ---------------------------------------------------------------------------------------------
// Files
export function badgeOf(f) {
  const e = S.edits[f.id];
  if (f.state === "error") return ["error", "error"];
  if ((e && e.dirty) || (!e && f.draft)) return ["unsaved", "not saved"];
  if (f.saved) return ["saved", "saved"];
  if (f.saved_earlier) return ["earlier", "saved before"];
  return null;
}

export function renderFileList() {
  el.fileList.textContent = "";
  S.files.forEach((f, i) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "file";
    if (i === S.index) b.setAttribute("aria-current", "true");
    if (f.kind === "video") b.classList.add("video");
    b.title = f.path || f.name;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = f.name;
    b.append(name);
    const badge = badgeOf(f);
    if (badge) {
      const s = document.createElement("span");
      s.className = "badge " + badge[0];
      s.textContent = badge[1];
      b.append(s);
    }
    b.addEventListener("click", () => view.go(i));
    li.append(b);
    el.fileList.append(li);
  });
  el.position.textContent = S.files.length ? `${S.index + 1} / ${S.files.length}` : "0 / 0";
  el.prev.disabled = S.index <= 0;
  el.next.disabled = S.index < 0 || S.index >= S.files.length - 1;
}

/* A message about adding files: in the file list, never under another file's result. */
export function fileMessage(name, text, kind = "error") {
  const p = document.createElement("p");
  p.className = `file-message ${kind}`;
  const rest = name && text.startsWith(`${name}: `) ? text.slice(name.length + 2) : text;
  p.textContent = name ? `${name}: ${rest}` : rest;
  el.fileMessages.prepend(p);
  while (el.fileMessages.childElementCount > 4) el.fileMessages.lastElementChild.remove();
}

// ---------------------------------------------------------------------------------------------
// Legend: one switch per kind present (and the kind a drawn region gets), in the session's colours
export function kindsPresent() {
  const names = new Set([S.drawKind]);
  const e = edit();
  for (const r of (e && e.regions) || []) names.add(r.kind);
  if (S.detail && ready()) {
    for (const r of S.detail.regions || []) names.add(r.kind || "face");
    for (const s of S.detail.samples || []) for (const r of s.regions) names.add(r.kind || "face");
    for (const t of S.detail.tracks || []) names.add(t.kind || "face");
  }
  return Object.keys(S.kinds).filter((k) => names.has(k)).concat([...names].filter((k) => !S.kinds[k]));
}

export function renderLegend() {
  const want = kindsPresent();
  const have = [...el.legend.querySelectorAll("input")].map((i) => i.dataset.kind);
  if (want.join() === have.join()) return;
  el.legend.textContent = "";
  for (const k of want) {
    const info = kindOf(k);
    const lab = document.createElement("label");
    lab.className = "legend-item";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.dataset.kind = k;
    box.checked = !S.hidden.has(k);
    box.addEventListener("change", () => {
      if (box.checked) S.hidden.delete(k);
      else S.hidden.add(k);
      view.renderAll();
    });
    const sw = document.createElement("span");
    sw.className = `swatch ${k}`;
    sw.style.setProperty("--c", info.colour);
    lab.append(box, sw, ` ${info.label}`);
    lab.title = `Show or hide every ${info.label}`;
    el.legend.append(lab);
  }
}

// ---------------------------------------------------------------------------------------------
// The region list: one tab stop, the arrow keys go through every region
function drawCrop(canvas, r) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ddd";
  ctx.fillRect(0, 0, CROP, CROP);
  if (!cropSource.complete || !cropSource.naturalWidth || !S.detail) return;
  const sx = cropSource.naturalWidth / S.detail.width; // sampled video frames may be smaller
  const side = Math.max(r.w, r.h) * 1.3;
  const cx = r.x + r.w / 2, cy = r.y + r.h / 2;
  ctx.drawImage(cropSource, (cx - side / 2) * sx, (cy - side / 2) * sx, side * sx, side * sx, 0, 0, CROP, CROP);
}

export function renderList() {
  const active = document.activeElement;
  const hadFocus = active && el.regionList.contains(active);
  el.regionList.textContent = "";
  const e = edit();
  if (!e || !ready()) {
    el.regionCount.textContent = "";
    return;
  }
  const vis = visibleRegions();
  el.regionCount.textContent = isVideo() ? `(${vis.length} on this frame, ${e.regions.length} added)` : `(${e.regions.length})`;
  const selIndex = Math.max(0, vis.findIndex((v) => String(v.r.uid) === String(S.selected)));
  vis.forEach(({ r, editable, n }, i) => {
    const li = document.createElement("li");
    li.className = "region-row";
    li.setAttribute("role", "option");
    li.dataset.index = String(i);
    li.dataset.uid = String(r.uid);
    li.tabIndex = i === selIndex ? 0 : -1;
    const on = String(r.uid) === String(S.selected);
    li.setAttribute("aria-selected", on ? "true" : "false");
    li.setAttribute("aria-label", label(r, n));
    if (S.hidden.has(r.kind)) li.classList.add("hidden-kind");
    const canvas = document.createElement("canvas");
    canvas.className = "crop";
    canvas.width = canvas.height = CROP;
    drawCrop(canvas, r);
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.setProperty("--c", kindOf(r.kind).colour);
    const text = document.createElement("span");
    text.className = "what";
    text.textContent = rowText(r, n);
    li.append(canvas, sw, text);
    if (!editable) li.classList.add("readonly");
    li.addEventListener("click", () => { select(r.uid, false); li.focus(); });
    el.regionList.append(li);
  });
  if (!vis.length) {
    const li = document.createElement("li");
    li.className = "muted empty-row";
    li.textContent = isVideo() ? "No face found on this frame." : "No face found. If you see one, add it with Add region (A).";
    el.regionList.append(li);
  }
  if (hadFocus) {
    const row = el.regionList.querySelector(`[data-index="${selIndex}"]`);
    if (row) row.focus({ preventScroll: true });
  }
}

function rowText(r, n) {
  const k = kindOf(r.kind).label;
  const what = r.foundBy === "self-check" ? `${k} (self-check)` : r.drawn ? k
    : `${r.unsure ? "possible " : ""}${k} ${Number(r.score).toFixed(2)}${r.unsure ? ", not sure to be covered" : ""}`;
  const when = isVideo() && r.drawn ? ` \u00b7 ${timesText(r)}` : "";
  return `${n} \u00b7 ${what} \u00b7 ${place(r)}${when}`;
}

/* Keys inside the list; returns true when handled. */
export function listKey(ev) {
  const rows = [...el.regionList.querySelectorAll("[role=option]")];
  const i = rows.indexOf(ev.target);
  if (i < 0) return false;
  const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: rows.length - 1 }[ev.key];
  if (to !== undefined) {
    const row = rows[Math.min(rows.length - 1, Math.max(0, to))];
    ev.preventDefault();
    select(isNaN(Number(row.dataset.uid)) ? row.dataset.uid : Number(row.dataset.uid), false);
    const again = el.regionList.querySelector(`[data-uid="${CSS.escape(row.dataset.uid)}"]`);
    if (again) { again.focus(); again.scrollIntoView({ block: "nearest" }); }
    return true;
  }
  if (ev.key === "Enter" || ev.key === " ") {
    ev.preventDefault();
    view.focusRegion(S.selected);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The selected region
export function renderDetail() {
  const r = selectedRegion();
  const ro = !r && S.selected != null && visibleRegions().find((v) => String(v.r.uid) === String(S.selected));
  const shown = r || (ro && ro.r);
  el.regionDetail.hidden = !shown;
  el.delete.disabled = !r;
  if (!shown) return;
  const info = kindOf(shown.kind);
  const unsure = !!(ro && shown.unsure);
  el.regionTitle.textContent = shown.drawn ? (shown.kind === "manual" ? "Added region" : `Added ${info.label}`) : shown.foundBy === "self-check"
    ? `${info.label} found by the self-check` : unsure ? `Possible ${info.label}, not sure to be covered` : `Detected ${info.label}`;
  el.regionGeometry.textContent = `${Math.round(shown.w)} \u00d7 ${Math.round(shown.h)} pixels at ${Math.round(shown.x)}, ${Math.round(shown.y)}`
    + (unsure ? `. A low score that the video's own second look turned down on this frame: the saved video covers it only if a later look confirms it. Cover it (Enter) to be sure.`
      : ro ? ". Detections on a video are made again on every frame when saving; draw a region to cover more." : "");
  el.coverDetected.hidden = !unsure;
  el.regionTimes.hidden = !(isVideo() && r);
  if (isVideo() && r) {
    const t0 = r.t0 ?? 0, t1 = r.t1 ?? S.detail.duration;
    if (document.activeElement !== el.t0) el.t0.textContent = t0.toFixed(2);
    if (document.activeElement !== el.t1) el.t1.textContent = t1.toFixed(2);
    el.t0.setAttribute("aria-valuenow", String(t0));
    el.t1.setAttribute("aria-valuenow", String(t1));
    for (const box of [el.t0, el.t1]) box.setAttribute("aria-valuemax", String(S.detail.duration));
  }
}

export function renderToolbar() {
  const has = ready();
  for (const b of [el.toolSelect, el.toolAdd, el.zoomIn, el.zoomOut, el.zoomFit, el.preview, el.checkNext]) b.disabled = !has;
  el.save.disabled = !has || S.saving;
  el.checkNext.disabled = !has || isVideo();
  el.toolSelect.setAttribute("aria-pressed", String(S.tool === "select"));
  el.toolAdd.setAttribute("aria-pressed", String(S.tool === "add"));
  const e = edit();
  el.undo.disabled = !e || !e.history.length;
  el.preview.checked = S.preview;
  el.labels.checked = S.labels;
  const f = current();
  el.filename.textContent = f ? (f.path || f.name) : "";
  el.filename.title = el.filename.textContent;
}

// ---------------------------------------------------------------------------------------------
// Where it goes, and the sound of a video
const AUDIO_WORDS = {
  drop: "Remove the sound (safest)",
  keep: "Keep the sound (voices can identify people)",
  "mute-speech": "Keep the sound, mute speech",
};

export function renderAudio() {
  const d = S.detail;
  const on = isVideo() && ready();
  el.audioRow.hidden = !on;
  if (!on) return;
  const choices = S.session.audio_choices;
  if (el.audio.childElementCount !== choices.length) {
    el.audio.textContent = "";
    for (const c of choices) {
      const o = document.createElement("option");
      o.value = c;
      o.textContent = AUDIO_WORDS[c] || c;
      el.audio.append(o);
    }
  }
  if (!choices.includes(S.audio)) S.audio = choices[0];
  el.audio.value = S.audio;
  el.audioSays.textContent = d.audio ? "This video has sound. Voices and background sounds can identify people and places."
    : "This video has no sound.";
  el.audio.disabled = !d.audio;
}

export function renderDestination() {
  const d = S.detail;
  el.destination.textContent = "";
  if (!d || !d.destination) return;
  const name = document.createElement("strong");
  name.textContent = d.destination.name;
  if (d.destination.folder) {
    const folder = document.createElement("span");
    folder.className = "path";
    folder.textContent = d.destination.folder;
    el.destination.append("Save writes ", name, " in ", folder, ", and the reviewed regions beside it.");
  } else {
    el.destination.append("Save writes ", name, " into this session's temporary folder: download it once saved.");
  }
}

// ---------------------------------------------------------------------------------------------
// The result of a save
const AUDIO_RESULT = { dropped: "removed", none: "the video had no sound" };

function selfCheckWords(n) {
  if (!n) return "";
  return `The self-check found ${plural(n, "face")} that no region covered (a box that was deleted, or a face `
    + `the detector missed) and covered ${n === 1 ? "it" : "them"} in the saved file. The self-check is a second `
    + `search for faces on the saved picture. ${n === 1 ? "It is" : "They are"} now shown with a dashed outline.`;
}

export function showSaveResult(sv) {
  el.result.textContent = "";
  if (!sv || sv.state !== "done") return;
  const rep = sv.report || {};
  const dl = document.createElement("dl");
  const add = (k, v, cls) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    if (cls) dd.className = cls;
    dl.append(dt, dd);
  };
  add("Output", sv.output_name || sv.output || "");
  if (sv.folder) add("Folder", sv.folder, "path");
  add("Regions file", sv.sidecar_name || "");
  const counts = Object.entries(sv.reviewed || {}).filter(([, n]) => n > 0).map(([k, n]) => plural(n, kindOf(k).label));
  if (rep.kind === "video") {
    add("Covered", `faces found on every frame (${plural(rep.tracks ?? 0, "track")})${counts.length ? `, and ${counts.join(", ")} you added` : ""}`);
    const a = String(rep.audio || "");
    add("Sound", a.startsWith("kept") ? "kept: voices can identify people" : AUDIO_RESULT[a] || a);
  } else {
    const extra = (sv.self_check || []).length;
    add("Covered", (counts.join(", ") || "nothing") + (extra ? `, and ${plural(extra, "face")} found by the self-check` : ""));
  }
  if (sv.metadata_removed && sv.metadata_removed.length) add("Removed from the file", sv.metadata_removed.join(", "));
  el.result.append(dl);
  const words = selfCheckWords((sv.self_check || []).length);
  if (words) {
    const p = document.createElement("p");
    p.className = "self-check-words";
    p.textContent = words;
    el.result.append(p);
  }
  const links = document.createElement("p");
  links.className = "links";
  for (const [href, text] of [[sv.download, "Download the saved file"], [sv.sidecar_download, "Download the regions (.json)"]]) {
    if (!href) continue;
    const a = document.createElement("a");
    a.href = withToken(href);
    a.textContent = text;
    a.setAttribute("download", "");
    a.className = "button";
    links.append(a);
  }
  el.result.append(links);
  for (const w of sv.warnings || []) {
    const p = document.createElement("p");
    p.className = "warning";
    p.textContent = w;
    el.result.append(p);
  }
  const known = new Set((S.detail && S.detail.notes) || []);
  const notes = (sv.notes || []).filter((n) => !known.has(n));
  if (notes.length) {
    const p = document.createElement("p");
    p.className = "muted small";
    p.textContent = notes.join("; ");
    el.result.append(p);
  }
}

export function savedWhen(f) {
  const d = S.detail;
  if (d && d.save && d.save.state === "done") return "Saved in this session.";
  if (d && d.review && d.review.source === "earlier") {
    return `Saved before${d.review.output ? ` as ${d.review.output}` : ""}: its reviewed regions are open. Saving again replaces it.`;
  }
  return f && f.saved ? "Saved in this session." : "";
}

export function timesText(r) {
  return `${fmtTime(r.t0 ?? 0)} to ${fmtTime(r.t1 ?? S.detail.duration)}`;
}
