/* Visitor addresses as the server routes them, and the marks around the fragment a page carries: the
   server declares both once (kiosk/timeline/addresses.py) and writes them for the scripts into
   frontend/generated/addresses.json before this build (make does). Each script bundles only what it
   uses: the kiosk's navigation an event's address, the service worker the rest. */
import { event, file, fragmentEnd, fragmentStart, language, page, unchanging, withFragment } from "../generated/addresses.json";

const matcher = (source) => {
  const expression = new RegExp(source);
  return (path) => expression.test(path);
};

/** An event's page, in any language. */
export const isEventPage = /* @__PURE__ */ matcher(event);
/** A visitor page, in any language (the timeline, an event, a run of an era, the places, a place). */
export const isVisitorPage = /* @__PURE__ */ matcher(page);
/** What visitor pages load besides: the era colours, images, static files. */
export const isVisitorFile = /* @__PURE__ */ matcher(file);
/** Never different under the same address: images and the hashed static files. */
export const isUnchanging = /* @__PURE__ */ matcher(unchanging);
/** A page that also carries the fragment htmx gets from its address, between FRAGMENT's marks. */
export const hasFragment = /* @__PURE__ */ matcher(withFragment);
export const FRAGMENT = { start: fragmentStart, end: fragmentEnd };

/** The language part of a visitor address ("/ru" of "/ru/events/x"), or "" for the default language's. */
export function languagePrefix(path) {
  const named = new RegExp(language).exec(path);
  return named ? "/" + named[1] : "";
}
