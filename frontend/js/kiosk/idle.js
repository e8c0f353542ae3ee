/* Idle: Still there?, starting again, the attract screen */

import { K, analytics, resetPreferences } from "./core.js";
import { applyPendingUpdate } from "./live.js";
import { goHome } from "./navigation.js";

let state = "active";   // "active", "warning", "resetting" or "attract"

/* Nobody is there: the attract screen is showing. */
export const isAttracting = () => state === "attract";

/* "Still there?" counts down, then the kiosk starts again under the attract screen; the touch that
   wakes it never also activates what lies under the finger. */
export function start() {
  const notice = document.getElementById("idle-notice");
  if (!notice) return;

  const countdown = notice.querySelector("[data-idle-countdown]");
  const continueButton = notice.querySelector("[data-idle-continue]");
  const attract = document.getElementById("attract");
  const slides = attract ? Array.from(attract.querySelectorAll("[data-attract-slide]")) : [];
  const idleTime = K.config.idleSeconds * 1000;
  const warningTime = K.config.idleWarningSeconds * 1000;

  let lastActivity = performance.now();
  let warningStarted = 0;
  let focusBeforeWarning = null;
  let slideTimer = 0;
  let waking = false;

  for (const type of ["pointerdown", "pointermove", "keydown", "wheel", "scroll"]) {
    document.addEventListener(type, () => {
      if (state === "active") lastActivity = performance.now();
    }, { capture: true, passive: true });
  }

  /* ---------- Still there? ---------- */

  function warn() {
    state = "warning";
    warningStarted = performance.now();
    focusBeforeWarning = document.activeElement;
    countdown.textContent = String(Math.ceil(warningTime / 1000));
    notice.style.setProperty("--countdown", warningTime + "ms");
    notice.hidden = false;
    K.updateInert();
    continueButton.focus({ preventScroll: true });
  }

  function carryOn() {
    if (state !== "warning") return;
    analytics.record("idle-continue");
    state = "active";
    lastActivity = performance.now();
    notice.hidden = true;
    K.updateInert();
    if (focusBeforeWarning && document.contains(focusBeforeWarning)) focusBeforeWarning.focus({ preventScroll: true });
  }

  // Any touch on the notice counts as "I'm still here"; it never reaches what lies beneath.
  notice.addEventListener("pointerdown", () => {
    K.swallowNextClick();
    carryOn();
  });
  continueButton.addEventListener("click", carryOn);
  window.addEventListener("keydown", (evt) => {
    if (state !== "warning") return;
    evt.preventDefault();
    evt.stopImmediatePropagation();
    carryOn();
  }, true);

  /* ---------- Starting again for the next visitor ---------- */

  /* The next visitor finds the museum's default language: a kiosk left in another one goes there. */
  function startAgain() {
    analytics.record("idle-reset");
    state = "resetting";
    notice.hidden = true;
    resetPreferences();
    if (!attract || K.config.home !== K.config.defaultHome) {
      K.remember("attract", true);
      location.replace(K.config.defaultHome);
      return;
    }
    goHome("auto").then(() => {
      if (!applyPendingUpdate({ attract: true })) showAttract();
    });
  }

  function tick() {
    const now = performance.now();
    if (state === "active" && now - lastActivity >= idleTime) {
      warn();
    } else if (state === "warning") {
      const left = warningTime - (now - warningStarted);
      countdown.textContent = String(Math.max(0, Math.ceil(left / 1000)));
      if (left <= 0) startAgain();
    }
  }
  setInterval(tick, 250);

  /* ---------- The attract screen ---------- */

  function showSlide(index) {
    slides.forEach((slide, position) => {
      slide.classList.toggle("is-current", position === index);
      slide.setAttribute("aria-hidden", String(position !== index));
    });
  }

  function nextSlide() {
    if (K.reducedMotion.matches) return;   // no automatic change: the first slide stays
    const current = slides.findIndex((slide) => slide.classList.contains("is-current"));
    showSlide((current + 1) % slides.length);
  }

  function showAttract() {
    state = "attract";
    waking = false;
    showSlide(0);
    attract.hidden = false;
    K.updateInert();
    attract.focus({ preventScroll: true });
    if (slides.length > 1) slideTimer = setInterval(nextSlide, K.config.attractSeconds * 1000);
  }

  function wake() {
    if (state !== "attract") return;
    state = "active";
    lastActivity = performance.now();
    clearInterval(slideTimer);
    attract.hidden = true;
    K.updateInert();
    K.swallowNextClick();
    const main = document.getElementById("main");
    if (main) main.focus({ preventScroll: true });
  }

  if (attract) {
    let chosenLanguage = null;   // a language tapped on the attract screen: wake up in it
    attract.addEventListener("pointerdown", (evt) => {
      evt.preventDefault();
      chosenLanguage = evt.target.closest("[data-language]");
      waking = true;
    });
    // Wake when the finger lifts, and swallow the click that follows it.
    window.addEventListener("pointerup", () => {
      if (waking && chosenLanguage && !chosenLanguage.hasAttribute("aria-current")) {
        analytics.record("language", { subject: chosenLanguage.dataset.language });
        K.swallowNextClick();   // the click that follows is this choice, not a second one
        state = "resetting";
        location.replace(chosenLanguage.getAttribute("href"));
      } else if (waking) wake();
      waking = false;
      chosenLanguage = null;
    }, true);
    window.addEventListener("pointercancel", () => {
      if (waking) wake();
      waking = false;
    }, true);
    attract.addEventListener("click", (evt) => {
      evt.preventDefault();
      wake();
    });
    window.addEventListener("keydown", (evt) => {
      if (state !== "attract") return;
      evt.preventDefault();
      evt.stopImmediatePropagation();
      wake();
    }, true);
    if (K.recall("attract")) showAttract();
  }

  // A publish while nobody is there: show it now.
  K.on("update-pending", () => {
    if (isAttracting()) applyPendingUpdate({ attract: true });
  });
}
