// The front-end build (make assets, make setup): esbuild bundles each entry point with the modules it
// imports and minifies it into static/build/ (git-ignored); kiosk/web/assets.py then gives every built
// file its hashed, compressed copies. The visitor addresses the scripts import come from the server
// (frontend/generated/addresses.json, written by `python -m kiosk.timeline.addresses` first).
// `node frontend/build.mjs OUTDIR [METAFILE]` builds elsewhere, and writes esbuild's account of every
// module and its imports to METAFILE (tests/test_frontend_build.py uses both).
import { writeFile } from "node:fs/promises";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export const ENTRY_POINTS = [
  "js/kiosk.js", "js/analytics.js", "js/places.js",   // the kiosk's pages
  "js/audio.js", "css/audio.css",                      // audio mode, loaded when a visitor starts it
  "js/sw.js",                                          // its service worker (served at /sw.js)
  "js/admin.js",                                       // the curators' pages
  "css/kiosk.css", "css/places.css",
];

const [outdir = "static/build", metafile] = process.argv.slice(2);
const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRY_POINTS.map((entry) => `frontend/${entry}`),
  outbase: "frontend",
  outdir,
  bundle: true,
  minify: true,
  target: ["chrome100"],   // the kiosk's browser, and the oldest a museum is likely to keep
  metafile: Boolean(metafile),
  logLevel: "warning",
});
if (metafile) await writeFile(metafile, JSON.stringify(result.metafile));
