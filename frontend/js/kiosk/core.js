/* Core: settings, helpers, the bus, the analytics calls, lockdown, reading preferences */

/* The kiosk's shared settings and helpers (config, on/emit, remember/recall, updateInert…), which every
   module imports; start() fills them in from the page's data attributes. */
export const K = {};

/* What a visitor does, for measuring use: every module records into this one object, which does nothing
   until measuring.js starts, then keeps the calls until analytics.js (loaded later) takes it over. */
export const analytics = { record() {}, reading() {}, touched() {}, failed() {} };

/* ---------- Reading preferences: larger text and high contrast ---------- */

const PREFERENCES = ["text-large", "contrast-high"];
// Kept in the tab's session storage as they change, so that every page the visitor goes to (Places, an
// event opened from there, another language, a reload onto new content) shows them, until the kiosk
// starts again for the next visitor (resetPreferences).
const PREFERENCES_KEY = "kiosk:reading";

function applyPreferences(chosen) {
  const root = document.documentElement;
  const changed = PREFERENCES.some((name) => root.classList.contains(name) !== chosen.includes(name));
  for (const name of PREFERENCES) root.classList.toggle(name, chosen.includes(name));
  for (const button of document.querySelectorAll("[data-preference]")) {
    button.setAttribute("aria-pressed", String(root.classList.contains(button.dataset.preference)));
  }
  try {
    sessionStorage.setItem(PREFERENCES_KEY, JSON.stringify(chosen));
  } catch (error) { /* storage full or disabled: the settings last as long as the page */ }
  if (changed) K.emit("preferences", chosen);   // (not for a new event view's buttons, shown as they are)
}

function keptPreferences() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(PREFERENCES_KEY) || "[]");
    return Array.isArray(kept) ? PREFERENCES.filter((name) => kept.includes(name)) : [];
  } catch (error) {
    return [];
  }
}

const currentPreferences = () => PREFERENCES.filter((name) => document.documentElement.classList.contains(name));

/* The next visitor starts with neither. */
export const resetPreferences = () => applyPreferences([]);

/* Settings from the page's data attributes, helpers, the lockdown and the reading preferences. Pages
   outside the kiosk (the admin) have no kiosk-mode class, and no module starts there. */
export function start() {
  const root = document.documentElement;
  if (!root.classList.contains("kiosk-mode")) return;

  const data = document.body.dataset;
  const seconds = (value, fallback) => {
    const number = Number(value);
    return Number.isFinite(number) && number > 0 ? number : fallback;
  };

  let swallowClickUntil = 0;

  Object.assign(K, {
    config: {
      version: data.kioskVersion || "",
      idleSeconds: seconds(data.idleSeconds, 90),
      idleWarningSeconds: seconds(data.idleWarningSeconds, 20),
      attractSeconds: seconds(data.attractSeconds, 8),
      pollSeconds: seconds(data.pollSeconds, 12),
      serviceWorker: data.serviceWorker,
      home: data.home || "/",                 // the timeline in this page's language
      defaultHome: data.defaultHome || "/",   // the timeline in the museum's default language
    },
    // The timeline itself (an era's page of its own, for browsers without JavaScript, is not).
    onTimeline: document.body.classList.contains("page-timeline") && !document.body.classList.contains("page-era"),
    reducedMotion: window.matchMedia("(prefers-reduced-motion: reduce)"),

    /* The bus: what a module has to tell the modules it must not import (those that import it), e.g.
       "going-home", "update-pending", "keep-place". */
    on(name, handler) {
      document.addEventListener("kiosk:" + name, (evt) => handler(evt.detail));
    },
    emit(name, detail) {
      document.dispatchEvent(new CustomEvent("kiosk:" + name, { detail }));
    },

    /* After a drag, a swipe or a touch that woke the kiosk, the browser may still send a click to
       whatever lies under the finger: swallow it. */
    swallowNextClick(milliseconds = 600) {
      swallowClickUntil = performance.now() + milliseconds;
    },

    /* Short-lived state that must survive a reload (a live update) but not the next visitor. */
    remember(key, value) {
      try {
        sessionStorage.setItem("kiosk:" + key, JSON.stringify(value));
      } catch (error) { /* storage full or disabled: the kiosk works without it */ }
    },
    recall(key) {
      try {
        const value = sessionStorage.getItem("kiosk:" + key);
        sessionStorage.removeItem("kiosk:" + key);
        return value === null ? null : JSON.parse(value);
      } catch (error) {
        return null;
      }
    },
  });
  window.Kiosk = K;   // for analytics.js, loaded later on its own

  /* Whatever screen is on top (the idle notice, the attract screen, the photograph, the event) is
     the only one that takes touches, focus and the screen reader's attention. */
  const SCREENS_TOP_FIRST = ["idle-notice", "attract", "image-viewer", "event-layer"];
  K.updateInert = function () {
    const top = SCREENS_TOP_FIRST.map((id) => document.getElementById(id))
      .find((screen) => screen && !screen.hidden && screen.parentElement === document.body);
    for (const child of document.body.children) {
      if (child.tagName === "SCRIPT" || child.getAttribute("role") === "status") continue;
      const inert = Boolean(top) && child !== top;
      if (child.inert !== inert) child.inert = inert;   // an unchanged screen costs no style recalculation
    }
  };

  window.addEventListener("click", (evt) => {
    if (performance.now() < swallowClickUntil) {
      swallowClickUntil = 0;
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  /* ---------- Lockdown: nothing to select, save, drag, zoom or open elsewhere ---------- */

  const elementOf = (target) => (target && target.nodeType === Node.ELEMENT_NODE ? target : target && target.parentElement);
  document.addEventListener("contextmenu", (evt) => evt.preventDefault());
  document.addEventListener("dragstart", (evt) => evt.preventDefault());
  document.addEventListener("selectstart", (evt) => {
    const element = elementOf(evt.target);
    if (!(element && element.closest("input, textarea"))) evt.preventDefault();
  });
  // Middle-click and modified clicks would open a link in a new tab or window.
  document.addEventListener("auxclick", (evt) => evt.preventDefault());
  document.addEventListener("click", (evt) => {
    if (evt.ctrlKey || evt.metaKey || evt.shiftKey) evt.preventDefault();
  }, true);
  // Ctrl + wheel (and a trackpad's pinch, which arrives as one) and Ctrl + plus/minus zoom the page.
  window.addEventListener("wheel", (evt) => {
    if (evt.ctrlKey) evt.preventDefault();
  }, { passive: false });
  window.addEventListener("keydown", (evt) => {
    if ((evt.ctrlKey || evt.metaKey) && ["+", "-", "=", "0"].includes(evt.key)) evt.preventDefault();
  });

  /* ---------- Reading preferences ---------- */

  document.addEventListener("click", (evt) => {
    const button = evt.target.closest && evt.target.closest("[data-preference]");
    if (!button) return;
    const name = button.dataset.preference;
    const chosen = currentPreferences().filter((other) => other !== name);
    if (!root.classList.contains(name)) chosen.push(name);
    applyPreferences(chosen);
    analytics.record("preference", { subject: name + (chosen.includes(name) ? ":on" : ":off") });
  });

  // New event views come with their own preference buttons: show them in the current state.
  document.addEventListener("htmx:afterSwap", () => applyPreferences(currentPreferences()));
  applyPreferences(keptPreferences());
}
