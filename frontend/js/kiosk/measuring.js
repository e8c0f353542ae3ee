/* Measuring use: calls wait here for analytics.js (see there) */

import { K } from "./core.js";
import { isAttracting } from "./idle.js";

export let analytics = { record() {}, reading() {}, touched() {}, failed() {} };

export function start() {
  const waiting = [];
  const later = (name) => (...args) => waiting.push([name, Date.now(), args]);
  analytics = K.analytics = {   // K.analytics: for analytics.js
    waiting,
    named: new URLSearchParams(location.search).get("kiosk"),
    record: later("record"),
    reading: later("reading"),
    touched: later("touched"),
    failed: later("failed"),
  };
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
