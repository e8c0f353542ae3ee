/* Measuring use: anonymous visitor events and the kiosk reporting in (kiosk/telemetry/analytics.py,
   kiosk/telemetry/fleet.py; what is sent: kiosk/telemetry/reports.schema.json).

   The hooks, called from the kiosk's modules (and from any later script):
     K.analytics.record(type, { subject, ms })   a thing the visitor did; types: the schema's event types,
                                                 e.g. record("language", { subject: "ru" })
     K.analytics.reading(slug or null)           the event now on screen (its time on screen is measured)
   kiosk/measuring.js says whether this browser is a kiosk at all, keeps the kiosk's clock (whole
   milliseconds that never go back within a tab) and keeps the calls in a list until this file, loaded
   after the first paint, takes them over with their times.

   A session is a random id made at a visitor's first touch and forgotten when the kiosk starts again;
   there is no cookie and nothing personal. Events wait in localStorage until the server has them (so
   none is lost while it is away, or across a reload or a closed page) and carry an id of their own (so
   one sent twice is stored once); the server keeps what it refuses, with the reason, so nothing is
   dropped unseen. Nothing here runs on a tap: recording is a push onto a list; saving and sending
   happen later, in the background. What can still be lost: the last half second before a crash (saving
   waits that long), and more than KEEP_AT_MOST events waiting (the oldest go). */
(function () {
  "use strict";

  const K = window.Kiosk;
  if (!K || !K.analytics.waiting || !K.analytics.kiosk) return;

  const QUEUE_KEY = "kiosk:analytics-queue";
  const VISIT_KEY = "kiosk:analytics-visit";
  const TOKEN_KEY = "kiosk:token";
  const ERROR_KEY = "kiosk:last-error";
  const TIMING_KEY = "kiosk:analytics-timing";
  const BATCH = 100;             // events per request (the schema allows 200; 100 stay well under 64 KB)
  const KEEP_AT_MOST = 20000;    // a week offline at a busy kiosk (the schema's most for "queued")
  const now = K.analytics.now;

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

  const kiosk = K.analytics.kiosk;
  let token = kiosk.token;
  if (!token) {
    token = randomId();        // a kiosk named in its start address asks to have this one approved
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch (error) { /* it asks again with a new one next time */ }
  }
  let enrolled = Boolean(kiosk.token);   // until the server says otherwise
  // How often to send and report: the server says so in its answer to each report.
  const timing = store.get(TIMING_KEY, { sendSeconds: 15, heartbeatSeconds: 60 });
  let queue = store.get(QUEUE_KEY, []);
  let session = null;          // { id, start }
  let reading = null;          // { slug, at }: the event on screen
  let lastActivity = now();
  let lastError = store.get(ERROR_KEY, null);

  /* ---------- Recording ---------- */

  let saveTimer = 0;
  function saveSoon() {
    if (!saveTimer) saveTimer = setTimeout(save, 500);
  }
  /* The queue, and the visit under way: if this page closes without handing it to the next (a crash, a
     closed window), the next start of the kiosk ends it where it was last seen. */
  function save() {
    clearTimeout(saveTimer);
    saveTimer = 0;
    store.set(QUEUE_KEY, queue);
    store.set(VISIT_KEY, session ? { session, reading, lastActivity, seenAt: now() } : null);
  }

  function add(type, data, at) {
    if (!session) return;   // the attract screen on its own is not a visit
    const event = { id: randomId(), session: session.id, type, at: Math.round(at) };
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

  /* The event on screen changes: the one before was on screen until now. */
  function readingNow(slug, at) {
    if (reading && reading.slug !== slug) {
      add("open", { subject: reading.slug, ms: Math.max(0, at - reading.at) }, reading.at);
    }
    if (!reading || reading.slug !== slug) reading = slug && session ? { slug, at } : null;
  }

  /* The visit is over at ``at``: its length runs from the first touch to the last. */
  function endSession(at, subject) {
    readingNow(null, at);
    if (session) add("session-end", { subject, ms: Math.max(0, lastActivity - session.start) }, at);
    session = null;
    save();
  }

  function record(type, data, at) {
    if (type === "photo" && reading && !(data && data.subject)) data = { subject: reading.slug };
    if (type !== "idle-reset") {
      add(type, data, at);
      return;
    }
    // The kiosk starts again: the visit is over, so it is counted and sent now.
    add("idle-reset", data, at);
    endSession(at, "");
    send();
  }

  function failed(at, problem) {
    lastError = { message: String(problem.message || problem).slice(0, 500), at: Math.round(at) };
    store.set(ERROR_KEY, lastError);
  }

  /* ---------- Sending, in the background ---------- */

  // The server's clock minus ours, from the quickest of the last few round trips (half of it each way).
  // A sample that no earlier one explains (a clock set on either side) starts the measure afresh.
  let offsets = [];
  const best = () => offsets.reduce((found, o) => (o.trip < found.trip ? o : found));
  function heard(sentAt, answer) {
    const receivedAt = now();
    if (!answer || typeof answer.server_time !== "number") return;
    const sample = { trip: receivedAt - sentAt, offset: answer.server_time - (sentAt + receivedAt) / 2 };
    if (offsets.length && Math.abs(sample.offset - best().offset) > 2000 + sample.trip + best().trip) offsets = [];
    offsets.push(sample);
    if (offsets.length > 8) offsets.shift();
  }
  const clockOffset = () => (offsets.length ? Math.round(best().offset) : null);

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: JSON.stringify(body),
    });
  }

  /* Not enrolled (yet, or any more): ask to be, with the token this kiosk holds. */
  async function askToEnrol() {
    if (!kiosk.name) return;
    try {
      const response = await post("/fleet/enrol", { kiosk: kiosk.name });
      enrolled = response.status === 200;
      if (enrolled) send();
    } catch (error) { /* the server is away: asked again at the next report */ }
  }

  let sending = false;
  async function send() {
    if (sending || !queue.length || !enrolled) return;
    sending = true;
    const batch = queue.slice(0, BATCH);
    try {
      const sentAt = now();
      const response = await post("/analytics/events", { sent_at: sentAt, clock_offset: clockOffset(), events: batch });
      const answer = await response.json().catch(() => null);
      // Stored, or refused and kept by the server with the reason (a 400 would be refused again):
      // either way, done with them. 401: not enrolled; 429, 503: later.
      if (response.ok || response.status === 400) {
        if (response.ok) heard(sentAt, answer);
        if (response.status === 400) failed(now(), { message: "analytics refused: " + ((answer && answer.error) || response.status) });
        const sent = new Set(batch.map((event) => event.id));
        queue = queue.filter((event) => !sent.has(event.id));
        save();
        if (queue.length) setTimeout(send, 1000);   // the rest of a backlog, one batch at a time
      } else if (response.status === 401) {
        enrolled = false;
        askToEnrol();
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

  /* ---------- Reporting in: version, screen, network, last error ---------- */

  let reportTimer = 0;
  async function reportIn() {
    clearTimeout(reportTimer);
    try {
      if (!enrolled) await askToEnrol();
      if (enrolled) {
        const sentAt = now();
        const response = await post("/fleet/heartbeat", {
          sent_at: sentAt,
          version: K.config.version,
          screen: `${screen.width}x${screen.height}`,
          online: !document.documentElement.classList.contains("is-offline"),
          queued: Math.min(queue.length, KEEP_AT_MOST),
          error: lastError,
        });
        if (response.status === 401) {
          enrolled = false;   // asks to be at the next round
        } else if (response.ok) {
          const answer = await response.json();
          heard(sentAt, answer);
          if (answer.send_seconds > 0 && answer.send_seconds !== timing.sendSeconds) sendEvery(answer.send_seconds);
          timing.sendSeconds = answer.send_seconds || timing.sendSeconds;
          timing.heartbeatSeconds = answer.heartbeat_seconds || timing.heartbeatSeconds;
          store.set(TIMING_KEY, timing);
        }
      }
    } catch (error) {
      /* the server is away: the next report says so */
    }
    reportTimer = setTimeout(reportIn, timing.heartbeatSeconds * 1000);
  }

  /* ---------- Taking over from the waiting hooks ---------- */

  // Across a reload in the same window (a publish, another language), the visit goes on, and the event
  // on screen with it if the new page shows it too.
  const carried = K.recall("analytics-session");
  const leftBehind = store.get(VISIT_KEY, null);
  if (carried && carried.session) {
    ({ session, reading, lastActivity } = carried);
  } else if (leftBehind && leftBehind.session) {
    // The page before closed without handing its visit on (a crash, a closed window): it ended there.
    ({ session, reading, lastActivity } = leftBehind);
    endSession(leftBehind.seenAt, "closed");
  }
  const handlers = {
    record: (at, type, data) => record(type, data, at),
    reading: (at, slug) => readingNow(slug, at),
    touched,
    failed,
  };
  const waiting = (K.recall("analytics-waiting") || []).concat(K.analytics.waiting.splice(0));
  delete K.analytics.waiting;
  // An event page loaded on its own shows its event from the start (or still, after a reload: the
  // reading goes on); an event the page before showed and this one does not left the screen then.
  const ownEvent = !K.onTimeline && document.getElementById("event-view");
  const shown = ownEvent ? ownEvent.dataset.event : null;
  if (reading && reading.slug !== shown) readingNow(null, carried ? carried.hiddenAt : K.analytics.startedAt);
  if (shown && session) readingNow(shown, K.analytics.startedAt);
  for (const [handler, at, args] of waiting) handlers[handler](at, ...args);
  if (shown && session && !reading) readingNow(shown, session.start);   // a visit begun on this page
  K.analytics.record = (type, data) => record(type, data, now());
  K.analytics.reading = (slug) => readingNow(slug || null, now());
  K.analytics.touched = (attracting) => touched(now(), attracting);
  K.analytics.failed = (problem) => failed(now(), problem);
  save();

  window.addEventListener("pagehide", () => {
    if (session) K.remember("analytics-session", { session, reading, lastActivity, hiddenAt: now() });
    save();
    send();
  });
  sendEvery(timing.sendSeconds);
  reportIn();
  send();
})();
