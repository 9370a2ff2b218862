/* unseen review: the page's state, its elements and small shared helpers. No imports.
 *
 * Coordinates: every region is kept in the pixels of the upright image (or full-size video frame),
 * exactly what the engine and the --boxes sidecar use. The stage is drawn at width*zoom, so the
 * screen position of a region is its image position times the zoom.
 */

export const TOKEN = document.querySelector('meta[name="unseen-token"]').content;
export const $ = (id) => document.getElementById(id);

/* A URL the browser loads by itself (<img src>, a download link): it cannot send the token header,
 * and no cookie carries it, so the token goes in the query (the Referrer-Policy is no-referrer). */
export const withToken = (path) => `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(TOKEN)}`;

export const el = Object.fromEntries([
  "prev", "next", "position", "filename", "file-input", "help-btn", "help", "file-list", "file-messages",
  "tool-select", "tool-add", "draw-kind", "delete", "undo", "zoom-out", "zoom-in", "zoom-fit", "zoom-level",
  "style", "save", "guide", "legend", "labels", "preview", "check-next",
  "viewport", "stage", "photo", "overlay", "drawing", "empty",
  "timeline", "frame-prev", "frame-next", "frame-time", "sampling", "thumbs", "tracks",
  "status", "activity", "progress",
  "region-count", "region-list", "region-detail", "region-title", "region-geometry", "region-times", "cover-detected",
  "t0", "t1", "set-t0", "set-t1", "set-all", "check-info", "check-text", "check-cover",
  "audio-row", "audio-says", "audio", "destination", "result", "note",
  "confirm", "confirm-title", "confirm-text", "confirm-ok", "confirm-cancel", "confirm-alt", "dropzone",
].map((id) => [id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase()), $(id)]));

export const MIN_SIZE = 3; // image pixels: smaller drags are clicks
export const LOW_SCORE = 0.5; // detections below this score are places to check

// All state in one object; window.unseenReview exposes it for tests and debugging.
export const S = {
  session: null, files: [], index: -1, detail: null,
  edits: {}, // file id -> {regions, dirty, version, history, loaded, synced}
  kinds: {}, // name -> {name, label, colour} from the session
  zoom: 1, fitted: true, tool: "select", selected: null, preview: false, sample: 0,
  style: "fill", audio: null, drawKind: "manual", labels: true, hidden: new Set(),
  gen: 0, nextUid: 1, previewUrl: null, saving: false, check: null, lost: [],
};
window.unseenReview = S;

// Functions one module needs from another, filled in by app.js (no import cycles).
export const view = {};

export const current = () => (S.index >= 0 ? S.files[S.index] : null);
export const isVideo = () => !!S.detail && S.detail.kind === "video";
export const ready = () => !!S.detail && S.detail.state === "ready";
export const dims = () => (S.detail && S.detail.width ? { w: S.detail.width, h: S.detail.height } : null);

export function edit(file = current()) {
  if (!file) return null;
  if (!S.edits[file.id]) S.edits[file.id] = { regions: [], dirty: false, version: 0, history: [], loaded: false, synced: true };
  return S.edits[file.id];
}

export function kindOf(name) {
  return S.kinds[name] || { name, label: name, colour: "#9ca3af" };
}

export function newRegion(r) {
  return {
    uid: S.nextUid++, x: r.x, y: r.y, w: r.w, h: r.h, kind: r.kind || "manual",
    score: r.score === undefined ? 1 : r.score, t0: r.t0 ?? null, t1: r.t1 ?? null,
    drawn: !!r.drawn || (r.kind || "manual") === "manual", foundBy: r.found_by || null,
  };
}

export function fmtTime(t) {
  if (t === null || t === undefined || Number.isNaN(t)) return "";
  const m = Math.floor(t / 60), s = t - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/* Where a box is in the picture, in words: "top left", "middle", "bottom right". */
export function place(r) {
  const d = dims();
  if (!d) return "";
  const cx = (r.x + r.w / 2) / d.w, cy = (r.y + r.h / 2) / d.h;
  const row = cy < 1 / 3 ? "top" : cy < 2 / 3 ? "middle" : "bottom";
  const col = cx < 1 / 3 ? "left" : cx < 2 / 3 ? "centre" : "right";
  if (row === "middle" && col === "centre") return "middle";
  return col === "centre" ? `${row} centre` : `${row} ${col}`;
}

// ---------------------------------------------------------------------------------------------
// The status bar: one message about the open file (or the page), what is running, and progress.
export function status(text, kind = "info") {
  el.status.textContent = text || "";
  el.status.className = "status " + kind;
}

export function activity(text) {
  el.activity.textContent = text || "";
}

export function progress(done, total) {
  el.progress.hidden = !total;
  if (total) {
    el.progress.max = total;
    el.progress.value = done;
  }
}
