/* Speaking: what starts audio mode. The audio mode itself (frontend/js/audio.js) is a bundle of its own,
   loaded only when a visitor starts it, so the first load of the kiosk carries none of it. */

import { K } from "./core.js";
import { isAttracting } from "./idle.js";

// Keys with no meaning on the visual kiosk: pressed anywhere, they start audio mode too (the audio
// mode's own contract, docs/accessibility.md). Any key starts it at the attract screen.
const AUDIO_KEYS = new Set(["h", "H", "?", "+", "-", "=", "[", "]", "<", ">", "l", "L"]);
const HOLD_MS = 2000;         // two fingers held still this long
const HOLD_SLACK_PX = 24;     // how far they may drift and still be "still"

let loading = null;

function startAudioMode(how) {
  if (document.documentElement.classList.contains("audio-mode")) return;
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = document.body.dataset.audio;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }
  loading.then(() => window.KioskAudio.start(how), (error) => {
    loading = null;
    console.warn("Audio mode could not be loaded:", error);
  });
}

export function start() {
  if (!document.body.dataset.audio || !K.onTimeline) return;
  // Before idle's own listener, which takes the key that wakes the attract screen for itself.
  window.addEventListener("keydown", (evt) => {
    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (isAttracting() || AUDIO_KEYS.has(evt.key)) startAudioMode({ key: evt.key });
  }, true);

  /* Two fingers held still for HOLD_MS, then lifted: the lift starts audio mode (a browser lets a page
     play sound only once a finger has been lifted, not while it is still down). */
  let hold = null;   // { timer, points, held }
  const cancel = () => {
    if (hold) clearTimeout(hold.timer);
    hold = null;
  };
  window.addEventListener("touchstart", (evt) => {
    cancel();
    if (evt.touches.length !== 2) return;
    const points = Array.from(evt.touches, (touch) => [touch.clientX, touch.clientY]);
    hold = { points, held: false, timer: setTimeout(() => { if (hold) hold.held = true; }, HOLD_MS) };
  }, { capture: true, passive: true });
  window.addEventListener("touchend", (evt) => {
    if (hold && hold.held) {
      hold = null;
      evt.preventDefault();   // the lift presses nothing on the screen
      startAudioMode({ gesture: "hold" });
    } else {
      cancel();   // lifted too soon
    }
  }, { capture: true, passive: false });
  window.addEventListener("touchmove", (evt) => {
    if (!hold) return;
    const drifted = Array.from(evt.touches).some((touch, index) => {
      const [x, y] = hold.points[index] || [touch.clientX, touch.clientY];
      return Math.hypot(touch.clientX - x, touch.clientY - y) > HOLD_SLACK_PX;
    });
    if (drifted || evt.touches.length !== 2) cancel();
  }, { capture: true, passive: true });
  window.addEventListener("touchcancel", cancel, { capture: true, passive: true });

  // Back from a change of language in audio mode: carry on where the visitor was.
  const resumed = K.recall("audio");
  if (resumed) startAudioMode({ resume: resumed });
}
