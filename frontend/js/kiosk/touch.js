/* Touch: swipes between events, dragging the timeline */

import { K, analytics } from "./core.js";
import { step } from "./navigation.js";

/* Pointer Events, so touch and mouse both work. In the event view one horizontal swipe is one event,
   whatever its speed or fingers; vertical swipes scroll the text. A mouse drags the timeline with
   inertia (fingers scroll it natively). A drag never counts as a tap. */
export function start() {
  const layer = document.getElementById("event-layer");
  const track = document.getElementById("track");

  const DECIDE = 12;          // px of movement before we know whether a gesture is horizontal or vertical
  const STEP_WHILE_MOVING = 90;
  const STEP_ON_RELEASE = 50; // a quick flick may report little movement before the finger lifts
  const DRAG = 6;             // px a mouse may wander before a press becomes a drag

  /* ---------- Swipe between events ---------- */

  if (layer) {
    const down = new Set();   // every pointer now on the screen
    let gesture = null;       // the pointer that started the current gesture, and what it has done

    const view = () => layer.querySelector(".event");

    function follow(dx) {
      const element = view();
      if (!element || K.reducedMotion.matches) return;
      const eased = Math.sign(dx) * Math.min(80, Math.abs(dx) * 0.3);
      element.style.setProperty("--swipe", eased.toFixed(1) + "px");
      element.classList.add("event--dragging");
    }

    function settle() {
      const element = view();
      if (!element) return;
      element.classList.remove("event--dragging");
      element.style.removeProperty("--swipe");
    }

    function fire(dx) {
      gesture.fired = true;   // locked: nothing more this gesture does counts
      settle();
      const direction = dx < 0 ? "next" : "prev";
      analytics.record("swipe", { subject: direction });
      if (!step(direction)) {
        const element = view();
        if (element && !K.reducedMotion.matches) {
          element.classList.remove("event--end");
          void element.offsetWidth;   // restart the animation
          element.classList.add("event--end");
        }
      }
    }

    layer.addEventListener("pointerdown", (evt) => {
      if (evt.isPrimary) {
        down.clear();         // the first finger of a new touch: nothing older can still be down
        gesture = null;
      }
      down.add(evt.pointerId);
      if (down.size > 1 || gesture) return;    // a second finger joins an existing gesture: ignore it
      if (evt.pointerType === "mouse" && evt.button !== 0) return;
      gesture = { id: evt.pointerId, x: evt.clientX, y: evt.clientY, axis: null, fired: false };
    });

    window.addEventListener("pointermove", (evt) => {
      if (!gesture || evt.pointerId !== gesture.id || gesture.fired) return;
      const dx = evt.clientX - gesture.x;
      const dy = evt.clientY - gesture.y;
      if (!gesture.axis) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) < DECIDE) return;
        gesture.axis = Math.abs(dx) > Math.abs(dy) ? "x" : "y";
      }
      if (gesture.axis !== "x") return;
      if (Math.abs(dx) >= STEP_WHILE_MOVING) fire(dx);
      else follow(dx);
    });

    const release = (evt) => {
      down.delete(evt.pointerId);
      if (!gesture || evt.pointerId !== gesture.id) return;
      const finished = gesture;
      if (finished.axis === "x" && !finished.fired && evt.type === "pointerup"
          && Math.abs(evt.clientX - finished.x) >= STEP_ON_RELEASE) {
        fire(evt.clientX - finished.x);
      }
      settle();
      // A finger that moved never taps; a mouse that moved still clicks where it was let go.
      if (finished.axis && evt.pointerType !== "touch") K.swallowNextClick();
      gesture = null;
    };
    window.addEventListener("pointerup", release);
    window.addEventListener("pointercancel", release);

    layer.addEventListener("animationend", (evt) => {
      const view = evt.target.closest(".event");
      if (view) view.classList.remove("event--end", "event--from-next", "event--from-prev");
    });
  }

  /* ---------- Dragging the timeline with a mouse, with inertia ---------- */

  if (track) {
    let drag = null;
    let glide = 0;

    const stopGlide = () => {
      cancelAnimationFrame(glide);
      glide = 0;
    };

    function glideFrom(velocity) {
      if (K.reducedMotion.matches) return;
      let last = performance.now();
      const stepFrame = (now) => {
        const elapsed = Math.min(64, now - last);
        last = now;
        track.scrollLeft -= velocity * elapsed;
        velocity *= Math.pow(0.94, elapsed / 16);
        const atEdge = track.scrollLeft <= 0 || track.scrollLeft >= track.scrollWidth - track.clientWidth;
        glide = Math.abs(velocity) > 0.02 && !atEdge ? requestAnimationFrame(stepFrame) : 0;
      };
      glide = requestAnimationFrame(stepFrame);
    }

    track.addEventListener("pointerdown", (evt) => {
      stopGlide();
      if (evt.pointerType === "touch" || evt.button !== 0) return;   // fingers scroll natively
      drag = { id: evt.pointerId, x: evt.clientX, left: track.scrollLeft, moved: false, samples: [] };
    });

    track.addEventListener("pointermove", (evt) => {
      if (!drag || evt.pointerId !== drag.id) return;
      const dx = evt.clientX - drag.x;
      if (!drag.moved && Math.abs(dx) < DRAG) return;
      if (!drag.moved) {
        drag.moved = true;
        track.setPointerCapture(evt.pointerId);
        track.classList.add("is-dragging");
      }
      track.scrollLeft = drag.left - dx;
      drag.samples.push({ x: evt.clientX, t: evt.timeStamp });
      if (drag.samples.length > 6) drag.samples.shift();
    });

    const endDrag = (evt) => {
      if (!drag || evt.pointerId !== drag.id) return;
      const finished = drag;
      drag = null;
      if (!finished.moved) return;
      track.classList.remove("is-dragging");
      K.swallowNextClick();
      const samples = finished.samples.filter((sample) => evt.timeStamp - sample.t < 120);
      if (evt.type === "pointerup" && samples.length > 1) {
        const first = samples[0];
        const lastSample = samples[samples.length - 1];
        const velocity = (lastSample.x - first.x) / Math.max(1, lastSample.t - first.t);
        glideFrom(velocity);
      }
    };
    track.addEventListener("pointerup", endDrag);
    track.addEventListener("pointercancel", endDrag);
    track.addEventListener("wheel", stopGlide, { passive: true });

    // A mouse wheel turns vertically; the timeline runs sideways.
    track.addEventListener("wheel", (evt) => {
      if (evt.ctrlKey || Math.abs(evt.deltaX) >= Math.abs(evt.deltaY)) return;
      evt.preventDefault();
      track.scrollLeft += evt.deltaY;
    }, { passive: false });

    K.on("going-home", stopGlide);
  }
}
