/* Measuring use: anonymous visitor events and the kiosk reporting in (kiosk/telemetry/analytics.py, kiosk/telemetry/fleet.py).

   The hooks, called from kiosk.js (and from any later module):
     K.analytics.record(type, { subject, ms })   a thing the visitor did; types: EVENT_TYPES in
                                                 kiosk/telemetry/analytics.py, e.g. record("language", { subject: "ru" })
     K.analytics.reading(slug or null)           the event now on screen (its reading time is measured)
   kiosk/measuring.js keeps the calls in a list until this file, loaded after the first paint so that
   the first load stays small, takes them over with their times.
   A session is a random id made at a visitor's first touch and forgotten when the kiosk resets; there is
   no cookie and nothing personal. Events wait in localStorage until the server has them (so none is lost
   while it is away) and carry an id of their own (so one sent twice is stored once). Nothing here runs on
   a tap: recording is a push onto a list; saving and sending happen later, in the background. */
(function () {
  "use strict";

  const K = window.Kiosk;
  if (!K || !K.analytics.waiting) return;

  const QUEUE_KEY = "kiosk:analytics-queue";
  const NAME_KEY = "kiosk:name";
  const ERROR_KEY = "kiosk:last-error";
  const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
  const BATCH = 100;             // events per request (the server takes up to 200)
  const KEEP_AT_MOST = 20000;    // a week offline at a busy kiosk; beyond that the oldest go
  const TIMING_KEY = "kiosk:analytics-timing";

  const store = {
    get(key, fallback) {
      try {
        const value = localStorage.getItem(key);
        return value === null ? fallback : JSON.parse(value);
      } catch (error) {
        return fallback;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(key, JSON.stringify(value));
      } catch (error) { /* full or disabled: events still go out from memory */ }
    },
  };

  // Secure-context-only crypto.randomUUID is not there on a kiosk served over plain HTTP on the LAN.
  function randomId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function kioskName() {
    if (K.analytics.named && NAME.test(K.analytics.named)) store.set(NAME_KEY, K.analytics.named.toLowerCase());
    let name = store.get(NAME_KEY, null);
    if (!name) {
      name = "unnamed-" + randomId().slice(0, 6);   // until a technician names it in the start URL
      store.set(NAME_KEY, name);
    }
    return name;
  }

  const name = kioskName();
  // How often to send and report: the server says so in its answer to each report.
  const timing = store.get(TIMING_KEY, { sendSeconds: 15, heartbeatSeconds: 60 });
  let queue = store.get(QUEUE_KEY, []);
  let session = null;          // { id, start }
  let reading = null;          // { slug, at }: the event on screen
  let lastActivity = Date.now();
  let lastError = store.get(ERROR_KEY, null);

  /* ---------- Recording ---------- */

  let saveTimer = 0;
  function saveSoon() {
    if (!saveTimer) saveTimer = setTimeout(save, 500);
  }
  function save() {
    clearTimeout(saveTimer);
    saveTimer = 0;
    store.set(QUEUE_KEY, queue);
  }

  function add(type, data, at) {
    if (!session) return;   // the attract screen on its own is not a visit
    const event = { id: randomId(), session: session.id, type, at };
    if (data && data.subject) event.subject = String(data.subject).slice(0, 120);
    if (data && data.ms > 0) event.ms = Math.round(data.ms);
    queue.push(event);
    if (queue.length > KEEP_AT_MOST) queue.splice(0, queue.length - KEEP_AT_MOST);
    saveSoon();
  }

  function touched(at, attracting) {
    lastActivity = at;
    if (session) return;
    session = { id: randomId(), start: at };
    add("session-start", { subject: attracting ? "attract" : "" }, at);
  }

  /* The event on screen changes: the one before was read until now, or until the last touch when the
     visitor walked away from it. */
  function readingNow(slug, at) {
    if (reading && reading.slug !== slug) {
      const until = Math.max(reading.at, Math.min(at, lastActivity));
      add("open", { subject: reading.slug, ms: until - reading.at }, reading.at);
    }
    if (!reading || reading.slug !== slug) reading = slug && session ? { slug, at } : null;
  }

  function record(type, data, at) {
    if (type === "photo" && reading && !(data && data.subject)) data = { subject: reading.slug };
    if (type !== "idle-reset") {
      add(type, data, at);
      return;
    }
    // The kiosk starts again: the visit is over, so it is counted and sent now.
    readingNow(null, at);
    add("idle-reset", data, at);
    if (session) add("session-end", { ms: lastActivity - session.start }, at);
    session = null;
    save();
    send();
  }

  function failed(at, evt) {
    const reason = evt.reason !== undefined ? evt.reason : evt.error;
    const message = (reason && reason.message) || evt.message || String(reason);
    const where = evt.filename ? ` (${evt.filename.split("/").pop()}:${evt.lineno})` : "";
    lastError = { message: String(message).slice(0, 300) + where, at };
    store.set(ERROR_KEY, lastError);
  }

  /* ---------- Sending, in the background ---------- */

  let sending = false;
  async function send() {
    if (sending || !queue.length) return;
    sending = true;
    const batch = queue.slice(0, BATCH);
    try {
      const response = await fetch("/analytics/events", {
        method: "POST",
        keepalive: true,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ kiosk: name, sent_at: Date.now(), events: batch }),
      });
      // Stored, or refused for good (a 400 would be refused again): either way, done with them.
      if (response.ok || response.status === 400) {
        if (response.status === 400) failed(Date.now(), { message: "analytics refused: " + (await response.text()).slice(0, 200) });
        const sent = new Set(batch.map((event) => event.id));
        queue = queue.filter((event) => !sent.has(event.id));
        save();
        if (queue.length) setTimeout(send, 1000);   // the rest of a backlog, one batch at a time
      }
    } catch (error) {
      /* the server is away: the events wait for the next round */
    } finally {
      sending = false;
    }
  }

  let sendTimer = 0;
  function sendEvery(seconds) {
    clearInterval(sendTimer);
    sendTimer = setInterval(send, seconds * 1000);
  }

  /* ---------- Reporting in: name, version, screen, network, last error ---------- */

  async function reportIn() {
    try {
      const response = await fetch("/fleet/heartbeat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          kiosk: name,
          sent_at: Date.now(),
          version: K.config.version,
          screen: `${screen.width}x${screen.height}`,
          online: !document.documentElement.classList.contains("is-offline"),
          queued: queue.length,
          error: lastError,
        }),
      });
      if (response.ok) {
        const answer = await response.json();
        if (answer.send_seconds > 0 && answer.send_seconds !== timing.sendSeconds) sendEvery(answer.send_seconds);
        timing.sendSeconds = answer.send_seconds || timing.sendSeconds;
        timing.heartbeatSeconds = answer.heartbeat_seconds || timing.heartbeatSeconds;
        store.set(TIMING_KEY, timing);
      }
    } catch (error) {
      /* the server is away: the next report says so */
    }
    setTimeout(reportIn, timing.heartbeatSeconds * 1000);
  }

  /* ---------- Taking over from the waiting hooks ---------- */

  const carried = K.recall("analytics-session");   // across a live update's reload, the visit goes on
  if (carried && carried.id) session = carried;
  const handlers = {
    record: (at, type, data) => record(type, data, at),
    reading: (at, slug) => readingNow(slug, at),
    touched,
    failed,
  };
  for (const [handler, at, args] of K.analytics.waiting.splice(0)) handlers[handler](at, ...args);
  K.analytics.record = (type, data) => record(type, data, Date.now());
  K.analytics.reading = (slug) => readingNow(slug || null, Date.now());
  K.analytics.touched = (attracting) => touched(Date.now(), attracting);
  K.analytics.failed = (evt) => failed(Date.now(), evt);
  delete K.analytics.waiting;

  // An event page loaded on its own (no layer opens over a timeline) is read from the start.
  const ownEvent = !K.onTimeline && document.getElementById("event-view");
  if (ownEvent && session) readingNow(ownEvent.dataset.event, performance.timeOrigin + performance.now());

  window.addEventListener("pagehide", () => {
    readingNow(null, Date.now());
    if (session) K.remember("analytics-session", session);
    save();
    send();
  });
  sendEvery(timing.sendSeconds);
  reportIn();
  send();
})();
