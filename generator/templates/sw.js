/* dipforms service worker, served at /sw.js (scope /). Made at build time by
 * generator/render/offline.py from generator/templates/sw.js: VERSION is a digest of every file
 * of the site, so any change to the site gives the browser a new worker and a new cache.
 *
 * install   put every file of the site but this one and the print pages into the cache
 *           "dipforms-<VERSION>", a batch at a time; a page that cannot be fetched does not
 *           stop the install (the copy an older version kept is used instead, if any).
 * activate  delete the older dipforms caches, and control the open pages at once.
 * fetch     pages, /assets/ and the other files kept (the JSON the page scripts read):
 *           the cached copy at once, refreshed from the network in the background
 *           (stale-while-revalidate); not cached: the network; no connection: the offline
 *           page in the page's language. The API (/v1/) and anything but GET are never
 *           touched. */
"use strict";

const VERSION = {{ version | tojson }};
const PRECACHE = {{ precache | tojson }};
const KEPT = new Set(PRECACHE);
/* The offline page by language: {"en": "/offline.html", "cy": "/cy/offline.html"}. */
const OFFLINE = {{ offline | tojson }};
const PREFIX = "dipforms-";
const CACHE = PREFIX + VERSION;
const BATCH = 10;
/* A copy is refreshed at most once a minute: moving through a form's pages does not ask
 * the server about the same stylesheet and scripts on every page. */
const REFRESH_MS = 60 * 1000;
const refreshed = new Map();

/* The cache key of a URL of this site: its path, without the query; a directory's key is
 * its index.html, as the server answers (`/forms/mg14/` -> `/forms/mg14/index.html`). */
function keyOf(url) {
  const path = new URL(url, self.location.href).pathname;
  return path.endsWith("/") ? path + "index.html" : path;
}

/* A request that asks the server whether its copy is current (a 304 costs only headers). */
function fresh(key) {
  return new Request(key, { cache: "no-cache", credentials: "same-origin" });
}

/* Keep a whole, direct, same-origin 200 answer; never an error, a redirect or a part. */
async function keep(cache, key, response) {
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) {
    return false;
  }
  await cache.put(key, response);
  return true;
}

async function addOne(cache, key) {
  try {
    if (await keep(cache, key, await fetch(fresh(key)))) return;
  } catch (error) {
    // no connection, or the server failed: fall back to an older copy below
  }
  const older = await caches.match(key, { ignoreVary: true });
  if (older) await cache.put(key, older);
}

async function precache() {
  const cache = await caches.open(CACHE);
  for (let i = 0; i < PRECACHE.length; i += BATCH) {
    const batch = PRECACHE.slice(i, i + BATCH);
    try {
      await cache.addAll(batch.map(fresh));
    } catch (error) {
      await Promise.all(batch.map((key) => addOne(cache, key)));
    }
  }
}

async function revalidate(cache, key) {
  const now = Date.now();
  if (now - (refreshed.get(key) || 0) < REFRESH_MS) return;
  refreshed.set(key, now);
  try {
    await keep(cache, key, await fetch(fresh(key)));
  } catch (error) {
    // no connection: the cached copy stays
  }
}

function offlinePage(key) {
  const lang = key.split("/")[1];
  return OFFLINE[lang] || OFFLINE.en;
}

async function respond(event, key, navigation) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key, { ignoreVary: true });
  if (cached) {
    event.waitUntil(revalidate(cache, key));
    return cached;
  }
  try {
    const response = await fetch(event.request);
    event.waitUntil(keep(cache, key, response.clone()));
    return response;
  } catch (error) {
    const page = navigation && offlinePage(key);
    const offline = page && await cache.match(page, { ignoreVary: true });
    return offline || Response.error();
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/v1/")) return;   // the API: always the network, never a copy
  const navigation = request.mode === "navigate";
  const key = keyOf(url);
  if (!navigation && !url.pathname.startsWith("/assets/") && !KEPT.has(key)) return;
  event.respondWith(respond(event, key, navigation));
});
