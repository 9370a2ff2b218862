/* unseen review: the video timeline (sampled frames, face tracks, the added regions' time ranges). */
import { loadImage, sampleTime, select, selectedRegion } from "./stage.js";
import { S, current, edit, el, fmtTime, isVideo, kindOf, plural, status, view, withToken } from "./state.js";

export function renderTimeline() {
  const v = isVideo();
  el.timeline.hidden = !v;
  if (!v) return;
  const d = S.detail;
  const dur = Math.max(d.duration, 1e-3);
  el.sampling.textContent = d.state === "ready" ? `${plural(d.samples.length, "frame")} sampled, ${plural(d.tracks.length, "face track")}`
    : `Sampling ${d.samples.length} / ${d.sample_total}\u2026`;
  const t = sampleTime();
  el.frameTime.textContent = t === null ? "" : `${fmtTime(t)} / ${fmtTime(d.duration)}`;
  renderThumbs(d);
  // tracks and added regions as bars over time
  el.tracks.textContent = "";
  const row = (name, t0, t1, colour, selected, onClick, title) => {
    const div = document.createElement("div");
    div.className = "track";
    const lab = document.createElement("span");
    lab.className = "track-label";
    lab.textContent = name;
    const lane = document.createElement("div");
    lane.className = "lane";
    const bar = document.createElement("button");
    bar.type = "button";
    bar.tabIndex = -1; // the keyboard reaches frames with , and . and regions from the list
    bar.className = `bar${selected ? " selected" : ""}`;
    bar.style.setProperty("--c", colour);
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
    row(`Added ${i + 1}`, a, b, kindOf(r.kind).colour, r.uid === S.selected, () => {
      const s = d.samples.find((x) => x.t >= a - 1e-6 && x.t <= b + 1e-6);
      if (s) goSample(s.k);
      select(r.uid, true);
    }, `${fmtTime(a)} to ${fmtTime(b)}`);
  });
  for (const tr of d.tracks) {
    row(`${kindOf(tr.kind || "face").label} ${tr.id}`, tr.t0, tr.t1 + (d.duration / Math.max(1, d.sample_total)) * 0.5,
      kindOf(tr.kind || "face").colour, false, () => goSample(tr.samples[0]),
      `${fmtTime(tr.t0)} to ${fmtTime(tr.t1)}, seen on ${plural(tr.samples.length, "sampled frame")}`);
  }
  if (!d.tracks.length && !(e && e.regions.length)) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = d.state === "ready" ? "No face found on the sampled frames. Draw a region on a frame to cover something over a time range." : "";
    el.tracks.append(p);
  }
}

function renderThumbs(d) {
  if (el.thumbs.childElementCount !== d.samples.length) {
    el.thumbs.textContent = "";
    for (const s of d.samples) {
      const b = document.createElement("div");
      b.className = "thumb";
      b.dataset.k = s.k;
      b.setAttribute("role", "option");
      b.setAttribute("aria-label", `Frame at ${fmtTime(s.t)}, ${plural(s.regions.length, "face")}`);
      const img = document.createElement("img");
      img.alt = "";
      img.loading = "lazy";
      img.src = withToken(`/api/files/${current().id}/thumb/${s.k}`);
      const cap = document.createElement("span");
      cap.textContent = `${fmtTime(s.t)} \u00b7 ${s.regions.length}`;
      b.append(img, cap);
      b.addEventListener("click", () => goSample(s.k));
      el.thumbs.append(b);
    }
  }
  const hadFocus = el.thumbs.contains(document.activeElement);
  for (const b of el.thumbs.children) {
    const on = Number(b.dataset.k) === S.sample;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1; // one tab stop; the arrow keys move
    if (on && b.scrollIntoView) b.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (on && hadFocus) b.focus({ preventScroll: true });
  }
}

export function thumbKey(ev) {
  if (!el.thumbs.contains(ev.target)) return false;
  const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
  if (!delta) return false;
  ev.preventDefault();
  stepSample(delta);
  return true;
}

export function goSample(k) {
  if (!isVideo() || !S.detail.samples.some((s) => s.k === k)) return;
  S.sample = k;
  loadImage();
  view.renderAll();
}

export function stepSample(delta) {
  if (!isVideo()) return;
  const ks = S.detail.samples.map((s) => s.k);
  const i = ks.indexOf(S.sample);
  const j = Math.min(ks.length - 1, Math.max(0, i + delta));
  if (j !== i) goSample(ks[j]);
}

export function setTimes(t0, t1) {
  const r = selectedRegion();
  if (!r || !isVideo()) return;
  view.snapshot();
  if (t0 !== undefined && !Number.isNaN(t0)) r.t0 = Math.max(0, Math.min(t0, S.detail.duration));
  if (t1 !== undefined && !Number.isNaN(t1)) r.t1 = Math.max(0, Math.min(t1, S.detail.duration));
  if (r.t0 !== null && r.t1 !== null && r.t1 < r.t0) [r.t0, r.t1] = [r.t1, r.t0];
  view.changed();
  status(`The region covers ${fmtTime(r.t0 ?? 0)} to ${fmtTime(r.t1 ?? S.detail.duration)}.`);
}
