/* unseen review: talking to the review server (same origin, token header on every request). */
import { TOKEN } from "./state.js";

export const STOPPED = "The review server has stopped, so nothing can be loaded or saved. "
  + "Start unseen review again to go on: files already saved are kept.";

// A change the server could not be told about: the work is in this tab only (beforeunload asks).
export const UNREACHABLE = "The review server cannot be reached (has it stopped?): the changes made here "
  + "since exist only in this tab, and closing or reloading it loses them. Files already saved are kept.";

export class ApiError extends Error {
  constructor(message, status = 0, data = {}) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

export async function api(path, opts = {}) {
  const headers = Object.assign({ "X-Unseen-Token": TOKEN }, opts.headers || {});
  let body = opts.body;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  let r;
  try {
    r = await fetch(path, {
      method: opts.method || (body !== undefined ? "POST" : "GET"),
      headers, body, credentials: "same-origin", cache: "no-store",
    });
  } catch {
    throw new ApiError(STOPPED, 0, { offline: true }); // never the browser's "Failed to fetch"
  }
  if (!r.ok) {
    let data = {};
    try {
      data = await r.clone().json();
    } catch {
      data = { error: (await r.text()).trim() };
    }
    throw new ApiError(data.error || `the server answered ${r.status}`, r.status, data);
  }
  return opts.raw ? r : r.json();
}
