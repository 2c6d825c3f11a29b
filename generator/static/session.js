/* This tab's sign-in: the session and the draft key in sessionStorage (never a URL or
 * localStorage), where sign-in sends people and brings them back, and the API calls the
 * page scripts make. Sets window.dipformsSession. Plain script, no dependencies. */
(function () {
  "use strict";

  var configNode = document.getElementById("dipforms-config");
  var D = window.dipformsDrafts;
  if (!configNode || !D || !window.sessionStorage || !window.fetch) return;
  var config = JSON.parse(configNode.textContent);
  var PREFIX = "dipforms:";

  /* --- what this tab keeps (sessionStorage: the session, the draft key, outcomes) ------- */

  var tab = {
    get: function (key) {
      try { return JSON.parse(sessionStorage.getItem(PREFIX + key)); } catch (e) { return null; }
    },
    set: function (key, value) { sessionStorage.setItem(PREFIX + key, JSON.stringify(value)); },
    remove: function (key) { sessionStorage.removeItem(PREFIX + key); },
    clear: function () {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf(PREFIX) === 0) sessionStorage.removeItem(key);
      });
    }
  };

  /* The signed-in session, unless it ends within a minute. */
  function session() {
    var s = tab.get("session");
    return s && s.token && Date.parse(s.expires_at) > Date.now() + 60000 ? s : null;
  }

  function signInHref() {
    return config.signIn + "?next=" + encodeURIComponent(location.pathname + location.search + location.hash);
  }

  /* Where to go after signing in: a page of this site only, never another origin. */
  function nextAfterSignIn() {
    var next = new URLSearchParams(location.search).get("next");
    var url = next ? new URL(next, location.origin) : null;
    return url && url.origin === location.origin && url.pathname !== location.pathname
      ? url.pathname + url.search + url.hash : config.home;
  }

  function call(method, url, data, headers) {
    return fetch(url, {
      method: method, body: data === undefined ? undefined : JSON.stringify(data),
      headers: Object.assign(data === undefined ? {} : { "Content-Type": "application/json" }, headers)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    });
  }

  function bearer(s) { return { "Authorization": "Bearer " + s.token }; }

  /* Fetch this user's draft key into the tab (after sign-in, or on a page reached signed in
   * through the hosted UI). Resolves true when the tab holds one. */
  function ensureDraftKey() {
    var s = session();
    if (!s) return Promise.resolve(false);
    if (D.held()) return Promise.resolve(true);
    return call("GET", "/v1/draft-key", undefined, bearer(s)).then(function (answer) {
      if (answer.status !== 200 || !answer.body.key) return false;
      D.remember({ key: answer.body.key, key_id: answer.body.key_id });
      return true;
    }, function () { return false; });
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  /* What a page that reads a record or a case shows when the read fails: `show(name)` picks
   * the page's message (forbidden, not-found, failed); a lapsed session signs in again. */
  function readFailed(status, show, signInAgain) {
    if (status === 401) {
      tab.remove("session");
      signInAgain();
    } else if (status === 403) {
      show("forbidden");
    } else if (status === 404 || status === 400) {
      show("not-found");
    } else {
      show("failed");
    }
  }

  window.dipformsSession = { tab: tab, session: session, signInHref: signInHref,
                             nextAfterSignIn: nextAfterSignIn, call: call, bearer: bearer,
                             ensureDraftKey: ensureDraftKey, fill: fill,
                             readFailed: readFailed };
})();
