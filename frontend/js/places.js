/* The Places view's behaviour of its own: the chosen place stands out on the map as soon as it is
   tapped (its events arrive by htmx beside it), and the kiosk's measurement of use hears which places
   visitors open. Everything else there is links and htmx. */
"use strict";

function markChosen(key) {
  for (const marker of document.querySelectorAll("[data-place-marker]")) {
    marker.classList.toggle("marker--chosen", marker.dataset.placeMarker === key);
  }
}

document.addEventListener("click", (evt) => {
  const place = evt.target.closest("[data-place-marker], [data-place]");
  if (!place) return;
  const key = place.dataset.placeMarker || place.dataset.place;
  markChosen(key);
  // Measuring use: a no-op until Kiosk.analytics exists.
  window.Kiosk?.analytics?.record?.("place", { subject: key });
});
