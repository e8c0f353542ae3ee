/* Navigation: the event layer, history, chips, scrubber, keyboard */

import { isEventPage } from "../addresses.js";
import { K, analytics } from "./core.js";
import { applyPendingUpdate } from "./live.js";

/* The event layer and the history, which start() finds and wires to the page; goHome and step act on
   them for touch and idle too. */
let layer = null;            // where events open: over the timeline, or the event page's own view
let track = null;            // the timeline
let timelineTitle = "";
let pushedEvent = false;     // the current history entry is the one we pushed for the open event
let ignoreNextPop = false;   // a history.back() of our own, already handled
let pendingHistory = null;   // what the layer's next swap does to the address: "push", "replace" or null
let stepFrom = null;         // "next" or "prev": the side the coming event enters from
let returnFocusTo = null;
let layerBusy = false;       // an event is on its way into the layer
let chosenYear = null;       // a year chosen on the scrubber: shown there (not the first card's year in
                             // view) until the visitor moves the timeline another way

const layerOpen = () => K.onTimeline && layer && !layer.hidden;

function closeLayer() {
  if (!layerOpen()) return;
  layer.hidden = true;
  layer.removeAttribute("aria-labelledby");
  analytics.reading(null);
  layer.replaceChildren();
  K.updateInert();
  document.documentElement.classList.remove("has-layer");
  document.title = timelineTitle;
  if (returnFocusTo && document.contains(returnFocusTo)) returnFocusTo.focus({ preventScroll: true });
  returnFocusTo = null;
}

/* Leave the pushed event entry, so the timeline is again the last entry; resolves once there. */
function returnToTimelineEntry() {
  if (!pushedEvent) {
    history.replaceState({ kiosk: "timeline" }, "", K.config.home);
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

function scrollTrackTo(left, behavior) {
  if (track) track.scrollTo({ left: Math.max(0, left), behavior });
}

/* Back to the beginning: the layer closed, the timeline at its start. Pages other than the timeline
   (an event or an error loaded on its own) are replaced by it. */
export function goHome(behavior) {
  K.emit("going-home");
  if (!K.onTimeline) {
    location.replace(K.config.home);
    return new Promise(() => {});
  }
  returnFocusTo = null;
  chosenYear = null;
  closeLayer();
  return returnToTimelineEntry().then(() => scrollTrackTo(0, behavior || "auto"));
}

/* The next or previous event, if there is one and no event is already on its way. */
export function step(direction) {
  const link = layer && layer.querySelector(direction === "next" ? "a[rel=next]" : "a[rel=prev]");
  if (!link || layerBusy) return false;
  stepFrom = direction;
  htmx.ajax("GET", link.getAttribute("href"), { source: link, target: layer, swap: "innerHTML show:none" });
  return true;
}

/* Events open over the timeline and the address follows them; the history never holds more than the
   timeline and one event, so Back can uncover nothing else. */
export function start() {
  // An era's page of its own is for browsers without JavaScript: here, show the era on the timeline.
  const eraPage = document.body.classList.contains("page-era") && document.querySelector(".chapter");
  if (eraPage) {
    location.replace(K.config.home + "#" + eraPage.id);
    return;
  }

  layer = document.getElementById("event-layer");
  track = document.getElementById("track");
  timelineTitle = document.title;

  const smooth = () => (K.reducedMotion.matches ? "auto" : "smooth");

  /* ---------- The event layer ---------- */

  function openLayer() {
    layer.hidden = false;
    document.documentElement.classList.add("has-layer");
    // Only ever called on a freshly swapped-in event, whose text starts at its top: no scrollTop to
    // reset (setting it would force a layout in the middle of the tap). The event is painted first;
    // then the page beneath stops taking touches and focus, and focus moves to the headline: both
    // restyle the whole page, which on a slow kiosk PC would hold back that first paint.
    const heading = layer.querySelector("#event-title");
    // The dialog is named by the event's headline (the page names it "Event" until one is open).
    if (heading) layer.setAttribute("aria-labelledby", "event-title");
    requestAnimationFrame(() => setTimeout(() => {
      if (!layerOpen()) return;
      K.updateInert();
      if (heading && heading.isConnected) heading.focus({ preventScroll: true });
    }));
    const view = layer.querySelector(".event");
    if (view && stepFrom && !K.reducedMotion.matches) view.classList.add("event--from-" + stepFrom);
    analytics.reading(view && view.dataset.event);
    stepFrom = null;
  }

  function showEvent(path, historyMode) {
    pendingHistory = historyMode;
    htmx.ajax("GET", path, { target: layer, swap: "innerHTML show:none" });
  }

  function closeEvent() {
    closeLayer();
    return returnToTimelineEntry().then(() => applyPendingUpdate({ keepPlace: true }));
  }

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
      if (early && early.path === source.getAttribute("href")) {
        evt.preventDefault();   // the fragment is already on its way
        swapEarly(early, source);
      }
    }
    layerBusy = true;
  });

  /* A finger on a card: its fragment is asked for as the finger lands, and the event opens as it
     lifts, rather than when the browser's click arrives, tens of milliseconds later on a slow kiosk
     PC (that click is then swallowed). A touch that turns into a scroll ends in pointercancel, opens
     nothing and wastes one small response from the page cache. */
  let early = null;   // { path, text: Promise of the fragment, card, pointerId }
  document.addEventListener("pointerdown", (evt) => {
    const card = evt.isPrimary && evt.pointerType !== "mouse" && evt.target.closest && evt.target.closest("a.card[data-hx-get]");
    if (!card || !layer || layerBusy) return;
    const path = card.getAttribute("href");
    const text = fetch(path, { headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.status))));
    text.catch(() => {});   // opening falls back to an ordinary request
    early = { path, text, card, pointerId: evt.pointerId };
  }, { passive: true });
  document.addEventListener("pointerup", (evt) => {
    if (!early || early.pointerId !== evt.pointerId || !K.onTimeline || !layer.hidden) return;
    early.pointerId = null;
    K.swallowNextClick();
    htmx.ajax("GET", early.path, { source: early.card, target: layer, swap: "innerHTML show:none" });
  });
  document.addEventListener("pointercancel", (evt) => {
    if (early && early.pointerId === evt.pointerId) early.pointerId = null;
  });

  function swapEarly(request, source) {
    early = null;
    request.text.then((html) => {
      layerBusy = false;
      htmx.swap(layer, html, { swapStyle: "innerHTML", swapDelay: 0, settleDelay: 20, show: "none" },
        { contextElement: source, eventInfo: { elt: source, target: layer, pathInfo: { requestPath: request.path } } });
    }, () => {
      layerBusy = false;
      htmx.ajax("GET", request.path, { source, target: layer, swap: "innerHTML show:none" });
    });
  }

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
    if (isEventPage(location.pathname)) {
      pushedEvent = true;
      showEvent(location.pathname, null);
    } else {
      pushedEvent = false;
      closeLayer();
      applyPendingUpdate({ keepPlace: true });
    }
  });

  document.addEventListener("click", (evt) => {
    const target = evt.target.closest ? evt.target : evt.target.parentElement;
    const close = target.closest("[data-close]");
    const home = target.closest("[data-start-again]");
    const chip = target.closest("[data-era]");
    const language = target.closest("[data-language]");
    const skip = target.closest(".skip-link");
    if (skip) {
      // Straight to the page's content or its controls, without a history entry.
      evt.preventDefault();
      const destination = document.getElementById(skip.getAttribute("href").slice(1));
      if (destination) destination.focus();
    } else if (language) {
      // Another language: the same page in it (the visitor's reading settings are kept), no history added.
      evt.preventDefault();
      if (!language.hasAttribute("aria-current")) analytics.record("language", { subject: language.dataset.language });
      location.replace(language.getAttribute("href"));
    } else if (close) {
      evt.preventDefault();
      if (layerOpen()) closeEvent();
      else location.replace(close.getAttribute("href"));
    } else if (home) {
      evt.preventDefault();
      analytics.record("start-again");
      goHome(smooth()).then(() => applyPendingUpdate({ keepPlace: false }));
    } else if (chip && track) {
      evt.preventDefault();   // a same-page link would add a history entry
      const chapter = document.getElementById(chip.dataset.era);
      if (!chapter) return;
      analytics.record("era", { subject: chip.dataset.era });
      chosenYear = null;
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
      step(evt.key === "ArrowRight" ? "next" : "prev");
    } else if (track && !layerOpen() && (evt.key === "ArrowRight" || evt.key === "ArrowLeft")) {
      if (evt.target.closest && evt.target.closest("[role=slider], .dock__eras, input, textarea")) return;
      evt.preventDefault();
      const distance = Math.round(track.clientWidth * 0.6) * (evt.key === "ArrowRight" ? 1 : -1);
      chosenYear = null;
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
  const eraRow = document.querySelector(".dock__eras");

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

  /* The current era's chip, kept in view in its row (which scrolls when the chips do not all fit), and
     the row's edges marked where more chips lie beyond them. */
  function showChip(current) {
    for (const chip of chips) {
      if (chip === current) chip.setAttribute("aria-current", "true");
      else chip.removeAttribute("aria-current");
    }
    if (!eraRow) return;
    if (current) {
      const row = eraRow.getBoundingClientRect();
      const box = current.getBoundingClientRect();
      if (box.left < row.left) eraRow.scrollLeft -= row.left - box.left + 16;
      else if (box.right > row.right) eraRow.scrollLeft += box.right - row.right + 16;
    }
    showRowEdges();
  }

  function showRowEdges() {
    const more = eraRow.scrollWidth - eraRow.clientWidth;
    eraRow.classList.toggle("has-more-before", more > 1 && eraRow.scrollLeft > 1);
    eraRow.classList.toggle("has-more-after", more > 1 && eraRow.scrollLeft < more - 1);
  }
  if (eraRow) eraRow.addEventListener("scroll", showRowEdges, { passive: true });

  function showPlace() {
    const slot = firstVisibleSlot();
    if (!slot) return;
    const chapter = slot.closest(".chapter");
    showChip(chips.find((chip) => chapter && chip.dataset.era === chapter.id));
    if (!scrubbing && chosenYear === null) showYear(Number(slot.dataset.year));
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
    track.addEventListener(type, () => {
      pendingJump = null;
      chosenYear = null;
    }, { passive: true });
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
      chosenYear = year;
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
      analytics.record("scrub", { subject: rail.getAttribute("aria-valuenow") });
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
      chosenYear = year;
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
    // Reloading onto new content (live.js): come back to the same place.
    K.on("keep-place", () => K.remember("place", { left: track.scrollLeft }));
  }
  showPlace();
}
