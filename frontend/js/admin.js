/* The back office's small behaviours on top of forms that work without JavaScript:
   the inline check knows which fields the curator has touched, messages keep aria-invalid in step,
   an image that is too large is refused before a long upload, and the error summary gets focus.
   Bundled and minified like the kiosk's scripts (frontend/build.mjs). */
"use strict";

const touchedByForm = new WeakMap();

function touched(form) {
  if (!touchedByForm.has(form)) {
    // Fields already showing a message count as touched, so fixing them clears the message.
    const names = new Set();
    form.querySelectorAll(".field__error").forEach((slot) => {
      if (slot.textContent.trim()) names.add(slot.id.replace(/-error$/, ""));
    });
    touchedByForm.set(form, names);
  }
  return touchedByForm.get(form);
}

function fieldName(input) {
  // Radio buttons are named after their group; every other control's id is its name.
  return input.type === "radio" ? input.name : input.id;
}

function noteTouched(evt) {
  const input = evt.target;
  if (!input.form || !input.closest("[data-check]")) return;
  const names = touched(input.form);
  // A file input's own message comes from the page (size) or the save; the server never sees the file here.
  if (!input.hasAttribute("data-no-check")) names.add(fieldName(input));
  (input.dataset.alsoCheck || "").split(" ").filter(Boolean).forEach((name) => names.add(name));
}
document.addEventListener("input", noteTouched, true);
document.addEventListener("change", noteTouched, true);

document.addEventListener("htmx:configRequest", (evt) => {
  const checker = evt.detail.elt;
  if (!checker.matches || !checker.matches("[data-check]")) return;
  const form = checker.closest("form");
  evt.detail.parameters.touched = Array.from(touched(form)).join(",");
  const file = form.querySelector("input[type=file]");
  if (file && file.files && file.files.length) evt.detail.parameters.image_chosen = "1";
  const summary = document.getElementById("error-summary");
  if (summary && !summary.hidden) evt.detail.parameters.error_summary = "1";
});

function markField(slot) {
  const id = slot.id.replace(/-error$/, "");
  const wrapper = document.getElementById("field-" + id);
  const invalid = slot.textContent.trim() !== "";
  const control = document.getElementById(id);
  if (control && control.type !== "radio") control.setAttribute("aria-invalid", invalid ? "true" : "false");
  if (wrapper) wrapper.classList.toggle("field--invalid", invalid);
}

document.addEventListener("htmx:oobAfterSwap", (evt) => {
  const slot = evt.detail.target;
  if (slot && slot.classList && slot.classList.contains("field__error")) markField(slot);
});

// A file larger than the limit would fail after a long upload and lose the form: refuse it here.
document.addEventListener("change", (evt) => {
  const input = evt.target;
  if (input.type !== "file" || !input.dataset.maxBytes) return;
  const slot = document.getElementById(input.id + "-error");
  const tooLarge = Array.from(input.files || []).some((file) => file.size > Number(input.dataset.maxBytes));
  if (tooLarge) input.value = "";
  if (slot) {
    slot.textContent = tooLarge ? input.dataset.tooLarge : "";
    markField(slot);
  }
}, true);  // before htmx hears the change, so a refused file is never reported as chosen

function alertAtTop(id, text) {
  let notice = document.getElementById(id);
  if (!notice) {
    notice = document.createElement("p");
    notice.id = id;
    notice.className = "flash flash--error";
    notice.setAttribute("role", "alert");
    document.getElementById("main").prepend(notice);
  }
  notice.textContent = text;
}

// Signed out while typing (a long pause, or signed out elsewhere), or the server could not answer (the
// database busy, a full disk, a fault): keep the page, with everything typed, and say so plainly.
document.addEventListener("htmx:responseError", (evt) => {
  const { status, responseText } = evt.detail.xhr;
  if (status === 401 && !document.getElementById("signed-out")) alertAtTop("signed-out", responseText);
  if (status >= 500) alertAtTop("request-failed", responseText);
});

document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary && !summary.hidden) summary.focus();
});

/* Picking a place already used fills in its coordinates and note (without JavaScript the server does
   the same when the coordinates are left empty). */
document.addEventListener("change", (evt) => {
  const input = evt.target;
  if (!input.list || input.id !== "place_name") return;
  const known = Array.from(input.list.options).find((option) => option.value === input.value.trim());
  if (!known) return;
  for (const [id, value] of [["place_lat", known.dataset.lat], ["place_lon", known.dataset.lon], ["place_note", known.dataset.note]]) {
    const field = document.getElementById(id);
    if (field && !field.value) field.value = value || "";
  }
});
