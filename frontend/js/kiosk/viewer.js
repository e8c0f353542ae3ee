/* The photograph, full screen */

import { K, analytics } from "./core.js";

/* Pinch or double-tap to zoom, drag to look around, + and − buttons; a big button or Escape closes.
   The only place a visitor may zoom. */
export function start() {
  const viewer = document.getElementById("image-viewer");
  if (!viewer) return;

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
    analytics.record("photo");
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
}
