/* Between visitors. After the idle time without a touch, "Still there?" counts down with a big
   Continue button; when it runs out the kiosk starts again (timeline at its beginning, the visitor's
   preferences forgotten) under an attract screen of featured events. The first touch on the attract
   screen only wakes the kiosk: it never also opens whatever lies under the finger. */
(function () {
  "use strict";

  const K = window.Kiosk;
  const notice = document.getElementById("idle-notice");
  if (!K || !notice) return;

  const countdown = notice.querySelector("[data-idle-countdown]");
  const continueButton = notice.querySelector("[data-idle-continue]");
  const attract = document.getElementById("attract");
  const slides = attract ? Array.from(attract.querySelectorAll("[data-attract-slide]")) : [];
  const idleTime = K.config.idleSeconds * 1000;
  const warningTime = K.config.idleWarningSeconds * 1000;

  let state = "active";   // "active", "warning", "resetting" or "attract"
  let lastActivity = performance.now();
  let warningStarted = 0;
  let focusBeforeWarning = null;
  let slideTimer = 0;
  let waking = false;

  K.isAttracting = () => state === "attract";

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

  function startAgain() {
    state = "resetting";
    notice.hidden = true;
    K.resetPreferences();
    if (!attract) {
      K.remember("attract", true);
      location.replace("/");
      return;
    }
    K.goHome("auto").then(() => {
      if (!K.applyPendingUpdate({ attract: true })) showAttract();
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
    K.emit("attract-shown");
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
    attract.addEventListener("pointerdown", (evt) => {
      evt.preventDefault();
      waking = true;
    });
    // Wake when the finger lifts, and swallow the click that follows it.
    window.addEventListener("pointerup", () => {
      if (waking) wake();
      waking = false;
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
})();
