/* unseen review page. Vanilla JS, no build step, no external resources.
 *
 * Coordinates: every region is kept in the pixels of the upright image (or full-size video frame),
 * exactly what the engine and the --boxes sidecar use. The stage is drawn at width*zoom, so the
 * screen position of a region is simply its image position times the zoom.
 */
(() => {
  "use strict";

  const TOKEN = document.querySelector('meta[name="unseen-token"]').content;
  // Keep the token out of the address bar (and history); the cookie and header carry it now.
  if (location.search.includes("token=")) history.replaceState(null, "", "/");

  const $ = (id) => document.getElementById(id);
  const el = {
    prev: $("prev"), next: $("next"), position: $("position"), filename: $("filename"),
    fileInput: $("file-input"), helpBtn: $("help-btn"), help: $("help"), fileList: $("file-list"),
    toolSelect: $("tool-select"), toolAdd: $("tool-add"), del: $("delete"), undo: $("undo"),
    zoomOut: $("zoom-out"), zoomIn: $("zoom-in"), zoomFit: $("zoom-fit"), zoomLevel: $("zoom-level"),
    style: $("style"), preview: $("preview"), force: $("force"), save: $("save"),
    viewport: $("viewport"), stage: $("stage"), photo: $("photo"), overlay: $("overlay"),
    drawing: $("drawing"), empty: $("empty"), busy: $("busy"),
    timeline: $("timeline"), framePrev: $("frame-prev"), frameNext: $("frame-next"),
    frameTime: $("frame-time"), sampling: $("sampling"), thumbs: $("thumbs"), tracks: $("tracks"),
    regionCount: $("region-count"), regionList: $("region-list"), regionDetail: $("region-detail"),
    regionTitle: $("region-title"), regionGeometry: $("region-geometry"), regionTimes: $("region-times"),
    t0: $("t0"), t1: $("t1"), setT0: $("set-t0"), setT1: $("set-t1"), setAll: $("set-all"),
    status: $("status"), result: $("result"), note: $("note"), dropzone: $("dropzone"),
  };

  const MIN_SIZE = 3; // image pixels: smaller drags are clicks
  const ZOOM_MIN = 0.05, ZOOM_MAX = 16;

  // All state in one object; window.unseenReview exposes it for tests and debugging.
  const S = {
    session: null, files: [], index: -1, detail: null,
    edits: {}, // file id -> {regions, dirty, history}
    zoom: 1, fitted: true, tool: "select", selected: null, preview: false, sample: 0,
    style: "fill", gen: 0, nextUid: 1, previewUrl: null, saving: false,
  };
  window.unseenReview = S;

  // ---------------------------------------------------------------------------------------------
  // Server
  async function api(path, opts = {}) {
    const headers = Object.assign({ "X-Unseen-Token": TOKEN }, opts.headers || {});
    let body = opts.body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    const r = await fetch(path, {
      method: opts.method || (body !== undefined ? "POST" : "GET"),
      headers, body, credentials: "same-origin", cache: "no-store",
    });
    if (!r.ok) {
      let msg = "";
      try { msg = (await r.clone().json()).error; } catch { msg = (await r.text()).trim(); }
      throw new Error(msg || `HTTP ${r.status}`);
    }
    return opts.raw ? r : r.json();
  }

  // ---------------------------------------------------------------------------------------------
  // Status line and results
  function status(text, kind = "info") {
    el.status.textContent = text || "";
    el.status.className = "status " + kind;
  }

  function showBusy(text) {
    el.busy.hidden = !text;
    el.busy.textContent = text || "";
  }

  // ---------------------------------------------------------------------------------------------
  // Files
  const current = () => (S.index >= 0 ? S.files[S.index] : null);
  const isVideo = () => S.detail && S.detail.kind === "video";
  const ready = () => S.detail && S.detail.state === "ready";

  function edit() {
    const f = current();
    if (!f) return null;
    if (!S.edits[f.id]) S.edits[f.id] = { regions: [], dirty: false, history: [], loaded: false };
    return S.edits[f.id];
  }

  function renderFileList() {
    el.fileList.textContent = "";
    S.files.forEach((f, i) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "file";
      if (i === S.index) b.setAttribute("aria-current", "true");
      const e = S.edits[f.id];
      let badge = "";
      if (f.state === "error") badge = "error";
      else if (e && e.dirty) badge = "unsaved";
      else if (f.saved) badge = "saved";
      b.textContent = f.name;
      b.title = f.path || f.name;
      if (badge) {
        const s = document.createElement("span");
        s.className = "badge " + badge;
        s.textContent = badge;
        b.append(" ", s);
      }
      if (f.kind === "video") b.classList.add("video");
      b.addEventListener("click", () => go(i));
      li.append(b);
      el.fileList.append(li);
    });
    el.position.textContent = S.files.length ? `${S.index + 1} / ${S.files.length}` : "0 / 0";
    el.prev.disabled = S.index <= 0;
    el.next.disabled = S.index < 0 || S.index >= S.files.length - 1;
  }

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
    setPreview(false);
    const gen = ++S.gen;
    el.result.textContent = "";
    el.note.textContent = "";
    renderFileList();
    renderAll();
    await loadDetail(gen);
    // Start detection on the next file while this one is reviewed.
    const nxt = S.files[i + 1];
    if (nxt && nxt.state === "new") api(`/api/files/${nxt.id}`).then((d) => { nxt.state = d.state; }).catch(() => {});
  }

  async function loadDetail(gen) {
    const f = current();
    if (!f) return;
    let d;
    try {
      d = await api(`/api/files/${f.id}`);
    } catch (err) {
      if (gen === S.gen) status(`Could not load ${f.name}: ${err.message}`, "error");
      return;
    }
    if (gen !== S.gen) return;
    const first = !S.detail;
    const hadDims = !!dims();
    S.detail = d;
    f.state = d.state;
    f.saved = d.saved;
    const e = edit();
    if (d.state === "ready" && !e.loaded) {
      e.regions = d.kind === "video" ? [] : d.regions.map((r) => newRegion(r));
      e.loaded = true;
    }
    if (d.state === "error") {
      status(`${f.name}: ${d.error}`, "error");
    } else if (d.state !== "ready") {
      status(d.kind === "video" ? "Sampling frames and finding faces\u2026" : "Finding faces\u2026", "busy");
    } else if (el.status.classList.contains("busy")) {
      status("");
    }
    if (d.notes && d.notes.length) el.note.textContent = d.notes.join("; ");
    if (first || d.kind === "video") loadImage();
    renderFileList();
    renderAll();
    if (!hadDims && dims() && S.fitted) fit();
    if (d.save && d.save.state === "running") pollSave(gen);
    else if (d.save && (d.save.state === "done" || d.save.state === "error") && first) showSaveResult(d.save, true);
    if (d.state !== "ready" && d.state !== "error") setTimeout(() => { if (gen === S.gen) loadDetail(gen); }, 600);
  }

  function newRegion(r) {
    return {
      uid: S.nextUid++, x: r.x, y: r.y, w: r.w, h: r.h, kind: r.kind || "manual",
      score: r.score === undefined ? 1 : r.score, t0: r.t0 ?? null, t1: r.t1 ?? null,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Image and stage
  function imageUrl() {
    const f = current();
    if (!f || !S.detail) return "";
    if (isVideo()) {
      const s = S.detail.samples.find((x) => x.k === S.sample);
      return s ? `/api/files/${f.id}/frame/${s.k}` : "";
    }
    return `/api/files/${f.id}/image`;
  }

  function loadImage() {
    if (S.preview) return refreshPreview();
    const url = imageUrl();
    if (!url) return;
    if (el.photo.getAttribute("src") !== url) {
      showBusy("Loading\u2026");
      el.photo.src = url;
    }
  }

  el.photo.addEventListener("load", () => { showBusy(""); if (S.fitted) fit(); });
  el.photo.addEventListener("error", () => {
    showBusy("");
    if (el.photo.getAttribute("src")) status("The image could not be shown.", "error");
  });

  function dims() {
    return S.detail && S.detail.width ? { w: S.detail.width, h: S.detail.height } : null;
  }

  function layout() {
    const d = dims();
    el.stage.hidden = !d;
    el.empty.hidden = !!current();
    if (!d) return;
    el.stage.style.width = `${d.w * S.zoom}px`;
    el.stage.style.height = `${d.h * S.zoom}px`;
    el.zoomLevel.textContent = `${Math.round(S.zoom * 100)}%`;
  }

  function setZoom(z, clientX, clientY) {
    const d = dims();
    if (!d) return;
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

  function fit() {
    const d = dims();
    if (!d) return;
    const pad = 24;
    const z = Math.min((el.viewport.clientWidth - pad) / d.w, (el.viewport.clientHeight - pad) / d.h, 4);
    S.zoom = Math.max(ZOOM_MIN, z);
    S.fitted = true;
    layout();
    renderRegions();
  }

  // ---------------------------------------------------------------------------------------------
  // Regions
  function sampleTime() {
    const s = isVideo() && S.detail.samples.find((x) => x.k === S.sample);
    return s ? s.t : null;
  }

  function activeAt(r, t) {
    return t == null || ((r.t0 == null || t >= r.t0 - 1e-6) && (r.t1 == null || t <= r.t1 + 1e-6));
  }

  /* Regions shown on the stage: [{r, editable}] */
  function visibleRegions() {
    const e = edit();
    if (!e || !ready()) return [];
    if (!isVideo()) return e.regions.map((r) => ({ r, editable: true }));
    const t = sampleTime();
    const s = S.detail.samples.find((x) => x.k === S.sample);
    const detected = s ? s.regions.map((r, i) => ({ r: Object.assign({ uid: `d${S.sample}-${i}` }, r), editable: false })) : [];
    const manual = e.regions.filter((r) => activeAt(r, t) || r.uid === S.selected).map((r) => ({ r, editable: true }));
    return detected.concat(manual);
  }

  function selectedRegion() {
    const e = edit();
    return e ? e.regions.find((r) => r.uid === S.selected) || null : null;
  }

  function label(r, n) {
    const what = r.kind === "face" ? `Face ${n}, detected, score ${Number(r.score).toFixed(2)}` : `Region ${n}, added`;
    return isVideo() && r.kind === "manual" ? `${what}, ${fmtTime(r.t0 ?? 0)} to ${fmtTime(r.t1 ?? S.detail.duration)}` : what;
  }

  function renderRegions() {
    el.overlay.textContent = "";
    const vis = visibleRegions();
    const t = sampleTime();
    vis.forEach(({ r, editable }, i) => {
      const div = document.createElement("div");
      div.className = `region ${r.kind}`;
      if (!editable) div.classList.add("readonly");
      if (r.uid === S.selected) div.classList.add("selected");
      if (isVideo() && editable && !activeAt(r, t)) div.classList.add("outside");
      div.dataset.uid = r.uid;
      div.dataset.kind = r.kind;
      div.tabIndex = 0;
      div.setAttribute("role", "button");
      div.setAttribute("aria-label", label(r, i + 1));
      div.setAttribute("aria-pressed", r.uid === S.selected ? "true" : "false");
      div.style.left = `${r.x * S.zoom}px`;
      div.style.top = `${r.y * S.zoom}px`;
      div.style.width = `${r.w * S.zoom}px`;
      div.style.height = `${r.h * S.zoom}px`;
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = String(i + 1);
      div.append(tag);
      if (editable && r.uid === S.selected) {
        for (const h of ["nw", "n", "ne", "e", "se", "s", "sw", "w"]) {
          const hd = document.createElement("span");
          hd.className = `handle ${h}`;
          hd.dataset.handle = h;
          div.append(hd);
        }
      }
      div.addEventListener("focus", () => { if (S.selected !== r.uid) select(r.uid, false); });
      el.overlay.append(div);
    });
    el.overlay.classList.toggle("previewing", S.preview);
    el.stage.classList.toggle("adding", S.tool === "add");
  }

  function renderList() {
    el.regionList.textContent = "";
    const e = edit();
    const vis = visibleRegions();
    if (!e || !ready()) {
      el.regionCount.textContent = "";
      return;
    }
    const total = isVideo() ? `${vis.length} on this frame, ${e.regions.length} added` : String(e.regions.length);
    el.regionCount.textContent = `(${total})`;
    vis.forEach(({ r, editable }, i) => {
      const li = document.createElement("li");
      if (r.uid === S.selected) li.className = "selected";
      const b = document.createElement("button");
      b.type = "button";
      b.className = "pick";
      b.textContent = `${i + 1}. ${r.kind === "face" ? `face ${Number(r.score).toFixed(2)}` : "added"}`;
      b.addEventListener("click", () => select(r.uid, true));
      li.append(b);
      if (editable) {
        const x = document.createElement("button");
        x.type = "button";
        x.className = "remove";
        x.textContent = "\u00d7";
        x.setAttribute("aria-label", `Delete ${label(r, i + 1)}`);
        x.title = "Delete";
        x.addEventListener("click", () => { select(r.uid, false); deleteSelected(); });
        li.append(x);
      }
      el.regionList.append(li);
    });
    if (!vis.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = isVideo() ? "No face found on this frame." : "No face found. Draw one with Add region (A) if you see one.";
      el.regionList.append(li);
    }
  }

  function renderDetail() {
    const r = selectedRegion();
    const ro = !r && S.selected && visibleRegions().find((v) => v.r.uid === S.selected);
    const shown = r || (ro && ro.r);
    el.regionDetail.hidden = !shown;
    el.del.disabled = !r;
    if (!shown) return;
    el.regionTitle.textContent = shown.kind === "face" ? "Detected face" : "Added region";
    el.regionGeometry.textContent = `x ${Math.round(shown.x)}, y ${Math.round(shown.y)}, ${Math.round(shown.w)} \u00d7 ${Math.round(shown.h)} px`
      + (ro ? " \u2014 video detections are redone on every frame when saving; draw a region to cover more." : "");
    el.regionTimes.hidden = !(isVideo() && r);
    if (isVideo() && r) {
      el.t0.value = (r.t0 ?? 0).toFixed(2);
      el.t1.value = (r.t1 ?? S.detail.duration).toFixed(2);
      el.t0.max = el.t1.max = String(S.detail.duration);
    }
  }

  function renderToolbar() {
    const has = ready();
    for (const b of [el.toolSelect, el.toolAdd, el.zoomIn, el.zoomOut, el.zoomFit, el.preview, el.save]) b.disabled = !has;
    el.save.disabled = !has || S.saving;
    el.toolSelect.setAttribute("aria-pressed", String(S.tool === "select"));
    el.toolAdd.setAttribute("aria-pressed", String(S.tool === "add"));
    const e = edit();
    el.undo.disabled = !e || !e.history.length;
    el.preview.checked = S.preview;
    const f = current();
    el.filename.textContent = f ? (f.path || f.name) : "";
    el.filename.title = el.filename.textContent;
  }

  function renderAll() {
    layout();
    renderRegions();
    renderList();
    renderDetail();
    renderToolbar();
    renderTimeline();
  }

  function select(uid, focus) {
    S.selected = uid;
    renderRegions();
    renderList();
    renderDetail();
    if (focus) {
      const div = el.overlay.querySelector(`[data-uid="${CSS.escape(String(uid))}"]`);
      if (div) { div.focus({ preventScroll: true }); div.scrollIntoView({ block: "nearest", inline: "nearest" }); }
    }
  }

  function snapshot() {
    const e = edit();
    e.history.push(JSON.stringify(e.regions));
    if (e.history.length > 100) e.history.shift();
  }

  function changed() {
    const e = edit();
    e.dirty = true;
    renderAll();
    renderFileList();
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
    snapshot();
    e.regions = e.regions.filter((x) => x !== r);
    S.selected = null;
    changed();
    status(r.kind === "face" ? "Detected face removed: it will not be covered unless the self-check finds it again." : "Region deleted.");
    el.viewport.focus({ preventScroll: true });
  }

  function setTool(t) {
    S.tool = t;
    renderToolbar();
    renderRegions();
    if (t === "add") status("Drag on the image to draw a region. Esc to stop adding.");
  }

  // ---------------------------------------------------------------------------------------------
  // Pointer: draw, move, resize, pan
  let drag = null;

  function toImage(ev) {
    const st = el.stage.getBoundingClientRect();
    return { x: (ev.clientX - st.left) / S.zoom, y: (ev.clientY - st.top) / S.zoom };
  }

  function clampBox(b) {
    const d = dims();
    let { x, y, w, h } = b;
    w = Math.min(Math.max(w, 1), d.w);
    h = Math.min(Math.max(h, 1), d.h);
    x = Math.min(Math.max(x, 0), d.w - w);
    y = Math.min(Math.max(y, 0), d.h - h);
    return { x, y, w, h };
  }

  el.viewport.addEventListener("pointerdown", (ev) => {
    if (!ready() || ev.button > 1) return;
    const target = ev.target;
    const handle = target.dataset && target.dataset.handle;
    const regionDiv = target.closest && target.closest(".region");
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
      ev.preventDefault();
      return;
    }
    const uid = regionDiv.dataset.uid;
    const r = edit().regions.find((x) => String(x.uid) === uid);
    select(r ? r.uid : uid, false);
    if (!r) return; // read-only video detection
    drag = { mode: handle ? "resize" : "move", handle, p0: p, orig: { x: r.x, y: r.y, w: r.w, h: r.h }, r, snap: JSON.stringify(edit().regions), moved: false };
    ev.preventDefault();
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
      Object.assign(el.drawing.style, {
        left: `${x1 * S.zoom}px`, top: `${y1 * S.zoom}px`, width: `${(x2 - x1) * S.zoom}px`, height: `${(y2 - y1) * S.zoom}px`,
      });
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
    const div = el.overlay.querySelector(`[data-uid="${drag.r.uid}"]`);
    if (div) Object.assign(div.style, { left: `${b.x * S.zoom}px`, top: `${b.y * S.zoom}px`, width: `${b.w * S.zoom}px`, height: `${b.h * S.zoom}px` });
  });

  function endDrag(ev) {
    if (!drag) return;
    const dr = drag;
    drag = null;
    el.viewport.classList.remove("panning");
    if (el.viewport.hasPointerCapture && el.viewport.hasPointerCapture(ev.pointerId)) el.viewport.releasePointerCapture(ev.pointerId);
    if (dr.mode === "pan") {
      if (!dr.moved && S.selected !== null) { S.selected = null; renderRegions(); renderList(); renderDetail(); }
      return;
    }
    if (dr.mode === "draw") {
      el.drawing.hidden = true;
      if (!dr.box || dr.box.w < MIN_SIZE || dr.box.h < MIN_SIZE) return;
      addRegion(dr.box);
      return;
    }
    if (dr.moved) {
      edit().history.push(dr.snap);
      changed();
    }
  }
  el.viewport.addEventListener("pointerup", endDrag);
  el.viewport.addEventListener("pointercancel", endDrag);

  function addRegion(box) {
    const e = edit();
    snapshot();
    const r = newRegion(Object.assign({ kind: "manual", score: 1 }, box));
    if (isVideo()) {
      const t = sampleTime() ?? 0;
      const step = S.detail.duration / Math.max(1, S.detail.sample_total);
      r.t0 = Math.max(0, +(t - step).toFixed(3));
      r.t1 = Math.min(S.detail.duration, +(t + step).toFixed(3));
    }
    e.regions.push(r);
    S.selected = r.uid;
    changed();
    status(isVideo()
      ? `Region added from ${fmtTime(r.t0)} to ${fmtTime(r.t1)}; adjust the range in the panel or with [ and ].`
      : "Region added.");
  }

  /* Keyboard path for adding: a region at the centre of what is on screen, then arrows move it. */
  function addAtCenter() {
    const d = dims();
    if (!d || !ready()) return;
    const vp = el.viewport.getBoundingClientRect();
    const st = el.stage.getBoundingClientRect();
    const cx = (Math.min(vp.right, st.right) + Math.max(vp.left, st.left)) / 2;
    const cy = (Math.min(vp.bottom, st.bottom) + Math.max(vp.top, st.top)) / 2;
    const size = Math.max(16, Math.round(Math.min(d.w, d.h) * 0.1));
    const x = (cx - st.left) / S.zoom, y = (cy - st.top) / S.zoom;
    addRegion(clampBox({ x: x - size / 2, y: y - size / 2, w: size, h: size }));
    setTool("select");
    select(S.selected, true);
  }

  function nudge(key, resize) {
    const r = selectedRegion();
    if (!r) return;
    const step = Math.max(1, Math.round(4 / S.zoom));
    const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
    const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
    snapshot();
    const b = resize ? { x: r.x, y: r.y, w: Math.max(MIN_SIZE, r.w + dx), h: Math.max(MIN_SIZE, r.h + dy) }
      : { x: r.x + dx, y: r.y + dy, w: r.w, h: r.h };
    Object.assign(r, clampBox(b));
    changed();
    select(r.uid, true);
  }

  el.viewport.addEventListener("wheel", (ev) => {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    setZoom(S.zoom * Math.exp(-ev.deltaY * 0.0015), ev.clientX, ev.clientY);
  }, { passive: false });

  window.addEventListener("resize", () => { if (S.fitted) fit(); });

  // ---------------------------------------------------------------------------------------------
  // Masked preview
  let previewTimer = null;
  let previewSeq = 0;

  function payloadRegions(forPreview) {
    const e = edit();
    if (!forPreview) {
      return e.regions.map((r) => {
        const o = { x: r.x, y: r.y, w: r.w, h: r.h, kind: r.kind, score: r.score };
        if (isVideo()) { o.t0 = r.t0; o.t1 = r.t1; }
        return o;
      });
    }
    return visibleRegions().filter(({ r }) => activeAt(r, sampleTime()))
      .map(({ r }) => ({ x: r.x, y: r.y, w: r.w, h: r.h, kind: r.kind, score: r.score }));
  }

  function setPreview(on) {
    S.preview = on;
    el.preview.checked = on;
    if (!on) {
      clearTimeout(previewTimer);
      previewSeq++;
      if (S.previewUrl) { URL.revokeObjectURL(S.previewUrl); S.previewUrl = null; }
      const url = imageUrl();
      if (url && el.photo.getAttribute("src") !== url) el.photo.src = url;
      renderRegions();
    } else {
      refreshPreview();
    }
  }

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 250);
  }

  async function refreshPreview() {
    const f = current();
    if (!f || !ready()) return;
    const seq = ++previewSeq;
    showBusy("Masking\u2026");
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
      renderRegions();
    } catch (err) {
      status(`Preview failed: ${err.message}`, "error");
    } finally {
      if (seq === previewSeq) showBusy("");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Saving
  async function save() {
    const f = current();
    if (!f || !ready() || S.saving) return;
    S.saving = true;
    renderToolbar();
    el.result.textContent = "";
    status(isVideo() ? "Saving the video: every frame is checked, this can take a while\u2026" : "Saving\u2026", "busy");
    const gen = S.gen;
    try {
      await api(`/api/files/${f.id}/save`, {
        json: { style: S.style, force: el.force.checked, regions: payloadRegions(false) },
      });
      await pollSave(gen);
    } catch (err) {
      status(`Not saved: ${err.message}`, "error");
    } finally {
      S.saving = false;
      renderToolbar();
    }
  }

  async function pollSave(gen) {
    const f = current();
    for (;;) {
      let d;
      try {
        d = await api(`/api/files/${f.id}`);
      } catch (err) {
        status(`Lost contact with the server: ${err.message}`, "error");
        return;
      }
      if (gen !== S.gen) return;
      const sv = d.save || {};
      if (sv.state === "running") {
        if (sv.progress && sv.progress[1]) status(`Saving\u2026 frame ${sv.progress[0]} of ${sv.progress[1]}`, "busy");
        await new Promise((res) => setTimeout(res, 500));
        continue;
      }
      S.detail.save = sv;
      f.saved = d.saved;
      if (sv.state === "done") S.edits[f.id].dirty = false;
      renderFileList();
      showSaveResult(sv, false);
      return;
    }
  }

  function showSaveResult(sv, earlier) {
    el.result.textContent = "";
    if (sv.state === "error") {
      const hint = /exists/.test(sv.error || "") ? " Tick \u201cReplace existing\u201d to overwrite it." : "";
      status(`Not saved: ${sv.error}${hint}`, "error");
      return;
    }
    if (sv.state !== "done") return;
    const rep = sv.report || {};
    status(earlier ? "Saved earlier in this session." : "Saved.", "ok");
    const dl = document.createElement("dl");
    const add = (k, v) => {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      dl.append(dt, dd);
    };
    add("Output", sv.output || "");
    add("Regions file", sv.sidecar || "");
    if (rep.kind === "video") add("Faces / tracks", String(rep.tracks ?? rep.faces ?? ""));
    else {
      const rv = sv.reviewed || { faces: rep.faces ?? 0, added: rep.manual_regions ?? 0 };
      add("Covered", `${rv.faces} detected, ${rv.added} added, ${rep.self_check_extra ?? 0} more found by the self-check`);
    }
    if (rep.metadata_dropped && rep.metadata_dropped.length) add("Metadata removed", rep.metadata_dropped.join(", "));
    el.result.append(dl);
    const links = document.createElement("p");
    for (const [href, text] of [[sv.download, "Download anonymized file"], [sv.sidecar_download, "Download regions (.json)"]]) {
      if (!href) continue;
      const a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      a.setAttribute("download", "");
      a.className = "button";
      links.append(a, " ");
    }
    el.result.append(links);
    for (const w of sv.warnings || []) {
      const p = document.createElement("p");
      p.className = "warning";
      p.textContent = w;
      el.result.append(p);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Video timeline
  function fmtTime(t) {
    if (t === null || t === undefined || Number.isNaN(t)) return "";
    const m = Math.floor(t / 60), s = t - m * 60;
    return `${m}:${s.toFixed(1).padStart(4, "0")}`;
  }

  function renderTimeline() {
    const v = isVideo();
    el.timeline.hidden = !v;
    if (!v) return;
    const d = S.detail;
    const dur = Math.max(d.duration, 1e-3);
    el.sampling.textContent = d.state === "ready" ? `${d.samples.length} frames sampled, ${d.tracks.length} face track(s)`
      : `Sampling ${d.samples.length} / ${d.sample_total}\u2026`;
    const t = sampleTime();
    el.frameTime.textContent = t === null ? "" : `${fmtTime(t)} / ${fmtTime(d.duration)}`;
    // thumbnails
    if (el.thumbs.childElementCount !== d.samples.length) {
      el.thumbs.textContent = "";
      for (const s of d.samples) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "thumb";
        b.dataset.k = s.k;
        b.setAttribute("role", "option");
        b.setAttribute("aria-label", `Frame at ${fmtTime(s.t)}, ${s.regions.length} face(s)`);
        const img = document.createElement("img");
        img.alt = "";
        img.loading = "lazy";
        img.src = `/api/files/${current().id}/thumb/${s.k}`;
        const cap = document.createElement("span");
        cap.textContent = `${fmtTime(s.t)} \u00b7 ${s.regions.length}`;
        b.append(img, cap);
        b.addEventListener("click", () => goSample(s.k));
        el.thumbs.append(b);
      }
    }
    for (const b of el.thumbs.children) {
      const on = Number(b.dataset.k) === S.sample;
      b.setAttribute("aria-selected", String(on));
      if (on && b.scrollIntoView) b.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    // tracks and added regions as bars over time
    el.tracks.textContent = "";
    const row = (name, t0, t1, cls, onClick, title) => {
      const div = document.createElement("div");
      div.className = "track";
      const lab = document.createElement("span");
      lab.className = "track-label";
      lab.textContent = name;
      const lane = document.createElement("div");
      lane.className = "lane";
      const bar = document.createElement("button");
      bar.type = "button";
      bar.className = `bar ${cls}`;
      bar.style.left = `${(Math.max(0, t0) / dur) * 100}%`;
      bar.style.width = `${Math.max(0.6, ((Math.min(dur, t1) - Math.max(0, t0)) / dur) * 100)}%`;
      bar.title = title;
      bar.setAttribute("aria-label", `${name}: ${title}`);
      bar.addEventListener("click", onClick);
      lane.append(bar);
      if (t !== null) {
        const head = document.createElement("span");
        head.className = "playhead";
        head.style.left = `${(t / dur) * 100}%`;
        lane.append(head);
      }
      div.append(lab, lane);
      el.tracks.append(div);
    };
    const e = edit();
    (e ? e.regions : []).forEach((r, i) => {
      const a = r.t0 ?? 0, b = r.t1 ?? d.duration;
      row(`Added ${i + 1}`, a, b, `manual${r.uid === S.selected ? " selected" : ""}`, () => {
        const s = d.samples.find((x) => x.t >= a - 1e-6 && x.t <= b + 1e-6);
        if (s) goSample(s.k);
        select(r.uid, true);
      }, `${fmtTime(a)} to ${fmtTime(b)}`);
    });
    for (const tr of d.tracks) {
      row(`Face ${tr.id}`, tr.t0, tr.t1 + (d.duration / Math.max(1, d.sample_total)) * 0.5, "face",
        () => goSample(tr.samples[0]), `${fmtTime(tr.t0)} to ${fmtTime(tr.t1)}, seen on ${tr.samples.length} sampled frame(s)`);
    }
    if (!d.tracks.length && !(e && e.regions.length)) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = d.state === "ready" ? "No face found on the sampled frames. Draw a region on a frame to cover something over a time range." : "";
      el.tracks.append(p);
    }
  }

  function goSample(k) {
    if (!isVideo() || !S.detail.samples.some((s) => s.k === k)) return;
    S.sample = k;
    loadImage();
    renderAll();
  }

  function stepSample(delta) {
    if (!isVideo()) return;
    const ks = S.detail.samples.map((s) => s.k);
    const i = ks.indexOf(S.sample);
    const j = Math.min(ks.length - 1, Math.max(0, i + delta));
    if (j !== i) goSample(ks[j]);
  }

  function setTimes(t0, t1) {
    const r = selectedRegion();
    if (!r || !isVideo()) return;
    snapshot();
    if (t0 !== undefined) r.t0 = Math.max(0, Math.min(t0, S.detail.duration));
    if (t1 !== undefined) r.t1 = Math.max(0, Math.min(t1, S.detail.duration));
    if (r.t0 !== null && r.t1 !== null && r.t1 < r.t0) [r.t0, r.t1] = [r.t1, r.t0];
    changed();
    status(`Region covers ${fmtTime(r.t0 ?? 0)} to ${fmtTime(r.t1 ?? S.detail.duration)}.`);
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
        status(`${file.name}: not a photo or video type unseen reads.`, "error");
        continue;
      }
      if (file.size > S.session.max_upload) {
        status(`${file.name}: larger than the upload limit (${Math.round(S.session.max_upload / 1048576)} MB).`, "error");
        continue;
      }
      status(`Adding ${file.name}\u2026`, "busy");
      try {
        await api("/api/upload", {
          body: file, headers: { "Content-Type": "application/octet-stream", "X-Filename": encodeURIComponent(file.name) },
        });
        ok++;
      } catch (err) {
        status(`${file.name}: ${err.message}`, "error");
      }
    }
    await refreshSession();
    if (ok) {
      status(`${ok} file(s) added.`, "ok");
      go(before < S.files.length ? before : S.files.length - 1);
    }
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
  // Buttons and keys
  el.prev.addEventListener("click", () => go(S.index - 1));
  el.next.addEventListener("click", () => go(S.index + 1));
  el.toolSelect.addEventListener("click", () => setTool("select"));
  el.toolAdd.addEventListener("click", () => setTool(S.tool === "add" ? "select" : "add"));
  el.del.addEventListener("click", deleteSelected);
  el.undo.addEventListener("click", undo);
  el.zoomIn.addEventListener("click", () => setZoom(S.zoom * 1.25));
  el.zoomOut.addEventListener("click", () => setZoom(S.zoom / 1.25));
  el.zoomFit.addEventListener("click", fit);
  el.preview.addEventListener("change", () => setPreview(el.preview.checked));
  el.save.addEventListener("click", save);
  el.framePrev.addEventListener("click", () => stepSample(-1));
  el.frameNext.addEventListener("click", () => stepSample(1));
  el.setT0.addEventListener("click", () => setTimes(sampleTime(), undefined));
  el.setT1.addEventListener("click", () => setTimes(undefined, sampleTime()));
  el.setAll.addEventListener("click", () => setTimes(0, S.detail.duration));
  el.t0.addEventListener("change", () => setTimes(Number(el.t0.value), undefined));
  el.t1.addEventListener("change", () => setTimes(undefined, Number(el.t1.value)));
  el.helpBtn.addEventListener("click", () => el.help.showModal());
  el.style.addEventListener("change", () => {
    S.style = el.style.value;
    if (S.session.reversible.includes(S.style)) status(S.session.reversible_warning.replace("{style}", S.style), "warning");
    else status("");
    if (S.preview) refreshPreview();
  });

  document.addEventListener("keydown", (ev) => {
    if (el.help.open) return;
    const tag = ev.target && ev.target.tagName;
    const typing = tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
    if (typing && ev.key !== "Escape") return;
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "z") { ev.preventDefault(); undo(); return; }
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "s") { ev.preventDefault(); save(); return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const k = ev.key;
    const onRegion = ev.target.classList && ev.target.classList.contains("region") && selectedRegion();
    if (onRegion && k.startsWith("Arrow")) { ev.preventDefault(); nudge(k, ev.shiftKey); return; }
    if (k === "Enter" && S.tool === "add") { ev.preventDefault(); addAtCenter(); return; }
    const act = {
      n: () => go(S.index + 1), ArrowRight: () => go(S.index + 1),
      p: () => go(S.index - 1), ArrowLeft: () => go(S.index - 1),
      a: () => setTool(S.tool === "add" ? "select" : "add"),
      Delete: deleteSelected, Backspace: deleteSelected,
      "+": () => setZoom(S.zoom * 1.25), "=": () => setZoom(S.zoom * 1.25), "-": () => setZoom(S.zoom / 1.25),
      0: fit, s: save, m: () => setPreview(!S.preview), u: undo,
      ",": () => stepSample(-1), ".": () => stepSample(1),
      "[": () => setTimes(sampleTime(), undefined), "]": () => setTimes(undefined, sampleTime()),
      "?": () => el.help.showModal(),
      Escape: () => {
        if (typing) ev.target.blur();
        S.selected = null;
        setTool("select");
        status("");
        renderAll();
      },
    }[k.length === 1 ? k.toLowerCase() : k];
    if (!act) return;
    if (k === " " || k === "Backspace" || k === "Delete" || k.startsWith("Arrow")) ev.preventDefault();
    act();
  });

  window.addEventListener("beforeunload", (ev) => {
    if (Object.values(S.edits).some((e) => e.dirty)) { ev.preventDefault(); ev.returnValue = ""; }
  });

  // ---------------------------------------------------------------------------------------------
  async function init() {
    try {
      await refreshSession();
    } catch (err) {
      status(`Cannot reach the review server: ${err.message}`, "error");
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
    renderAll();
    if (S.files.length) go(0);
    else status("Drop photos or videos onto the page to start.");
  }
  init();
})();
