/* Measuring use: which kiosk this is, the kiosk's clock, and the calls that wait for analytics.js (see
   there), which is loaded after the first paint so that the first load stays small.

   A browser is a kiosk when its start address names it (/?kiosk=gallery-3) or carries the token an
   administrator gave it (#token=…), or when it was started so once (both are kept in localStorage).
   Any other browser (a curator's) records nothing and never loads analytics.js. */

import { K, analytics } from "./core.js";
import { isAttracting } from "./idle.js";

const NAME_KEY = "kiosk:name";
const TOKEN_KEY = "kiosk:token";
const CLOCK_KEY = "kiosk:analytics-clock";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

// Read as the page's scripts load, before navigation tidies the address (the timeline drops the query
// and the fragment); the fragment never reaches the server or its logs.
const given = {
  name: new URLSearchParams(location.search).get("kiosk"),
  token: new URLSearchParams(location.hash.slice(1)).get("token"),
};

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch (error) {
    return null;
  }
}

function keep(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch (error) { /* storage full or disabled: the kiosk still works */ }
}

/* { name, token } for a kiosk (token null until it has one), or null for a browser that is no kiosk. */
function identity() {
  if (given.name && NAME.test(given.name)) keep(NAME_KEY, given.name.toLowerCase());
  if (given.token && TOKEN.test(given.token)) keep(TOKEN_KEY, given.token);
  if (given.token && history.replaceState) history.replaceState(history.state, "", location.pathname + location.search);
  const name = stored(NAME_KEY);
  const token = stored(TOKEN_KEY);
  return name || token ? { name: name || "", token: token && TOKEN.test(token) ? token : null } : null;
}

/* The kiosk's clock: milliseconds since 1970, whole, never going back within this browser tab (a reload
   starts from where the page before left off; the system clock set back meanwhile moves nothing). */
let origin = Date.now() - performance.now();
const now = () => Math.round(origin + performance.now());

function startClock() {
  let last = 0;
  try {
    last = Number(sessionStorage.getItem(CLOCK_KEY)) || 0;
  } catch (error) { /* no storage: the system clock it is */ }
  origin = Math.max(Date.now(), last + 1) - performance.now();
  window.addEventListener("pagehide", () => {
    try {
      sessionStorage.setItem(CLOCK_KEY, String(now()));
    } catch (error) { /* the next page starts from the system clock */ }
  });
}

/* What a JavaScript error says, where it happened. */
function describe(evt) {
  const reason = evt.reason !== undefined ? evt.reason : evt.error;
  const message = (reason && reason.message) || evt.message || String(reason);
  const where = evt.filename ? ` (${evt.filename.split("/").pop()}:${evt.lineno})` : "";
  return { message: String(message).slice(0, 300) + where };
}

export function start() {
  startClock();
  const kiosk = identity();
  K.analytics = Object.assign(analytics, { now, kiosk, startedAt: now() });   // K.analytics: for analytics.js, which takes it over
  if (!kiosk) return;

  const waiting = [];
  const later = (name) => (...args) => waiting.push([name, now(), args]);
  Object.assign(analytics, {
    waiting,
    record: later("record"),
    reading: later("reading"),
    touched: later("touched"),
    failed: later("failed"),
  });
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, () => analytics.touched(isAttracting()), { capture: true, passive: true });
  }
  for (const type of ["error", "unhandledrejection"]) window.addEventListener(type, (evt) => analytics.failed(describe(evt)));
  // A page left before analytics.js took over (a language chosen at once): the next page's replays them.
  window.addEventListener("pagehide", () => {
    if (analytics.waiting) K.remember("analytics-waiting", (K.recall("analytics-waiting") || []).concat(waiting));
  });
  window.addEventListener("load", () => setTimeout(() => {
    const script = document.createElement("script");
    script.src = document.body.dataset.analytics;
    document.head.append(script);
  }, 1500));
}
