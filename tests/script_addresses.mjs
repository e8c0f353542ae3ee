// What the kiosk's scripts make of each path given (frontend/js/addresses.js, bundled by esbuild as the
// scripts bundle it): tests/test_script_addresses.py compares it with the server's routes.
import { build } from "esbuild";

const [root, pathsJson] = process.argv.slice(2);
const bundled = await build({
  absWorkingDir: root,
  stdin: { contents: 'export * from "./frontend/js/addresses.js";', resolveDir: root },
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "warning",
});
const addresses = await import("data:text/javascript;base64," + Buffer.from(bundled.outputFiles[0].contents).toString("base64"));
const verdicts = {};
for (const path of JSON.parse(pathsJson)) {
  verdicts[path] = {
    kept: addresses.isVisitorPage(path) || addresses.isVisitorFile(path),
    event: addresses.isEventPage(path),
    withFragment: addresses.hasFragment(path),
    unchanging: addresses.isUnchanging(path),
    language: addresses.languagePrefix(path),
  };
}
console.log(JSON.stringify({ verdicts, fragment: addresses.FRAGMENT }));
