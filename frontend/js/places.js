/* The Places view's one behaviour of its own: telling the kiosk's measurement of use which places visitors
   open. Everything else there is links and htmx. */
"use strict";

document.addEventListener("click", (evt) => {
  const place = evt.target.closest("[data-place-marker], [data-place]");
  if (!place) return;
  // Measuring use (issue 15): a no-op until Kiosk.analytics exists.
  window.Kiosk?.analytics?.record?.("place", { subject: place.dataset.placeMarker || place.dataset.place });
});
