/* Registers the service worker (/sw.js, made by generator/render/offline.py), which keeps this
 * site's pages and assets on the device so that forms open with no connection. It registers
 * once the page has loaded, so the worker's first download never delays the form.
 * Plain script, no dependencies; without service workers the site works as before. */
(function () {
  "use strict";

  if (!("serviceWorker" in navigator)) return;

  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      // not allowed here (a plain-HTTP address other than this machine): online only
    });
  }

  if (document.readyState === "complete") register();
  else window.addEventListener("load", register);
})();
