/* The kiosk's behaviour on top of plain links: events open over the timeline without a page load,
   the address follows, and Back returns to the same place on the timeline. */
(function () {
  "use strict";

  const layer = () => document.getElementById("event-layer");
  const onTimeline = () => document.body.classList.contains("page-timeline");
  let openedFromTimeline = false;   // true when Back should simply close the layer
  let returnFocusTo = null;
  let pendingHistory = null;        // "push", "replace" or null (a load caused by Back/Forward)

  function eventPath(path) {
    return /^\/events\/[^/]+$/.test(path);
  }

  function openLayer() {
    const el = layer();
    el.hidden = false;
    document.documentElement.classList.add("has-layer");
    const heading = el.querySelector("#event-title");
    if (heading) heading.focus({ preventScroll: true });
    const text = el.querySelector(".event__text");
    if (text) text.scrollTop = 0;
  }

  function closeLayer() {
    const el = layer();
    if (!el || el.hidden) return;
    el.hidden = true;
    el.replaceChildren();
    document.documentElement.classList.remove("has-layer");
    if (returnFocusTo && document.contains(returnFocusTo)) returnFocusTo.focus({ preventScroll: true });
  }

  function showEvent(path, historyMode) {
    pendingHistory = historyMode;
    htmx.ajax("GET", path, { target: "#event-layer", swap: "innerHTML show:none" });
  }

  document.addEventListener("htmx:beforeRequest", (evt) => {
    const source = evt.detail.elt;
    if (evt.detail.target !== layer()) return;
    if (onTimeline() && source && source.classList && source.classList.contains("card")) {
      returnFocusTo = source;
      pendingHistory = "push";
    } else if (source && source.hasAttribute && source.hasAttribute("data-step")) {
      pendingHistory = "replace";
    }
  });

  document.addEventListener("htmx:afterSwap", (evt) => {
    if (evt.detail.target !== layer()) return;
    const path = evt.detail.pathInfo.requestPath;
    if (pendingHistory === "push") {
      history.pushState({ kiosk: "event" }, "", path);
      openedFromTimeline = true;
    } else if (pendingHistory === "replace") {
      history.replaceState({ kiosk: "event" }, "", path);
    }
    pendingHistory = null;
    const heading = layer().querySelector("#event-title");
    if (heading) document.title = heading.textContent.trim();
    openLayer();
  });

  // Back and Forward: close the layer, or show the event the address names.
  window.addEventListener("popstate", () => {
    if (!onTimeline()) return;
    if (eventPath(location.pathname)) {
      showEvent(location.pathname, null);
    } else {
      openedFromTimeline = false;
      closeLayer();
    }
  });

  // "Back to the timeline": undo the push, so the history never grows as visitors explore.
  document.addEventListener("click", (evt) => {
    const close = evt.target.closest && evt.target.closest("[data-close]");
    if (!close || !onTimeline() || layer().hidden) return;
    evt.preventDefault();
    if (openedFromTimeline) {
      history.back();
    } else {
      history.replaceState(null, "", "/");
      closeLayer();
    }
  });

  document.addEventListener("keydown", (evt) => {
    if (evt.key === "Escape" && onTimeline() && !layer().hidden) {
      evt.preventDefault();
      layer().querySelector("[data-close]").click();
    }
  });
})();
