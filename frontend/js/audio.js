/* Audio mode: the kiosk spoken, for visitors who cannot see the screen, operated by a keypad's keys or by
   gestures. Loaded by kiosk/speaking.js when a visitor starts it (any key at the attract screen, an
   audio key anywhere, two fingers held still for two seconds), so nobody else loads it. It reads what to
   say from the server's speech manifest (/<lang>/speech.json: every phrase, era, event part and place,
   each with its caption and its clips, kiosk/speech/service.py), asks the service worker to keep all of
   it for offline use, and plays it. What it says is shown as a caption, for a companion. Leaving: the
   idle reset, which also brings back the museum's volume and rate. The key contract is in
   docs/accessibility.md. */

const K = window.Kiosk;
// The museum's defaults, which every visitor starts from and the idle reset returns to.
const DEFAULTS = { volume: 0.8, rate: 1 };
const VOLUME_STEP = 0.1;
const RATES = [0.6, 0.75, 0.9, 1, 1.2, 1.45, 1.75, 2];
const SWIPE_PX = 60;
const DOUBLE_TAP_MS = 350;
const COUNTDOWN_SPOKEN = new Set(["10", "5", "3", "2", "1"]);

let on = false;
let manifest = null;
let volume = DEFAULTS.volume;
let rate = DEFAULTS.rate;
let player = null;
let caption = null;
let queue = [];
let afterPart = null;
// Where the visitor is: the level, and the index at each level.
const where = { level: "eras", era: 0, event: 0, part: 0, place: 0 };

const root = document.documentElement;
const manifestUrl = () => K.config.home.replace(/\/?$/, "/") + "speech.json";

/* ---------- Saying things ---------- */

function stop() {
  queue = [];
  afterPart = null;
  if (player) {
    player.pause();
    player.removeAttribute("data-part");
  }
}

function playNext() {
  const clip = queue.shift();
  if (!clip) {
    const then = afterPart;
    afterPart = null;
    player.removeAttribute("data-part");
    if (then) then();
    return;
  }
  player.src = clip.src;
  player.dataset.lang = clip.lang;
  player.volume = volume;
  player.playbackRate = rate;
  player.play().catch((error) => {
    if (error.name !== "AbortError") console.warn("Audio mode could not play", clip.src, error);
  });
}

/* Say one part: the caption shows it while its clips play one after another. */
function say(part, then = null) {
  stop();
  if (!part) return;
  caption.querySelector("p").textContent = part.caption;
  caption.querySelector("p").lang = part.clips.length ? part.clips[0].lang : "";
  caption.hidden = false;
  player.dataset.part = part.name;
  queue = part.clips.slice();
  afterPart = then;
  playNext();
}

const phrase = (name) => manifest.phrases[name];

/* ---------- Where the visitor is ---------- */

const eraItems = () => [...manifest.eras.map((era) => era.part), phrase("places")];
const onPlacesEntry = () => where.era === manifest.eras.length;
const eraEvents = () => (onPlacesEntry() ? [] : manifest.eras[where.era].events);
const allEvents = () => manifest.eras.flatMap((era) => era.events);
const currentSlug = () => eraEvents()[where.event];
const currentEvent = () => manifest.events[currentSlug()];
const currentPlace = () => manifest.places[where.place];

function current() {
  switch (where.level) {
    case "eras": return eraItems()[where.era];
    case "events": return currentEvent().card;
    case "parts": return currentEvent().parts[where.part];
    case "places": return currentPlace().parts[0];
    case "place": return currentPlace().parts[where.part];
  }
  return null;
}

function count() {
  switch (where.level) {
    case "eras": return eraItems().length;
    case "events": return eraEvents().length;
    case "parts": return currentEvent().parts.length;
    case "places": return manifest.places.length;
    case "place": return currentPlace().parts.length;
  }
  return 0;
}

const indexName = () => ({ eras: "era", events: "event", parts: "part", places: "place", place: "part" })[where.level];

function go(level, index = 0) {
  where.level = level;
  where[indexName()] = index;
  say(current());
}

/* ---------- What the screen shows alongside (for a companion) ---------- */

let pressing = false;   // a press of our own on the screen, which the gesture guard lets through

function press(element) {
  pressing = true;
  try {
    element.click();
  } finally {
    pressing = false;
  }
}

/* Audio mode moves by the manifest, not by what is scrolled into view: the events a long timeline
   loads lazily (each era's "more events" placeholder) are fetched at once, so every card can be opened. */
const fetching = new WeakSet();

function loadEveryEvent() {
  for (const more of document.querySelectorAll(".card--more")) {
    if (fetching.has(more)) continue; // its run is on the way; a second click would leave the page
    fetching.add(more);
    press(more);
  }
}

document.addEventListener("htmx:afterSettle", () => {
  if (on) loadEveryEvent(); // a run that arrived may end with the next placeholder
});

function showEvent(slug) {
  const layer = document.getElementById("event-layer");
  const open = layer && !layer.hidden && layer.querySelector(`#event-view[data-event="${CSS.escape(slug)}"]`);
  if (open) return;
  const card = document.getElementById("event-" + slug);
  if (card) press(card);
}

function closeEvent() {
  const layer = document.getElementById("event-layer");
  const close = layer && !layer.hidden && layer.querySelector("[data-close]");
  if (close) press(close);
}

/* ---------- Moving ---------- */

function move(by) {
  if (where.level === "parts") {   // an open event: the previous or next event on the timeline
    const events = allEvents();
    const next = events.indexOf(currentSlug()) + by;
    if (next < 0 || next >= events.length) return say(phrase(by < 0 ? "first" : "last"));
    const slug = events[next];
    where.era = manifest.eras.findIndex((era) => era.events.includes(slug));
    where.event = manifest.eras[where.era].events.indexOf(slug);
    showEvent(slug);
    return go("parts", 0);
  }
  const index = where[indexName()] + by;
  if (index < 0 || index >= count()) return say(phrase(by < 0 ? "first" : "last"));
  go(where.level, index);
}

function deeper() {
  switch (where.level) {
    case "eras":
      if (onPlacesEntry()) return manifest.places.length ? go("places", 0) : say(phrase("last"));
      where.event = 0;
      return eraEvents().length ? go("events", 0) : say(phrase("last"));
    case "events":
      showEvent(currentSlug());
      return go("parts", 0);
    case "places":
      return go("place", 0);
    default:   // through an open event's (or place's) parts
      return where.part + 1 < count() ? go(where.level, where.part + 1) : say(phrase("last"));
  }
}

function outward() {
  switch (where.level) {
    case "parts":
    case "place":
      if (where.part > 0) return go(where.level, where.part - 1);
      return back();
    case "events":
    case "places":
      return back();
    default:
      return say(phrase("timeline"));
  }
}

function back() {
  switch (where.level) {
    case "parts":
      closeEvent();
      return go("events", where.event);
    case "place":
      return go("places", where.place);
    case "events":
      return go("eras", where.era);
    case "places":
      return go("eras", manifest.eras.length);
    default:
      return say(phrase("timeline"));
  }
}

function choose() {
  if (where.level === "parts" || where.level === "place") return say(current());   // again
  return deeper();
}

/* Read on from here: this part and every one after it at this level. */
function readOn() {
  const level = where.level;
  const step = () => {
    if (!on || where.level !== level) return;
    if (where[indexName()] + 1 >= count()) return;
    where[indexName()] += 1;
    say(current(), step);
  };
  say(current(), step);
}

function setVolume(by) {
  volume = Math.min(1, Math.max(0.1, Math.round((volume + by) * 10) / 10));
  say(phrase(by > 0 ? "louder" : "quieter"));
}

function setRate(by) {
  const index = RATES.indexOf(rate) + by;
  rate = RATES[Math.min(RATES.length - 1, Math.max(0, index))];
  say(phrase(by > 0 ? "faster" : "slower"));
}

function nextLanguage() {
  const links = Array.from(document.querySelectorAll(".dock [data-language], [data-language]"));
  const codes = [...new Set(links.map((link) => link.dataset.language))];
  const here = root.lang || codes[0];
  const code = codes[(codes.indexOf(here) + 1) % codes.length];
  const link = links.find((each) => each.dataset.language === code);
  if (!link || code === here) return;
  K.remember("audio", { where: { ...where }, volume, rate, language: true });
  location.replace(link.getAttribute("href"));
}

const KEYS = {
  ArrowRight: () => move(1),
  ArrowLeft: () => move(-1),
  ArrowDown: deeper,
  ArrowUp: outward,
  Enter: choose,
  " ": choose,
  Escape: back,
  Backspace: back,
  "+": () => setVolume(VOLUME_STEP),
  "=": () => setVolume(VOLUME_STEP),
  "-": () => setVolume(-VOLUME_STEP),
  "]": () => setRate(1),
  ">": () => setRate(1),
  "[": () => setRate(-1),
  "<": () => setRate(-1),
  h: () => say(phrase("help")),
  "?": () => say(phrase("help")),
  l: nextLanguage,
};

function onKey(evt) {
  if (!on || evt.ctrlKey || evt.metaKey || evt.altKey) return;
  const action = KEYS[evt.key] || KEYS[evt.key.toLowerCase()];
  evt.preventDefault();
  evt.stopImmediatePropagation();   // the visual kiosk's keys stand aside while audio mode is on
  stop();                           // any key interrupts what is being said
  if (action) action();
}

/* ---------- Gestures: swipe left/right, double-tap, two fingers down (read on) or up (back) ---------- */

let touchStart = null;
let lastTap = 0;

function onTouchStart(evt) {
  if (!on) return;
  touchStart = { x: evt.touches[0].clientX, y: evt.touches[0].clientY, fingers: evt.touches.length };
  if (evt.touches.length > touchStart.fingers) touchStart.fingers = evt.touches.length;
}

function onTouchMove(evt) {
  if (on && touchStart) touchStart.fingers = Math.max(touchStart.fingers, evt.touches.length);
}

function onTouchEnd(evt) {
  if (!on || !touchStart || evt.touches.length) return;
  const point = evt.changedTouches[0];
  const dx = point.clientX - touchStart.x;
  const dy = point.clientY - touchStart.y;
  const fingers = touchStart.fingers;
  touchStart = null;
  evt.preventDefault();
  if (fingers >= 2 && Math.abs(dy) > SWIPE_PX && Math.abs(dy) > Math.abs(dx)) {
    stop();
    return dy > 0 ? readOn() : back();
  }
  if (fingers === 1 && Math.abs(dx) > SWIPE_PX && Math.abs(dx) > Math.abs(dy)) {
    stop();
    return move(dx > 0 ? 1 : -1);
  }
  if (fingers === 1 && Math.abs(dx) < 20 && Math.abs(dy) < 20) {
    const now = performance.now();
    if (now - lastTap < DOUBLE_TAP_MS) {
      lastTap = 0;
      stop();
      choose();
    } else {
      lastTap = now;
    }
  }
}

/* In audio mode a touch is a gesture: nothing under the finger is pressed or scrolled. */
function swallow(evt) {
  if (!on || pressing) return;
  if (evt.target.closest && evt.target.closest("#idle-notice")) return;   // "Still there?" takes any touch
  evt.preventDefault();
  evt.stopImmediatePropagation();
}

/* ---------- The idle notice, the reset, being offline ---------- */

function watchIdle() {
  const notice = document.getElementById("idle-notice");
  const countdown = notice && notice.querySelector("[data-idle-countdown]");
  const attract = document.getElementById("attract");
  if (notice) {
    new MutationObserver(() => {
      if (!on) return;
      if (!notice.hidden) say(phrase("still-there"));
      else if (!attract || attract.hidden) say(current());   // the visitor carried on
    }).observe(notice, { attributes: true, attributeFilter: ["hidden"] });
  }
  if (countdown) {
    // The seconds left, once "Still there?" has been said (it is never cut short by them).
    new MutationObserver(() => {
      const left = countdown.textContent.trim();
      if (on && !notice.hidden && COUNTDOWN_SPOKEN.has(left) && player.dataset.part !== "still-there") {
        say(phrase("countdown-" + left));
      }
    }).observe(countdown, { childList: true, characterData: true, subtree: true });
  }
  if (attract) {
    new MutationObserver(() => {
      if (!attract.hidden) leave();   // the kiosk started again for the next visitor
    }).observe(attract, { attributes: true, attributeFilter: ["hidden"] });
  }
  window.addEventListener("offline", () => on && say(phrase("offline")));
}

/* ---------- Offline: the service worker keeps all of audio mode once it starts ---------- */

async function keepForOffline() {
  const worker = navigator.serviceWorker && (await navigator.serviceWorker.ready.catch(() => null));
  if (!worker || !worker.active) return;
  const clips = new Set();
  for (const part of Object.values(manifest.phrases)) part.clips.forEach((clip) => clips.add(clip.src));
  for (const era of manifest.eras) era.part.clips.forEach((clip) => clips.add(clip.src));
  for (const event of Object.values(manifest.events)) {
    for (const part of [event.card, ...event.parts]) part.clips.forEach((clip) => clips.add(clip.src));
  }
  for (const place of manifest.places) for (const part of place.parts) part.clips.forEach((clip) => clips.add(clip.src));
  worker.active.postMessage({ type: "keep", urls: [manifestUrl(), ...manifest.files, ...clips] });
}

/* ---------- Starting and leaving ---------- */

function build() {
  player = document.createElement("audio");
  player.id = "speech";
  player.preload = "auto";
  player.addEventListener("ended", playNext);
  player.addEventListener("error", () => {
    console.warn("Audio mode: a clip could not be played", player.src);
    playNext();
  });
  caption = document.createElement("div");
  caption.className = "speech-caption";
  caption.id = "speech-caption";
  caption.hidden = true;
  caption.setAttribute("aria-hidden", "true");   // the same words are being spoken
  caption.append(document.createElement("p"));
  document.body.append(player, caption);
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = manifest.styles;
  document.head.append(styles);
  // On the document, so that idle's own listener there still counts every key and touch as someone
  // being there; before everything under it, so the visual kiosk's keys and taps stand aside.
  document.addEventListener("keydown", onKey, true);
  window.addEventListener("touchstart", onTouchStart, { capture: true, passive: true });
  window.addEventListener("touchmove", onTouchMove, { capture: true, passive: true });
  window.addEventListener("touchend", onTouchEnd, { capture: true, passive: false });
  for (const type of ["pointerdown", "pointerup", "click"]) document.addEventListener(type, swallow, true);
  watchIdle();
}

function leave() {
  if (!on) return;
  stop();
  on = false;
  volume = DEFAULTS.volume;
  rate = DEFAULTS.rate;
  Object.assign(where, { level: "eras", era: 0, event: 0, part: 0, place: 0 });
  caption.hidden = true;
  root.classList.remove("audio-mode");
}

let loaded = null;   // the manifest on its way, once

function load() {
  if (!loaded) {
    loaded = fetch(manifestUrl()).then((response) => {
      if (!response.ok) throw new Error(`${manifestUrl()} answered ${response.status}`);
      return response.json();
    }).then((json) => {
      manifest = json;
      build();
    });
    loaded.catch(() => { loaded = null; });
  }
  return loaded;
}

async function start(how = {}) {
  await load();
  if (on) return;
  on = true;
  root.classList.add("audio-mode");
  keepForOffline();
  loadEveryEvent();
  const resumed = how.resume;
  if (resumed) {
    Object.assign(where, resumed.where);
    volume = resumed.volume;
    rate = resumed.rate;
    say(phrase("language"), () => say(current()));
  } else {
    say(phrase("welcome"));
  }
}

window.KioskAudio = { start, leave };
