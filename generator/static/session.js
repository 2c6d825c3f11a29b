/* This tab's sign-in: the session and the draft key in sessionStorage (never a URL or
 * localStorage), where sign-in sends people and brings them back, and the API calls the
 * page scripts make. Sets window.dipformsSession. Plain script, no dependencies.
 *
 * Every tab of the browser (docs/auth.md): on one machine a tab without a session asks the
 * local server for the one its HttpOnly SameSite=Strict cookie holds (GET /session, which
 * no other site can read) and reloads signed in; signing out clears the cookie
 * (POST /session/end) and tells the other tabs (BroadcastChannel), which drop their copies.
 *
 * Orientation: once the signed-in user is known (GET /v1/session), the service navigation
 * shows the items the role may use and "Signed in as", and the front page puts the role's
 * forms first and offers Start only for forms the role may submit. */
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

  /* --- every tab of the browser --------------------------------------------------------- */

  var CHANNEL = "dipforms-session";
  var channel = window.BroadcastChannel ? new BroadcastChannel(CHANNEL) : null;

  /* The claims of a JWT, unverified: only its expiry, to know when to ask again. */
  function expiryOf(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var exp = JSON.parse(atob(part)).exp;
      return typeof exp === "number" ? new Date(exp * 1000).toISOString() : null;
    } catch (e) { return null; }
  }

  /* Who the session is (GET /v1/session): user {id, role, agency, agency_name} and forms
   * {submit, read}; kept in the tab with the session. Resolves null when not signed in. */
  function whoAmI() {
    var s = session();
    if (!s) return Promise.resolve(null);
    if (s.who) return Promise.resolve(s.who);
    return call("GET", "/v1/session", undefined, bearer(s)).then(function (answer) {
      if (answer.status === 401) { tab.remove("session"); return null; }
      if (answer.status !== 200 || !answer.body.user) return null;
      var kept = session();
      if (kept && kept.token === s.token) tab.set("session", Object.assign(kept, { who: answer.body }));
      return answer.body;
    }, function () { return null; });
  }

  /* A tab without a session takes up the browser's (one machine only): true when it did. */
  function restore() {
    if (session() || config.auth !== "local") return Promise.resolve(false);
    return fetch("/session", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      return response.status === 200 ? response.json() : null;
    }).then(function (body) {
      var expires = body && typeof body.token === "string" ? expiryOf(body.token) : null;
      if (!expires || Date.parse(expires) <= Date.now() + 60000) return false;
      var s = { token: body.token, expires_at: expires };
      return call("GET", "/v1/session", undefined, bearer(s)).then(function (answer) {
        if (answer.status !== 200 || !answer.body.user) return false;
        tab.set("session", { token: s.token, expires_at: expires, user: answer.body.user,
                             who: answer.body });
        return true;
      });
    }).catch(function () { return false; });
  }

  /* Sign out of every tab: this tab's copy, the browser's cookie, the other tabs' copies.
   * Resolves once the cookie is gone, so that no page can take the session up again. */
  function signOut() {
    tab.clear();   // the token and the draft key: the drafts stay, sealed
    try { localStorage.removeItem(PREFIX + "cognito-signed-in"); } catch (e) { /* none kept */ }
    // the other tabs hear only once the cookie is gone: told sooner, one reloading could
    // take the session up again from the cookie (restore) before it was cleared
    function tell() { if (channel) channel.postMessage("signed-out"); }
    if (config.auth !== "local") { tell(); return Promise.resolve(); }
    return fetch("/session/end", { method: "POST", credentials: "same-origin", cache: "no-store",
                                   headers: { "Content-Type": "application/json" }, body: "{}" })
      .catch(function () {}).then(tell);
  }

  if (channel) {
    channel.onmessage = function (event) {
      if (event.data !== "signed-out" || !tab.get("session")) return;
      tab.clear();
      location.reload();
    };
  }

  /* --- orientation: the navigation, "Signed in as", the front page ------------------------ */

  /* Every role but the DAT's administrator is a party to cases (chalicelib/contract/roles.py
   * ADMIN; generator/render/site.py navigation_for says the same for server pages). */
  var ADMIN = "dat_admin";
  function isParty(role) { return !!role && role !== ADMIN; }

  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }

  function showNavigation(who) {
    var role = who.user.role;
    var shown = { forms: true, cases: isParty(role), due: isParty(role), dashboard: role === ADMIN };
    all("[data-dipforms-nav]").forEach(function (item) {
      item.hidden = !shown[item.getAttribute("data-dipforms-nav")];
    });
    var as = document.getElementById("dipforms-signed-in-as");
    if (as) {
      as.textContent = fill(config.words.signed_in_as, { user: who.user.id, agency: who.user.agency_name });
      as.parentNode.hidden = false;
    }
  }

  /* The front page: the role's own forms (those its agency type fills in) first, then the
   * other forms it may submit, under "Your forms"; the rest under "Other forms", without a
   * Start link. The build's order is kept within each group. */
  function showStartPage(who) {
    var yours = document.getElementById("dipforms-your-forms");
    var others = document.getElementById("dipforms-other-forms");
    if (!yours || !others) return;
    var role = who.user.role, submit = who.forms.submit || [];
    var items = all("[data-dipforms-form]");
    var own = [], also = [], rest = [];
    items.forEach(function (item) {
      var form = item.getAttribute("data-dipforms-form");
      var owners = (item.getAttribute("data-owner-roles") || "").split(" ");
      if (submit.indexOf(form) < 0) rest.push(item);
      else (owners.indexOf(role) >= 0 ? own : also).push(item);
    });
    var yourList = yours.querySelector("ul"), otherList = others.querySelector("ul");
    own.concat(also).forEach(function (item) { yourList.appendChild(item); });
    rest.forEach(function (item) {
      var start = item.querySelector(".dipforms-start-link");
      if (start) start.parentNode.removeChild(start);
      otherList.appendChild(item);
    });
    yours.hidden = !own.length && !also.length;
    others.hidden = !rest.length;
    var heading = document.getElementById("dipforms-all-forms-heading");
    if (heading) heading.hidden = true;
    all("[data-dipforms-signed-out]").forEach(function (node) { node.hidden = true; });
    all("#dipforms-other-forms [data-dipforms-signed-in]").forEach(function (node) { node.hidden = false; });
    all("[data-dipforms-party]").forEach(function (node) {
      node.hidden = !isParty(role);
    });
  }

  function orient() {
    if (!session()) {
      restore().then(function (restored) {
        if (!restored) return;
        if (location.pathname === config.signIn) location.replace(nextAfterSignIn());
        else location.reload();
      });
      return;
    }
    whoAmI().then(function (who) {
      if (!who) return;
      showNavigation(who);
      showStartPage(who);
    });
  }

  window.dipformsSession = { tab: tab, session: session, signInHref: signInHref,
                             nextAfterSignIn: nextAfterSignIn, call: call, bearer: bearer,
                             ensureDraftKey: ensureDraftKey, fill: fill,
                             readFailed: readFailed, whoAmI: whoAmI, restore: restore,
                             signOut: signOut };
  orient();
})();
