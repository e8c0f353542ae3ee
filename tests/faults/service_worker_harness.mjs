// Runs the built service worker's install (frontend/js/sw.js) in Node with an in-memory Cache API and a scripted server, and prints
// what it kept and reported (tests/faults/test_service_worker.py drives it).
import { readFileSync } from "node:fs";
import vm from "node:vm";

const [, , swPath, scenarioJson] = process.argv;
const scenario = JSON.parse(scenarioJson);
const origin = "http://kiosk.test";
const keyOf = (request) => (typeof request === "string" ? new URL(request, origin).href : request.url);

class MemoryCache {
  constructor() { this.entries = new Map(); }
  async put(request, response) { this.entries.set(keyOf(request), response); }
  async match(request) { return this.entries.get(keyOf(request)); }
}
const stores = new Map();
const caches = {
  async open(name) {
    if (!stores.has(name)) stores.set(name, new MemoryCache());
    return stores.get(name);
  },
  async match(request) {
    for (const cache of stores.values()) {
      const found = await cache.match(request);
      if (found) return found;
    }
    return undefined;
  },
  async keys() { return [...stores.keys()]; },
  async delete(name) { return stores.delete(name); },
};
for (const [name, urls] of Object.entries(scenario.previous || {})) {
  const cache = await caches.open(name);
  for (const url of urls) await cache.put(url, new Response(`old ${url}`));
}

const asked = [];
async function fetch(request) {
  const url = new URL(keyOf(request));
  asked.push(url.href);
  if (url.pathname === "/offline.json") return new Response(JSON.stringify(scenario.manifest));
  if ((scenario.failing || []).includes(url.pathname)) return new Response("gone", { status: scenario.status || 404 });
  if (url.pathname.startsWith("/events/")) {
    // An event page as templates/timeline/event.html writes it: its view, then the fragment between the marks.
    const [start, end] = scenario.marks;
    const headline = (level) => `<h${level} class="event__headline" id="event-title">new ${url.pathname}</h${level}>`;
    return new Response(`<main><div id="event-layer">${headline(1)}</div>${start}${headline(2)}${end}</main>`);
  }
  return new Response(`new ${url.pathname}`);
}

class RelativeRequest extends Request {
  constructor(url, init) { super(typeof url === "string" ? new URL(url, origin) : url, init); }
}

const listeners = {};
const messages = [];
const warnings = [];
const self = {
  location: new URL(`${origin}/sw.js?v=${scenario.version}`),
  addEventListener: (type, listener) => { listeners[type] = listener; },
  skipWaiting: async () => {},
  clients: { matchAll: async () => [{ postMessage: (message) => messages.push(message) }], claim: async () => {} },
};
const context = vm.createContext({
  self, caches, fetch, Request: RelativeRequest, Response, URL, Promise, setTimeout, clearTimeout,
  console: { ...console, warn: (...args) => warnings.push(args.map(String).join(" ")) },
});
vm.runInContext(readFileSync(swPath, "utf8"), context, { filename: swPath });

let installing;
listeners.install({ waitUntil: (promise) => { installing = promise; } });
let installed = true;
let error = null;
try {
  await installing;
} catch (failure) {
  installed = false;
  error = String(failure);
}
const kept = {};
for (const [name, cache] of stores) {
  kept[name] = Object.fromEntries(
    await Promise.all([...cache.entries].map(async ([url, response]) => [url, await response.clone().text()])),
  );
}
console.log(JSON.stringify({ installed, error, kept, messages, warnings, asked }));
