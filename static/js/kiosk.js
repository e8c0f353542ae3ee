/* The kiosk's behaviour on top of pages that work without it, in seven sections that talk through
   window.Kiosk: core, navigation, touch, viewer, idle, offline, measuring use (K.analytics). */

/* ======== 1. Core: settings, helpers, lockdown, reading preferences ======== */

/* Settings from the page's data attributes, helpers, the lockdown and the reading preferences. Pages
   outside the kiosk (the admin) have no kiosk-mode class, and every section stops. */
(function () {
  "use strict";

  const root = document.documentElement;
  if (!root.classList.contains("kiosk-mode")) return;

  const data = document.body.dataset;
  const seconds = (value, fallback) => {
    const number = Number(value);
    return Number.isFinite(number) && number > 0 ? number : fallback;
  };

  let swallowClickUntil = 0;

  const Kiosk = {
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

    /* Hooks the later sections fill in; harmless defaults keep each section usable alone. */
    goHome: () => Promise.resolve(),
    analytics: { record() {}, reading() {} },
    applyPendingUpdate: () => false,
    isAttracting: () => false,
    step: () => false,
  };
  window.Kiosk = Kiosk;

  /* Whatever screen is on top (the idle notice, the attract screen, the photograph, the event) is
     the only one that takes touches, focus and the screen reader's attention. */
  const SCREENS_TOP_FIRST = ["idle-notice", "attract", "image-viewer", "event-layer"];
  Kiosk.updateInert = function () {
    const top = SCREENS_TOP_FIRST.map((id) => document.getElementById(id))
      .find((screen) => screen && !screen.hidden && screen.parentElement === document.body);
    for (const child of document.body.children) {
      if (child.tagName === "SCRIPT" || child.getAttribute("role") === "status") continue;
      child.inert = Boolean(top) && child !== top;
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

  /* ---------- Reading preferences: larger text and high contrast ---------- */

  const PREFERENCES = ["text-large", "contrast-high"];

  function applyPreferences(chosen) {
    for (const name of PREFERENCES) root.classList.toggle(name, chosen.includes(name));
    for (const button of document.querySelectorAll("[data-preference]")) {
      button.setAttribute("aria-pressed", String(root.classList.contains(button.dataset.preference)));
    }
  }

  const currentPreferences = () => PREFERENCES.filter((name) => root.classList.contains(name));

  Kiosk.resetPreferences = () => applyPreferences([]);
  Kiosk.rememberPreferences = () => Kiosk.remember("preferences", currentPreferences());

  document.addEventListener("click", (evt) => {
    const button = evt.target.closest && evt.target.closest("[data-preference]");
    if (!button) return;
    const name = button.dataset.preference;
    const chosen = currentPreferences().filter((other) => other !== name);
    if (!root.classList.contains(name)) chosen.push(name);
    applyPreferences(chosen);
    Kiosk.analytics.record("preference", { subject: name + (chosen.includes(name) ? ":on" : ":off") });
  });

  // New event views come with their own preference buttons: show them in the current state.
  document.addEventListener("htmx:afterSwap", () => applyPreferences(currentPreferences()));
  applyPreferences(Kiosk.recall("preferences") || []);
})();

/* ======== 2. Navigation: the event layer, history, chips, scrubber, keyboard ======== */

/* Events open over the timeline and the address follows them; the history never holds more than the
   timeline and one event, so Back can uncover nothing else. */
(function () {
  "use strict";

  const K = window.Kiosk;
  if (!K) return;

  // An era's page of its own is for browsers without JavaScript: here, show the era on the timeline.
  const eraPage = document.body.classList.contains("page-era") && document.querySelector(".chapter");
  if (eraPage) {
    location.replace(K.config.home + "#" + eraPage.id);
    return;
  }

  const layer = document.getElementById("event-layer");
  const track = document.getElementById("track");
  const isEventPath = (path) => /^(\/[a-z]{2,3})?\/events\/[^/]+$/.test(path);
  const timelineTitle = document.title;

  let pushedEvent = false;     // the current history entry is the one we pushed for the open event
  let ignoreNextPop = false;   // a history.back() of our own, already handled
  let pendingHistory = null;   // what the layer's next swap does to the address: "push", "replace" or null
  let stepFrom = null;         // "next" or "prev": the side the coming event enters from
  let returnFocusTo = null;
  let layerBusy = false;       // an event is on its way into the layer

  const layerOpen = () => K.onTimeline && layer && !layer.hidden;
  const smooth = () => (K.reducedMotion.matches ? "auto" : "smooth");

  /* ---------- The event layer ---------- */

  function openLayer() {
    layer.hidden = false;
    K.updateInert();
    document.documentElement.classList.add("has-layer");
    const text = layer.querySelector(".event__text");
    if (text) text.scrollTop = 0;
    const heading = layer.querySelector("#event-title");
    if (heading) heading.focus({ preventScroll: true });
    const view = layer.querySelector(".event");
    if (view && stepFrom && !K.reducedMotion.matches) view.classList.add("event--from-" + stepFrom);
    K.analytics.reading(view && view.dataset.event);
    stepFrom = null;
  }

  function closeLayer() {
    if (!layerOpen()) return;
    layer.hidden = true;
    K.analytics.reading(null);
    layer.replaceChildren();
    K.updateInert();
    document.documentElement.classList.remove("has-layer");
    document.title = timelineTitle;
    if (returnFocusTo && document.contains(returnFocusTo)) returnFocusTo.focus({ preventScroll: true });
    returnFocusTo = null;
  }

  function showEvent(path, historyMode) {
    pendingHistory = historyMode;
    htmx.ajax("GET", path, { target: layer, swap: "innerHTML show:none" });
  }

  /* Leave the pushed event entry, so the timeline is again the last entry; resolves once there. */
  function returnToTimelineEntry() {
    if (!pushedEvent) {
      history.replaceState({ kiosk: "timeline" }, "", "/");
      return Promise.resolve();
    }
    pushedEvent = false;
    ignoreNextPop = true;
    return new Promise((resolve) => {
      const done = () => {
        window.removeEventListener("popstate", done);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, 800);
      window.addEventListener("popstate", done);
      history.back();
    });
  }

  function closeEvent() {
    closeLayer();
    return returnToTimelineEntry().then(() => K.applyPendingUpdate({ keepPlace: true }));
  }

  function scrollTrackTo(left, behavior) {
    if (track) track.scrollTo({ left: Math.max(0, left), behavior });
  }

  /* Back to the beginning: the layer closed, the timeline at its start. Pages other than the timeline
     (an event or an error loaded on its own) are replaced by it. */
  K.goHome = function (behavior) {
    K.emit("going-home");
    if (!K.onTimeline) {
      location.replace(K.config.home);
      return new Promise(() => {});
    }
    returnFocusTo = null;
    closeLayer();
    return returnToTimelineEntry().then(() => scrollTrackTo(0, behavior || "auto"));
  };

  K.step = function (direction) {
    const link = layer && layer.querySelector(direction === "next" ? "a[rel=next]" : "a[rel=prev]");
    if (!link || layerBusy) return false;
    stepFrom = direction;
    htmx.ajax("GET", link.getAttribute("href"), { source: link, target: layer, swap: "innerHTML show:none" });
    return true;
  };

  document.addEventListener("htmx:beforeRequest", (evt) => {
    if (!layer || evt.detail.target !== layer) return;
    if (layerBusy) {
      evt.preventDefault();   // one event at a time, however fast the taps
      return;
    }
    const source = evt.detail.elt;
    if (source.hasAttribute("data-step")) {
      if (!K.onTimeline) {
        // An event page loaded on its own: step by replacing the page, keeping the history short.
        evt.preventDefault();
        location.replace(source.getAttribute("href"));
        return;
      }
      pendingHistory = "replace";
    } else if (source.classList.contains("card")) {
      returnFocusTo = source;
      pendingHistory = "push";
    }
    layerBusy = true;
  });

  for (const name of ["htmx:afterRequest", "htmx:sendError", "htmx:responseError", "htmx:timeout", "htmx:sendAbort"]) {
    document.addEventListener(name, (evt) => {
      if (evt.detail.target === layer) layerBusy = false;
    });
  }

  document.addEventListener("htmx:afterSwap", (evt) => {
    if (evt.detail.target !== layer) return;
    const path = evt.detail.pathInfo.requestPath;
    if (pendingHistory === "push" && !pushedEvent) {
      history.pushState({ kiosk: "event" }, "", path);
      pushedEvent = true;
    } else if (pendingHistory) {
      history.replaceState({ kiosk: "event" }, "", path);
    }
    pendingHistory = null;
    const heading = layer.querySelector("#event-title");
    if (heading) document.title = heading.textContent.trim();
    if (K.onTimeline) openLayer();
  });

  // Back and Forward (a keyboard or a mouse may have them): close the layer or show the named event.
  window.addEventListener("popstate", () => {
    if (ignoreNextPop) {
      ignoreNextPop = false;
      return;
    }
    if (!K.onTimeline) return;
    if (isEventPath(location.pathname)) {
      pushedEvent = true;
      showEvent(location.pathname, null);
    } else {
      pushedEvent = false;
      closeLayer();
      K.applyPendingUpdate({ keepPlace: true });
    }
  });

  document.addEventListener("click", (evt) => {
    const target = evt.target.closest ? evt.target : evt.target.parentElement;
    const close = target.closest("[data-close]");
    const home = target.closest("[data-start-again]");
    const chip = target.closest("[data-era]");
    const language = target.closest("[data-language]");
    if (language) {
      // Another language: the same page in it, the visitor's reading settings kept, no history added.
      evt.preventDefault();
      K.rememberPreferences();
      location.replace(language.getAttribute("href"));
    } else if (close) {
      evt.preventDefault();
      if (layerOpen()) closeEvent();
      else location.replace(close.getAttribute("href"));
    } else if (home) {
      evt.preventDefault();
      K.analytics.record("start-again");
      K.goHome(smooth()).then(() => K.applyPendingUpdate({ keepPlace: false }));
    } else if (chip && track) {
      evt.preventDefault();   // a same-page link would add a history entry
      const chapter = document.getElementById(chip.dataset.era);
      if (!chapter) return;
      K.analytics.record("era", { subject: chip.dataset.era });
      jump((behavior) => scrollTrackTo(offsetInTrack(chapter), behavior), smooth());
      if (evt.detail === 0) {
        const card = chapter.querySelector(".card");
        if (card) card.focus({ preventScroll: true });
      }
    }
  });

  /* ---------- Keyboard ---------- */

  document.addEventListener("keydown", (evt) => {
    if (evt.defaultPrevented || evt.altKey || evt.ctrlKey || evt.metaKey) return;
    const reading = layerOpen() || (!K.onTimeline && layer);   // an event, over the timeline or on its own
    const closer = !K.onTimeline && document.querySelector("[data-close]");
    if (evt.key === "Escape" && (layerOpen() || closer)) {
      evt.preventDefault();
      if (layerOpen()) closeEvent();
      else location.replace(closer.getAttribute("href"));
    } else if (reading && (evt.key === "ArrowRight" || evt.key === "ArrowLeft")) {
      if (evt.target.closest && evt.target.closest("[role=slider], input, textarea")) return;
      evt.preventDefault();
      K.step(evt.key === "ArrowRight" ? "next" : "prev");
    } else if (track && !layerOpen() && (evt.key === "ArrowRight" || evt.key === "ArrowLeft")) {
      if (evt.target.closest && evt.target.closest("[role=slider], .dock__eras, input, textarea")) return;
      evt.preventDefault();
      const distance = Math.round(track.clientWidth * 0.6) * (evt.key === "ArrowRight" ? 1 : -1);
      scrollTrackTo(track.scrollLeft + distance, smooth());
    }
  });

  /* ---------- Where am I: the current era chip and the year scrubber ---------- */

  if (!track) return;

  let slots = [];   // the events on the timeline, in order (a long one loads more as the visitor goes)
  const findSlots = () => {
    slots = Array.from(track.querySelectorAll(".slot:not(.slot--more)"));
  };
  findSlots();
  const chips = Array.from(document.querySelectorAll("[data-era]"));
  const rail = document.querySelector("[data-scrubber-rail]");
  const thumb = document.querySelector("[data-scrubber-thumb]");
  const thumbYear = document.querySelector("[data-scrubber-year]");
  const firstYear = rail ? Number(rail.getAttribute("aria-valuemin")) : 0;
  const lastYear = rail ? Number(rail.getAttribute("aria-valuemax")) : 0;
  let scrubbing = false;

  const padding = () => parseFloat(getComputedStyle(track).paddingLeft) || 0;

  function offsetInTrack(element) {
    return element.getBoundingClientRect().left - track.getBoundingClientRect().left + track.scrollLeft - padding();
  }

  /* The first event with at least half its card in view (cards are in timeline order, left to
     right, so a binary search finds it). */
  function firstVisibleSlot() {
    const edge = track.getBoundingClientRect().left + padding();
    const centre = (slot) => {
      const box = slot.getBoundingClientRect();
      return box.left + box.width / 2;
    };
    if (!slots.length) return null;
    let low = 0;
    let high = slots.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (centre(slots[middle]) > edge) high = middle;
      else low = middle + 1;
    }
    return slots[low];
  }

  const clampYear = (year) => Math.min(lastYear, Math.max(firstYear, year));

  function showYear(year) {
    if (!rail) return;
    const share = (clampYear(year) - firstYear + 0.5) / (lastYear - firstYear + 1);
    thumb.style.left = (share * 100).toFixed(3) + "%";
    thumbYear.textContent = String(year);
    rail.setAttribute("aria-valuenow", String(clampYear(year)));
    rail.setAttribute("aria-valuetext", String(year));
  }

  function showPlace() {
    const slot = firstVisibleSlot();
    if (!slot) return;
    const chapter = slot.closest(".chapter");
    for (const chip of chips) {
      if (chapter && chip.dataset.era === chapter.id) chip.setAttribute("aria-current", "true");
      else chip.removeAttribute("aria-current");
    }
    if (!scrubbing) showYear(Number(slot.dataset.year));
  }

  /* The first event from that year on. In a long timeline it may not have arrived yet: then go to the
     placeholder of its era's next run, which loads, and the jump goes on from there (see jump). */
  function jumpToYear(year, behavior) {
    for (const chapter of track.querySelectorAll(".chapter")) {
      if (Number(chapter.dataset.endYear) < year) continue;
      const first = chapter.querySelector(".slot");
      const target = Array.from(chapter.querySelectorAll(".slot:not(.slot--more)"))
        .find((slot) => Number(slot.dataset.year) >= year) || chapter.querySelector(".slot--more");
      if (target) {
        scrollTrackTo(offsetInTrack(target === first ? chapter : target), behavior);
        return;
      }
    }
    scrollTrackTo(track.scrollWidth, behavior);
  }

  /* A jump (an era chip, the year scrubber) keeps going to its target while a long timeline's runs
     arrive and move it, until the visitor does something else. */
  let pendingJump = null;
  let pendingJumpTimer = 0;
  function jump(go, behavior) {
    pendingJump = go;
    clearTimeout(pendingJumpTimer);
    pendingJumpTimer = setTimeout(() => { pendingJump = null; }, 3000);
    go(behavior);
  }
  for (const type of ["pointerdown", "wheel"]) {
    track.addEventListener(type, () => { pendingJump = null; }, { passive: true });
  }

  let placeFrame = 0;
  track.addEventListener("scroll", () => {
    if (!placeFrame) placeFrame = requestAnimationFrame(() => {
      placeFrame = 0;
      showPlace();
    });
  }, { passive: true });
  window.addEventListener("resize", showPlace);

  // A run of events arriving must not move what the visitor is looking at.
  let anchor = null;
  track.addEventListener("htmx:beforeSwap", () => {
    const slot = firstVisibleSlot();
    anchor = slot && { slot, left: slot.getBoundingClientRect().left };
  });
  track.addEventListener("htmx:afterSwap", () => {
    findSlots();
    if (pendingJump) pendingJump("auto");
    else if (anchor && document.contains(anchor.slot)) {
      track.scrollLeft += anchor.slot.getBoundingClientRect().left - anchor.left;
    }
    anchor = null;
    showPlace();
  });

  if (rail) {
    const yearAt = (clientX) => {
      const box = rail.getBoundingClientRect();
      const share = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
      return clampYear(firstYear + Math.floor(share * (lastYear - firstYear + 1)));
    };
    const scrubTo = (clientX) => {
      const year = yearAt(clientX);
      showYear(year);
      jump((behavior) => jumpToYear(year, behavior), "auto");
    };
    rail.addEventListener("pointerdown", (evt) => {
      if (evt.button !== 0) return;
      scrubbing = true;
      rail.setPointerCapture(evt.pointerId);
      rail.classList.add("is-scrubbing");
      scrubTo(evt.clientX);
    });
    rail.addEventListener("pointermove", (evt) => {
      if (scrubbing) scrubTo(evt.clientX);
    });
    const stopScrubbing = () => {
      if (!scrubbing) return;
      scrubbing = false;
      rail.classList.remove("is-scrubbing");
      K.analytics.record("scrub", { subject: rail.getAttribute("aria-valuenow") });
      showPlace();
    };
    rail.addEventListener("pointerup", stopScrubbing);
    rail.addEventListener("pointercancel", stopScrubbing);
    rail.addEventListener("keydown", (evt) => {
      const now = Number(rail.getAttribute("aria-valuenow"));
      const moves = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };
      let year = null;
      if (evt.key in moves) year = now + moves[evt.key];
      else if (evt.key === "Home") year = firstYear;
      else if (evt.key === "End") year = lastYear;
      if (year === null) return;
      evt.preventDefault();
      year = clampYear(year);
      showYear(year);
      jump((behavior) => jumpToYear(year, behavior), "auto");
    });
  }

  /* ---------- Arriving: a clean address, and the place kept across a live-update reload ---------- */

  if (K.onTimeline) {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (location.pathname !== K.config.home || location.hash) history.replaceState({ kiosk: "timeline" }, "", K.config.home);
    const place = K.recall("place");
    if (place) track.scrollLeft = place.left;
    else if (target && track.contains(target)) scrollTrackTo(offsetInTrack(target.closest(".slot") || target), "auto");
    K.rememberPlace = () => K.remember("place", { left: track.scrollLeft });
  }
  showPlace();
})();

/* ======== 3. Touch: swipes between events, dragging the timeline ======== */

/* Pointer Events, so touch and mouse both work. In the event view one horizontal swipe is one event,
   whatever its speed or fingers; vertical swipes scroll the text. A mouse drags the timeline with
   inertia (fingers scroll it natively). A drag never counts as a tap. */
(function () {
  "use strict";

  const K = window.Kiosk;
  if (!K) return;

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
      K.analytics.record("swipe", { subject: direction });
      if (!K.step(direction)) {
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
})();

/* ======== 4. The photograph, full screen ======== */

/* Pinch or double-tap to zoom, drag to look around, + and − buttons; a big button or Escape closes.
   The only place a visitor may zoom. */
(function () {
  "use strict";

  const K = window.Kiosk;
  const viewer = document.getElementById("image-viewer");
  if (!K || !viewer) return;

  const stage = viewer.querySelector("[data-viewer-stage]");
  const image = viewer.querySelector("[data-viewer-image]");
  const caption = viewer.querySelector("[data-viewer-caption]");
  const closeButton = viewer.querySelector("[data-viewer-close]");
  const defaultCaption = caption.textContent;
  const MAX_SCALE = 5;

  let view = { scale: 1, x: 0, y: 0 };
  const pointers = new Map();   // pointerId -> {x, y}
  let gesture = null;           // the view and the pointers' positions when the current gesture began
  let lastTap = null;
  let opener = null;

  /* How far the picture may move: never further than its own edges (object-fit: contain). */
  function limits(scale) {
    const box = stage.getBoundingClientRect();
    const ratio = image.naturalWidth && image.naturalHeight
      ? Math.min(box.width / image.naturalWidth, box.height / image.naturalHeight) : 1;
    const width = (image.naturalWidth || box.width) * ratio * scale;
    const height = (image.naturalHeight || box.height) * ratio * scale;
    return { x: Math.max(0, (width - box.width) / 2), y: Math.max(0, (height - box.height) / 2) };
  }

  function show(next) {
    const scale = Math.min(MAX_SCALE, Math.max(1, next.scale));
    const edge = limits(scale);
    view = {
      scale,
      x: Math.min(edge.x, Math.max(-edge.x, next.x)),
      y: Math.min(edge.y, Math.max(-edge.y, next.y)),
    };
    image.style.transform = `translate(${view.x.toFixed(1)}px, ${view.y.toFixed(1)}px) scale(${view.scale.toFixed(3)})`;
    viewer.classList.toggle("is-zoomed", view.scale > 1.01);
  }

  /* Zoom by a factor, keeping the point under (clientX, clientY) where it is. */
  function zoomAt(factor, clientX, clientY, from = view) {
    const box = stage.getBoundingClientRect();
    const px = clientX - (box.left + box.width / 2);
    const py = clientY - (box.top + box.height / 2);
    const scale = Math.min(MAX_SCALE, Math.max(1, from.scale * factor));
    const applied = scale / from.scale;
    show({ scale, x: px - (px - from.x) * applied, y: py - (py - from.y) * applied });
  }

  function zoomAtCentre(factor) {
    const box = stage.getBoundingClientRect();
    zoomAt(factor, box.left + box.width / 2, box.top + box.height / 2);
  }

  function open(button) {
    const source = button.querySelector("img");
    if (!source) return;
    opener = button;
    image.src = source.currentSrc || source.src;
    image.alt = source.alt;
    const figcaption = button.closest("figure") && button.closest("figure").querySelector("figcaption");
    caption.textContent = (figcaption && figcaption.textContent.trim()) || source.alt || defaultCaption;
    viewer.hidden = false;
    K.analytics.record("photo");
    show({ scale: 1, x: 0, y: 0 });
    K.updateInert();
    closeButton.focus({ preventScroll: true });
  }

  function close() {
    if (viewer.hidden) return;
    viewer.hidden = true;
    pointers.clear();
    gesture = null;
    K.updateInert();
    if (opener && document.contains(opener)) opener.focus({ preventScroll: true });
    opener = null;
  }

  document.addEventListener("click", (evt) => {
    const button = evt.target.closest && evt.target.closest("[data-viewer-open]");
    if (button) open(button);
  });
  closeButton.addEventListener("click", close);
  for (const button of viewer.querySelectorAll("[data-viewer-zoom]")) {
    button.addEventListener("click", () => zoomAtCentre(Number(button.dataset.viewerZoom) > 0 ? 1.6 : 1 / 1.6));
  }
  K.on("going-home", close);

  /* ---------- Fingers and mouse ---------- */

  function beginGesture() {
    const points = Array.from(pointers.values());
    gesture = { view: { ...view }, points: points.map((point) => ({ ...point })) };
  }

  stage.addEventListener("pointerdown", (evt) => {
    if (evt.pointerType === "mouse" && evt.button !== 0) return;
    if (pointers.size >= 2) return;   // a third finger changes nothing
    stage.setPointerCapture(evt.pointerId);
    pointers.set(evt.pointerId, { x: evt.clientX, y: evt.clientY });
    beginGesture();
  });

  stage.addEventListener("pointermove", (evt) => {
    if (!pointers.has(evt.pointerId) || !gesture) return;
    pointers.set(evt.pointerId, { x: evt.clientX, y: evt.clientY });
    const now = Array.from(pointers.values());
    const then = gesture.points;
    if (now.length === 2 && then.length === 2) {
      const distance = (a, b) => Math.hypot(a.x - b.x, a.y - b.y) || 1;
      const middle = (a, b) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
      const startMiddle = middle(then[0], then[1]);
      const nowMiddle = middle(now[0], now[1]);
      const moved = { ...gesture.view, x: gesture.view.x + nowMiddle.x - startMiddle.x, y: gesture.view.y + nowMiddle.y - startMiddle.y };
      zoomAt(distance(now[0], now[1]) / distance(then[0], then[1]), nowMiddle.x, nowMiddle.y, moved);
    } else if (now.length === 1 && then.length === 1) {
      show({ ...gesture.view, x: gesture.view.x + now[0].x - then[0].x, y: gesture.view.y + now[0].y - then[0].y });
    }
  });

  function lift(evt) {
    if (!pointers.has(evt.pointerId)) return;
    const start = gesture && gesture.points.length === 1 ? gesture.points[0] : null;
    pointers.delete(evt.pointerId);
    beginGesture();   // the remaining finger carries on from here
    const still = start && Math.hypot(evt.clientX - start.x, evt.clientY - start.y) < 10;
    if (evt.type !== "pointerup" || !still) {
      lastTap = null;
      return;
    }
    const doubleTap = lastTap && evt.timeStamp - lastTap.time < 350
      && Math.hypot(evt.clientX - lastTap.x, evt.clientY - lastTap.y) < 40;
    if (doubleTap) {
      if (view.scale > 1.01) show({ scale: 1, x: 0, y: 0 });
      else zoomAt(2.5, evt.clientX, evt.clientY);
      lastTap = null;
    } else {
      lastTap = { time: evt.timeStamp, x: evt.clientX, y: evt.clientY };
    }
  }
  stage.addEventListener("pointerup", lift);
  stage.addEventListener("pointercancel", lift);

  stage.addEventListener("wheel", (evt) => {
    evt.preventDefault();
    zoomAt(Math.exp(-evt.deltaY * 0.002), evt.clientX, evt.clientY);
  }, { passive: false });

  /* ---------- Keyboard: before the event view's own keys ---------- */

  document.addEventListener("keydown", (evt) => {
    if (viewer.hidden) return;
    const pans = { ArrowLeft: [60, 0], ArrowRight: [-60, 0], ArrowUp: [0, 60], ArrowDown: [0, -60] };
    if (evt.key === "Escape") close();
    else if (evt.key === "+" || evt.key === "=") zoomAtCentre(1.6);
    else if (evt.key === "-") zoomAtCentre(1 / 1.6);
    else if (evt.key in pans) show({ ...view, x: view.x + pans[evt.key][0], y: view.y + pans[evt.key][1] });
    else return;
    evt.preventDefault();
  }, true);   // on the document, so that the idle notice (listening on the window) comes first
})();

/* ======== 5. Idle: Still there?, starting again, the attract screen ======== */

/* "Still there?" counts down, then the kiosk starts again under the attract screen; the touch that
   wakes it never also activates what lies under the finger. */
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
    K.analytics.record("idle-continue");
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
    K.analytics.record("idle-reset");
    state = "resetting";
    notice.hidden = true;
    K.resetPreferences();
    if (!attract || K.config.home !== K.config.defaultHome) {
      K.remember("attract", true);
      location.replace(K.config.defaultHome);
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
})();

/* ======== 6. Offline and live updates ======== */

/* A service worker keeps a copy for a reload while the server is down; the version is polled (a 304
   when unchanged) and applied at the visitor's next navigation or when nobody is there; a failed
   request gets a gentle message, and the kiosk keeps asking, less often, until the server is back. */
(function () {
  "use strict";

  const K = window.Kiosk;
  if (!K) return;

  const root = document.documentElement;
  const status = document.getElementById("kiosk-status");
  const pollTime = K.config.pollSeconds * 1000;
  const pageVersion = K.config.version;
  let etag = `"${pageVersion}"`;
  let updatePending = false;
  let staleTimeline = false;   // a visitor tapped an event that is gone: the timeline is out of date
  let failures = 0;
  let pollTimer = 0;
  let statusTimer = 0;

  if ("serviceWorker" in navigator && K.config.serviceWorker) {
    navigator.serviceWorker
      .register(K.config.serviceWorker, { scope: "/", updateViaCache: "none" })
      .catch(() => { /* offline or not allowed: the kiosk still works, just without the saved copy */ });
    // What the saved copy could not keep (a missing image) reaches the admin's Kiosks page as this kiosk's error.
    navigator.serviceWorker.addEventListener("message", ({ data }) => {
      if (data.type === "offline-incomplete") K.analytics.failed({ message: "offline copy lacks " + data.failed.join(" ") });
    });
  }

  /* ---------- Live updates ---------- */

  /* Reload onto the new content if there is any; called where reloading cannot disturb a visitor. */
  K.applyPendingUpdate = function (options = {}) {
    if (!updatePending) return false;
    if (options.attract) {
      K.remember("attract", true);
    } else {
      K.rememberPreferences();
      if (options.keepPlace && K.rememberPlace) K.rememberPlace();
    }
    location.replace(options.attract ? K.config.defaultHome : K.config.home);
    return true;
  };

  function noticeVersion(version) {
    if (version === pageVersion || updatePending) return;
    updatePending = true;
    // Nobody there, or the visitor just found the timeline out of date: update now. Otherwise a
    // visitor gets it when they next navigate (or the next visitor does).
    if (K.isAttracting()) K.applyPendingUpdate({ attract: true });
    else if (staleTimeline) refreshStaleTimeline();
    else root.dataset.update = "pending";   // kept for later (tests wait for this)
  }

  function refreshStaleTimeline() {
    K.remember("message", "missing");   // still said after the reload that brings the timeline up to date
    K.applyPendingUpdate({ keepPlace: true });
  }

  async function poll() {
    let delay = pollTime;
    try {
      const response = await fetch("/version", { cache: "no-store", headers: { "If-None-Match": etag } });
      if (response.status === 200) {
        etag = response.headers.get("ETag") || etag;
        noticeVersion((await response.json()).version);
      } else if (response.status !== 304) {
        throw new Error("version check answered " + response.status);
      }
      if (failures) {
        failures = 0;
        root.classList.remove("is-offline");
      }
    } catch (error) {
      failures += 1;
      root.classList.add("is-offline");
      delay = Math.min(4 * pollTime, 2000 * 2 ** (failures - 1));   // back off while the server is away
    }
    pollTimer = setTimeout(poll, delay);
  }

  function pollSoon() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, 200);
  }

  pollTimer = setTimeout(poll, pollTime);

  /* ---------- Failed requests: a message in the kiosk's own design ---------- */

  /* kind: "failed" or "missing", the messages the page carries in its own language. */
  function say(kind) {
    const message = status && status.dataset["message" + kind[0].toUpperCase() + kind.slice(1)];
    if (!message) return;
    status.textContent = message;
    status.classList.add("is-shown");
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => {
      status.classList.remove("is-shown");
      status.textContent = "";
    }, 6000);
  }

  if (window.htmx) htmx.config.timeout = 10000;

  document.addEventListener("htmx:responseError", (evt) => {
    const missing = evt.detail.xhr && evt.detail.xhr.status === 404;
    say(missing ? "missing" : "failed");
    if (missing && evt.detail.elt.classList.contains("card")) {
      staleTimeline = true;
      if (updatePending) refreshStaleTimeline();
      else pollSoon();
    }
  });
  for (const name of ["htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(name, () => {
      say("failed");
      pollSoon();
    });
  }
  const carried = K.recall("message");
  if (carried) say(carried);
  K.on("going-home", () => status && status.classList.remove("is-shown"));
})();

/* ======== 7. Measuring use: calls wait here for static/js/analytics.js (see there) ======== */
(function () {
  "use strict";

  const K = window.Kiosk;
  if (!K) return;

  const waiting = [];
  const later = (name) => (...args) => waiting.push([name, Date.now(), args]);
  K.analytics = {
    waiting,
    named: new URLSearchParams(location.search).get("kiosk"),
    record: later("record"),
    reading: later("reading"),
    touched: later("touched"),
    failed: later("failed"),
  };
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, () => K.analytics.touched(K.isAttracting()), { capture: true, passive: true });
  }
  for (const type of ["error", "unhandledrejection"]) window.addEventListener(type, (evt) => K.analytics.failed(evt));
  window.addEventListener("load", () => setTimeout(() => {
    const script = document.createElement("script");
    script.src = document.body.dataset.analytics;
    document.head.append(script);
  }, 1500));
})();
