/* Offline and live updates */

import { K, analytics } from "./core.js";

let updatePending = false;   // a publish (or an upgrade) is waiting for a moment that disturbs nobody
let reloading = false;

/* Reload onto the new content if there is any; navigation and idle call it where reloading cannot
   disturb a visitor. Keeping the visitor's place on the timeline is navigation's ("keep-place"). */
export function applyPendingUpdate(options = {}) {
  if (!updatePending) return false;
  if (options.attract) {
    K.remember("attract", true);
  } else if (options.keepPlace) {
    K.emit("keep-place");
  }
  reloading = true;
  location.replace(options.attract ? K.config.defaultHome : K.config.home);
  return true;
}

/* A service worker keeps a copy for a reload while the server is down; the version is polled (a 304
   when unchanged) and applied at the visitor's next navigation or when nobody is there; a failed
   request gets a gentle message, and the kiosk keeps asking, less often, until the server is back. */
export function start() {
  const root = document.documentElement;
  const status = document.getElementById("kiosk-status");
  const pollTime = K.config.pollSeconds * 1000;
  const pageVersion = K.config.version;
  let etag = `"${pageVersion}"`;
  let staleTimeline = false;   // a visitor tapped an event that is gone: the timeline is out of date
  let failures = 0;
  let pollTimer = 0;
  let statusTimer = 0;

  if ("serviceWorker" in navigator && K.config.serviceWorker) {
    navigator.serviceWorker
      .register(K.config.serviceWorker, { scope: "/", updateViaCache: "none" })
      .catch(() => { /* offline or not allowed: the kiosk still works, just without the saved copy */ });
    // What the saved copy could not keep (a missing image) reaches the admin's Kiosks page as this kiosk's error.
    navigator.serviceWorker.addEventListener("message", ({ data }) => {
      if (data.type === "offline-incomplete") analytics.failed({ message: "offline copy lacks " + data.failed.join(" ") });
    });
  }

  /* ---------- Live updates ---------- */

  function noticeVersion(version) {
    if (version === pageVersion || updatePending) return;
    updatePending = true;
    // Nobody there (idle applies it under the attract screen), or the visitor just found the timeline
    // out of date: update now. Otherwise a visitor gets it when they next navigate (or the next
    // visitor does).
    K.emit("update-pending");
    if (reloading) return;
    if (staleTimeline) refreshStaleTimeline();
    else root.dataset.update = "pending";   // kept for later (tests wait for this)
  }

  function refreshStaleTimeline() {
    K.remember("message", "missing");   // still said after the reload that brings the timeline up to date
    applyPendingUpdate({ keepPlace: true });
  }

  async function poll() {
    let delay = pollTime;
    try {
      const response = await fetch("/version", { cache: "no-store", headers: { "If-None-Match": etag } });
      if (response.status === 200) {
        etag = response.headers.get("ETag") || etag;
        noticeVersion((await response.json()).version);
      } else if (response.status !== 304) {
        throw new Error("version check answered " + response.status);
      }
      if (failures) {
        failures = 0;
        root.classList.remove("is-offline");
      }
    } catch (error) {
      failures += 1;
      root.classList.add("is-offline");
      delay = Math.min(4 * pollTime, 2000 * 2 ** (failures - 1));   // back off while the server is away
    }
    pollTimer = setTimeout(poll, delay);
  }

  function pollSoon() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, 200);
  }

  pollTimer = setTimeout(poll, pollTime);

  /* ---------- Failed requests: a message in the kiosk's own design ---------- */

  /* kind: "failed" or "missing", the messages the page carries in its own language. */
  function say(kind) {
    const message = status && status.dataset["message" + kind[0].toUpperCase() + kind.slice(1)];
    if (!message) return;
    status.textContent = message;
    status.classList.add("is-shown");
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => {
      status.classList.remove("is-shown");
      status.textContent = "";
    }, 6000);
  }

  if (window.htmx) htmx.config.timeout = 10000;

  document.addEventListener("htmx:responseError", (evt) => {
    const missing = evt.detail.xhr && evt.detail.xhr.status === 404;
    say(missing ? "missing" : "failed");
    if (missing && evt.detail.elt.classList.contains("card")) {
      staleTimeline = true;
      if (updatePending) refreshStaleTimeline();
      else pollSoon();
    }
  });
  for (const name of ["htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(name, () => {
      say("failed");
      pollSoon();
    });
  }
  const carried = K.recall("message");
  if (carried) say(carried);
  K.on("going-home", () => status && status.classList.remove("is-shown"));
}
