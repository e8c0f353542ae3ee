// The kiosk's front-end build (make assets, make setup): esbuild bundles each entry point with the
// modules it imports and minifies it into static/build/ (git-ignored); kiosk/web/assets.py then gives
// every built file its hashed, compressed copies. `node frontend/build.mjs OUTDIR` builds elsewhere
// (tests/test_frontend_build.py compares that with what the page loads).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export const ENTRY_POINTS = ["js/kiosk.js", "js/analytics.js", "js/places.js", "css/kiosk.css", "css/places.css"];

await build({
  absWorkingDir: root,
  entryPoints: ENTRY_POINTS.map((entry) => `frontend/${entry}`),
  outbase: "frontend",
  outdir: process.argv[2] || "static/build",
  bundle: true,
  minify: true,
  target: ["chrome100"],   // the kiosk's browser, and the oldest a museum is likely to keep
  logLevel: "warning",
});
