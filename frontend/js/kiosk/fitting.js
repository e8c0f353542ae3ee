/* Fitting: every card's text in its card, in every language and with Larger text */

import { K } from "./core.js";

/* A card's summary shrinks to the room its card has left (kiosk.css); here it is cut to the whole lines
   that fit, with an ellipsis, so no line is ever cut in half and the labels below it always show. (CSS
   alone cannot clamp to "as many lines as fit".) All cards are measured in one pass, then all are set, so
   a screenful costs two layouts, not two per card. */
function fitCards(root) {
  const summaries = Array.from(root.querySelectorAll(".card .card__summary"));
  for (const summary of summaries) {
    summary.style.removeProperty("display");
    summary.style.removeProperty("-webkit-line-clamp");
  }
  const lines = summaries.map((summary) => {
    const lineHeight = parseFloat(getComputedStyle(summary).lineHeight);
    return Math.floor((summary.clientHeight + 1) / lineHeight);
  });
  summaries.forEach((summary, index) => {
    summary.style.setProperty("-webkit-line-clamp", String(Math.max(lines[index], 1)));
    if (lines[index] === 0) summary.style.display = "none";   // no room for even one line
  });
}

export function start() {
  const track = document.getElementById("track");
  if (!track) return;
  const fit = () => fitCards(track);
  let frame = 0;
  const fitSoon = () => {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      fit();
    });
  };
  fit();
  window.addEventListener("resize", fitSoon);
  document.fonts.ready.then(fitSoon);
  // New runs of events (a long timeline), and Larger text.
  track.addEventListener("htmx:afterSettle", fitSoon);
  K.on("preferences", fitSoon);
}
