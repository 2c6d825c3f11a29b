/* What `dipforms serve` (the preview that rebuilds on every save) answers for /sw.js.
 *
 * The preview must show each save, or the build's diagnostics, on the next reload, never a
 * cached page. A browser that ran `dipforms run` (which serves the real worker) at the same
 * address still has that worker: this one replaces it, deletes the dipforms caches, and
 * unregisters itself, so the pages come from the preview server again. */
"use strict";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("dipforms-"))
      .map((name) => caches.delete(name)));
    await self.registration.unregister();
  })());
});
