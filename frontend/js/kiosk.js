/* The kiosk's behaviour on top of pages that work without it, one module per concern in kiosk/,
   bundled and minified by esbuild (frontend/build.mjs). The modules import one another in layers, never
   in a circle (tests/test_frontend_build.py): core (K: settings, helpers, the bus, the analytics calls,
   reading preferences) ← live ← navigation ← touch, idle ← measuring, speaking (which loads audio mode,
   js/audio.js, when a visitor starts it); viewer and fitting on core alone. A module calls
   the ones below it; what it has to tell one above it goes on the bus (K.emit, K.on). analytics.js,
   loaded later on its own, finds K as window.Kiosk. Each module's start() wires it to the page, in this
   order; pages outside the kiosk (the admin) have no kiosk-mode class and start none. */
import { start as core } from "./kiosk/core.js";
import { start as navigation } from "./kiosk/navigation.js";
import { start as fitting } from "./kiosk/fitting.js";
import { start as touch } from "./kiosk/touch.js";
import { start as viewer } from "./kiosk/viewer.js";
import { start as speaking } from "./kiosk/speaking.js";
import { start as idle } from "./kiosk/idle.js";
import { start as live } from "./kiosk/live.js";
import { start as measuring } from "./kiosk/measuring.js";

if (document.documentElement.classList.contains("kiosk-mode")) {
  for (const start of [core, fitting, navigation, touch, viewer, speaking, idle, live, measuring]) start();
}
