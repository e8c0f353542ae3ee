/* The kiosk's service worker: it keeps the timeline (with the runs of events a long one loads as the
   visitor reaches them), every published event and place (as a page and as the fragment htmx asks
   for) and their images, so that a reload while the server is down still shows them. Pages come from the network
   when it answers (so a publish shows at once) and from the cache when it does not. Built with the other
   scripts (frontend/build.mjs) and served at /sw.js, registered as /sw.js?v=<kiosk version>: a publish
   or an upgrade installs a fresh copy and the old one is thrown away. Which addresses it looks after, and
   where a page carries its fragment, the server declares (addresses.js). */
import { FRAGMENT, hasFragment, isUnchanging, isVisitorFile, isVisitorPage, languagePrefix } from "./addresses.js";

const VERSION = new URL(self.location.href).searchParams.get("v") || "0";
const PREFIX = "kiosk-";
const CACHE = PREFIX + VERSION;
const NETWORK_PATIENCE = 4000;   // ms to wait for the server before answering from the cache

/* The Cache API would keep only one of the two shapes of an event URL (Vary: HX-Request), so the
   fragment is stored under a key of its own. */
function cacheKey(request) {
  const url = new URL(request.url);
  if (request.headers.get("HX-Request") === "true") url.searchParams.set("__fragment", "1");
  return url.href;
}

const asFragment = (url) => new Request(url, { headers: { "HX-Request": "true" } });
const carriesFragment = (request) =>
  hasFragment(new URL(request.url).pathname) && request.headers.get("HX-Request") !== "true";

/* An event's or a place's page carries, between the server's marks, the very fragment htmx gets from
   the same address (templates/timeline/event.html, places.html): kept as it is, so the offline copy
   asks for each address once. */
function fragmentOf(page) {
  const start = page.indexOf(FRAGMENT.start);
  const end = start < 0 ? -1 : page.indexOf(FRAGMENT.end, start);
  return end < 0 ? null : page.slice(start + FRAGMENT.start.length, end);
}

async function keep(cache, request) {
  const response = await fetch(request);
  if (!response.ok) throw new Error(`${request.url} answered ${response.status}`);
  if (carriesFragment(request)) {
    const fragment = fragmentOf(await response.clone().text());
    if (!fragment) throw new Error(`${request.url} has no marked fragment`);
    const headers = { "Content-Type": response.headers.get("Content-Type") || "text/html; charset=utf-8" };
    await cache.put(cacheKey(asFragment(request.url)), new Response(fragment, { headers }));
  }
  await cache.put(cacheKey(request), response);
}

/* What the copy before this one kept for a request that failed now (a missing image, a server that
   stumbled): better the last good answer than none. */
async function keepPrevious(cache, request) {
  const requests = carriesFragment(request) ? [request, asFragment(request.url)] : [request];
  let kept = true;
  for (const each of requests) {
    const saved = await caches.match(cacheKey(each), { ignoreVary: true });
    if (saved) await cache.put(cacheKey(each), saved);
    kept = kept && Boolean(saved);
  }
  return kept;
}

/* A few requests at a time: after a publish every kiosk fills its copy, and the server has other work.
   One failing request never stops the rest; the failures are returned. */
async function keepAll(cache, requests, atOnce = 4) {
  const queue = [...requests];
  const failed = [];
  const worker = async () => {
    while (queue.length) {
      const request = queue.shift();
      try {
        await keep(cache, request);
      } catch (error) {
        if (!(await keepPrevious(cache, request))) failed.push(request.url);
      }
    }
  };
  await Promise.all(Array.from({ length: atOnce }, worker));
  return failed;
}

/* Tell the open kiosk pages (and the console) what could not be kept, so it is never silent. */
async function report(failed) {
  if (!failed.length) return;
  console.warn(`Kept the kiosk for offline use without ${failed.length} address(es):`, failed);
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) {
    client.postMessage({ type: "offline-incomplete", failed });
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const manifest = await (await fetch("/offline.json", { cache: "no-store" })).json();
    const cache = await caches.open(CACHE);
    const fresh = (url, headers = {}) => new Request(url, { cache: "no-cache", headers });
    // Without the timeline and its styles and scripts there is no copy worth having: then the install
    // fails and the previous copy stays in charge. Anything else missing is reported, not fatal.
    await Promise.all(manifest.shell.map((url) => keep(cache, fresh(url))));
    const failed = await keepAll(cache, [
      ...manifest.pages.map((url) => fresh(url)),   // and their fragments, cut from them (see keep)
      ...manifest.fragments.map((url) => fresh(url, { "HX-Request": "true" })),
      ...manifest.media.map((url) => new Request(url)),
    ]);
    await report(failed);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/* A server that does not answer (a pulled cable rather than a stopped server) must not leave the
   visitor waiting for TCP to give up. (A navigation request cannot be given an abort signal.) */
function fromNetwork(request) {
  let timer = 0;
  const patience = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error("the server is taking too long")), NETWORK_PATIENCE);
  });
  return Promise.race([fetch(request), patience]).finally(() => clearTimeout(timer));
}

/* The page gets the server's answer at once; keeping a copy of it finishes in the background
   (waitUntil keeps the worker alive for it), off the visitor's tap. */
async function networkFirst(request, keepInBackground) {
  const cache = await caches.open(CACHE);
  let failure = null;
  let unwell = null;   // a server that answers but cannot serve (its database unavailable)
  try {
    const response = await fromNetwork(request);
    if (response.status < 500) {
      if (response.ok) keepInBackground(cache.put(cacheKey(request), response.clone()));
      return response;
    }
    unwell = response;
  } catch (error) {
    failure = error;
  }
  const saved = await cache.match(cacheKey(request), { ignoreVary: true });
  if (saved) return saved;
  // An address we never kept (an event published while the server was away): show the timeline,
  // in the same language.
  if (request.mode === "navigate") {
    const prefix = languagePrefix(new URL(request.url).pathname);
    const timeline = await cache.match(new URL(prefix + "/", self.location.origin).href, { ignoreVary: true });
    if (timeline) return timeline;
  }
  if (unwell) return unwell;   // the server's own page that says so
  throw failure;
}

/* Images, spoken clips and the hashed static files never change under the same name: the cache first.
   (Audio asks for byte ranges: a part of a file, 206, is passed on and not kept; the whole file is.) */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const saved = await cache.match(cacheKey(request), { ignoreVary: true });
  if (saved) return saved;
  const response = await fetch(request);
  if (response.status === 200) await cache.put(cacheKey(request), response.clone());
  return response;
}

/* Audio mode, once a visitor starts it, asks for its manifest, its script and every clip it may say to
   be kept too (frontend/js/audio.js): not at install, so kiosks nobody listens to keep none of it. */
self.addEventListener("message", (event) => {
  const { data } = event;
  if (!data || data.type !== "keep" || !Array.isArray(data.urls)) return;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const missing = [];
    for (const url of data.urls) {
      const address = new URL(url, self.location.origin);
      if (address.origin !== self.location.origin) continue;
      if (!isVisitorPage(address.pathname) && !isVisitorFile(address.pathname)) continue;
      if (!(await cache.match(cacheKey(new Request(address.href)), { ignoreVary: true }))) missing.push(new Request(address.href));
    }
    await report(await keepAll(cache, missing));
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!isVisitorPage(url.pathname) && !isVisitorFile(url.pathname)) return;   // admin, /version, /sw.js: untouched
  const keepInBackground = (saving) => event.waitUntil(saving.catch((error) => console.warn("Not kept:", request.url, error)));
  event.respondWith(isUnchanging(url.pathname) ? cacheFirst(request) : networkFirst(request, keepInBackground));
});
