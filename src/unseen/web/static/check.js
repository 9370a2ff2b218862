/* unseen review: "places to check", the places most likely missed, walked one by one (C, Shift+C):
 * detections with a low score (is the whole face in the box?), then what a wider search found that
 * no region covers, then detections the reviewer removed. */
import { addRegion, centreOn, renderRegions, select } from "./stage.js";
import { LOW_SCORE, S, edit, el, isVideo, kindOf, place, ready, status } from "./state.js";

const COVERED = 0.5; // a place counts as covered when a region holds this share of it

function coveredShare(b, regions) {
  let best = 0;
  for (const r of regions) {
    const w = Math.min(b.x + b.w, r.x + r.w) - Math.max(b.x, r.x);
    const h = Math.min(b.y + b.h, r.y + r.h) - Math.max(b.y, r.y);
    if (w > 0 && h > 0) best = Math.max(best, (w * h) / Math.max(b.w * b.h, 1e-6));
  }
  return best;
}

function places() {
  const regions = edit().regions;
  const low = regions.filter((r) => !r.drawn && !r.foundBy && r.score < LOW_SCORE)
    .sort((a, b) => a.score - b.score).map((r) => ({ what: "low", r }));
  const maybe = (S.detail.maybe || []).filter((b) => coveredShare(b, regions) < COVERED)
    .map((b) => ({ what: "maybe", box: b }));
  const removed = (S.detail.regions || []).filter((b) => coveredShare(b, regions) < COVERED)
    .map((b) => ({ what: "removed", box: b }));
  return low.concat(maybe, removed);
}

export function resetCheck() {
  S.check = null;
  el.checkInfo.hidden = true;
}

export function stepCheck(delta) {
  if (!ready() || isVideo()) return;
  if (!S.check || !S.check.places.length) S.check = { places: places(), i: -1, box: null };
  const c = S.check;
  if (!c.places.length) {
    el.checkInfo.hidden = false;
    el.checkText.textContent = S.detail.maybe === null
      ? "Still looking for places to check\u2026 try again in a moment."
      : "No place to check: no low score, and the wider search found nothing uncovered. Still look at every face.";
    el.checkCover.hidden = true;
    return;
  }
  c.i = (c.i + delta + c.places.length) % c.places.length;
  show(c.places[c.i]);
}

function show(p) {
  const c = S.check;
  const n = `Place ${c.i + 1} of ${c.places.length}: `;
  el.checkInfo.hidden = false;
  if (p.what === "low") {
    c.box = null;
    select(p.r.uid, true);
    centreOn(p.r);
    el.checkText.textContent = `${n}${kindOf(p.r.kind).label} with a low score (${Number(p.r.score).toFixed(2)}), `
      + `${place(p.r)}. Is the whole face inside the box? Move or resize it, or Delete it if it is not a face.`;
    el.checkCover.hidden = true;
  } else {
    const covered = coveredShare(p.box, edit().regions) >= COVERED;
    c.box = covered ? null : p.box;
    select(null, false);
    renderRegions();
    centreOn(p.box);
    const what = p.what === "maybe" ? `possible face (score ${Number(p.box.score ?? 0).toFixed(2)})`
      : "detected face that no region covers (deleted, or not in the saved regions)";
    el.checkText.textContent = covered ? `${n}${what}, ${place(p.box)}: covered now.`
      : `${n}${what}, ${place(p.box)}, not covered. Press Enter (or Cover it) to cover it, C to go on.`;
    el.checkCover.hidden = covered;
  }
  status("");
}

/* Cover the place on screen; true when there was one. */
export function coverCheck() {
  const c = S.check;
  if (!c || !c.box) return false;
  const r = addRegion({ x: c.box.x, y: c.box.y, w: c.box.w, h: c.box.h }, "face", true);
  r.drawn = true;
  c.box = null;
  show(c.places[c.i]);
  status("Covered. C goes to the next place.", "ok");
  return true;
}

el.checkCover.addEventListener("click", coverCheck);
