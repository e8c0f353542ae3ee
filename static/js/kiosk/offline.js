/* Staying up. A service worker keeps the timeline, every published event and their images, so a
   reload while the server is down still shows them. The kiosk asks the server for the content version
   every few seconds (a 304 when nothing changed); after a publish it updates at the visitor's next
   navigation, or at once when nobody is there. A failed request shows a gentle message, never a
   browser error. When the server is unreachable the kiosk keeps asking, less often, until it is back. */
(function () {
  "use strict";

  const K = window.Kiosk;
  if (!K) return;

  const root = document.documentElement;
  const status = document.getElementById("kiosk-status");
  const pollTime = K.config.pollSeconds * 1000;
  const pageVersion = K.config.version;
  let etag = `"${pageVersion}"`;
  let updatePending = false;
  let staleTimeline = false;   // a visitor tapped an event that is gone: the timeline is out of date
  let failures = 0;
  let pollTimer = 0;
  let statusTimer = 0;

  if ("serviceWorker" in navigator && K.config.serviceWorker) {
    navigator.serviceWorker
      .register(K.config.serviceWorker, { scope: "/", updateViaCache: "none" })
      .catch(() => { /* offline or not allowed: the kiosk still works, just without the saved copy */ });
  }

  /* ---------- Live updates ---------- */

  /* Reload onto the new content if there is any; called where reloading cannot disturb a visitor. */
  K.applyPendingUpdate = function (options = {}) {
    if (!updatePending) return false;
    if (options.attract) {
      K.remember("attract", true);
    } else {
      K.rememberPreferences();
      if (options.keepPlace && K.rememberPlace) K.rememberPlace();
    }
    location.replace("/");
    return true;
  };

  function noticeVersion(version) {
    if (version === pageVersion || updatePending) return;
    updatePending = true;
    // Nobody there, or the visitor just found the timeline out of date: update now. Otherwise a
    // visitor gets it when they next navigate (or the next visitor does).
    if (K.isAttracting()) K.applyPendingUpdate({ attract: true });
    else if (staleTimeline) refreshStaleTimeline();
  }

  function refreshStaleTimeline() {
    K.remember("message", "missing");   // still said after the reload that brings the timeline up to date
    K.applyPendingUpdate({ keepPlace: true });
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
        K.emit("reconnected");
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
})();
