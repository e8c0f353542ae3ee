/* Measuring use: calls wait here for analytics.js (see there) */

import { K, analytics } from "./core.js";
import { isAttracting } from "./idle.js";

export function start() {
  const waiting = [];
  const later = (name) => (...args) => waiting.push([name, Date.now(), args]);
  K.analytics = Object.assign(analytics, {   // K.analytics: for analytics.js, which takes it over
    waiting,
    named: new URLSearchParams(location.search).get("kiosk"),
    record: later("record"),
    reading: later("reading"),
    touched: later("touched"),
    failed: later("failed"),
  });
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, () => analytics.touched(isAttracting()), { capture: true, passive: true });
  }
  for (const type of ["error", "unhandledrejection"]) window.addEventListener(type, (evt) => analytics.failed(evt));
  window.addEventListener("load", () => setTimeout(() => {
    const script = document.createElement("script");
    script.src = document.body.dataset.analytics;
    document.head.append(script);
  }, 1500));
}
