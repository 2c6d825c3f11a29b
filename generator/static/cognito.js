/* Signing in through the Cognito hosted UI: the authorisation code grant with PKCE (RFC 7636)
 * for a public app client (no secret). Loaded only on sites built with DIPFORMS_AUTH=cognito.
 *
 * The sign-in page's button makes a code verifier, its S256 challenge and a random state,
 * keeps them in this tab's sessionStorage and goes to <domain>/oauth2/authorize. The hosted
 * UI sends the browser back to signed-in.html with a code; this script takes the code out of
 * the address bar at once, checks the state, swaps the code and the verifier for tokens at
 * <domain>/oauth2/token (a POST: nothing secret in a URL), keeps the ID token in
 * sessionStorage as `dipforms:session` exactly as the local sign-in keeps its token, and goes
 * on to the page that asked for sign-in. Signing out forgets everything `dipforms:*` in the
 * tab and ends the hosted UI's session at <domain>/logout.
 *
 * Plain script, no dependencies. window.dipformsCognito = {signIn(next), signOut()}. */
(function () {
  "use strict";

  var node = document.getElementById("dipforms-config");
  if (!node) return;
  var config = JSON.parse(node.textContent);
  var C = config.cognito;
  if (config.auth !== "cognito" || !C || !window.crypto || !crypto.subtle ||
      !window.sessionStorage || !window.fetch) return;
  var PREFIX = "dipforms:";
  var FLOW = PREFIX + "cognito";     // the sign-in under way: verifier, state, where next
  // The roles a user's Cognito groups may name: chalicelib/domain/access.py ROLES (a test keeps
  // the two lists equal). The API decides; this only labels the session.
  var ROLES = ["police", "cps", "cjit", "probation", "carat", "dat_admin"];
  var busy = false;

  function base64url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function random(bytes) { return base64url(crypto.getRandomValues(new Uint8Array(bytes))); }

  function challengeOf(verifier) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))
      .then(function (digest) { return base64url(new Uint8Array(digest)); });
  }

  /* A page of this site to go to after signing in, with its query (a record page's ?id=);
   * never another origin, never these pages. */
  function safeNext(next) {
    var url;
    try { url = next ? new URL(next, location.origin) : null; } catch (e) { url = null; }
    return url && url.origin === location.origin && url.pathname !== config.signIn &&
      url.pathname !== C.callback ? url.pathname + url.search + url.hash : config.home;
  }

  /* Off to the hosted UI. `next`: the page to come back to (default: this page's ?next=). */
  function signIn(next) {
    if (busy) return Promise.resolve();
    busy = true;
    var verifier = random(64);    // 86 characters of [A-Za-z0-9_-]: RFC 7636 asks 43 to 128
    var state = random(16);
    var redirect = location.origin + C.callback;
    return challengeOf(verifier).then(function (challenge) {
      sessionStorage.setItem(FLOW, JSON.stringify({
        verifier: verifier, state: state, redirect: redirect,
        next: safeNext(next === undefined ? new URLSearchParams(location.search).get("next") : next)
      }));
      location.assign(C.domain + "/oauth2/authorize?" + new URLSearchParams({
        response_type: "code", client_id: C.clientId, redirect_uri: redirect, scope: "openid",
        state: state, code_challenge: challenge, code_challenge_method: "S256"
      }));
    }, function () { busy = false; });
  }

  /* Forget this tab's session, draft key and everything else ours; end the hosted UI's
   * session, which then sends the browser to this site's front page. */
  function signOut() {
    forgetHint();
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) sessionStorage.removeItem(key);
    });
    location.assign(C.domain + "/logout?" + new URLSearchParams({
      client_id: C.clientId, logout_uri: location.origin + config.home
    }));
  }

  /* Whether this browser signed in through the hosted UI and has not signed out since: then
   * a tab without a session goes through the hosted UI at once, whose own session signs it
   * in without typing (docs/auth.md). A mark, not a token: nothing in it signs anyone in. */
  var HINT = PREFIX + "cognito-signed-in";
  function hinted() { try { return localStorage.getItem(HINT) === "1"; } catch (e) { return false; } }
  function keepHint() { try { localStorage.setItem(HINT, "1"); } catch (e) { /* private mode */ } }
  function forgetHint() { try { localStorage.removeItem(HINT); } catch (e) { /* private mode */ } }

  /* The claims of a JWT, unverified: only to label the session; the API verifies the token. */
  function claimsOf(jwt) {
    try {
      var part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var binary = atob(part);
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) { return null; }
  }

  function sessionFrom(body) {
    var claims = body && typeof body.id_token === "string" ? claimsOf(body.id_token) : null;
    if (!claims || typeof claims.exp !== "number") return null;
    var roles = (claims["cognito:groups"] || []).filter(function (g) { return ROLES.indexOf(g) >= 0; });
    return {
      token: body.id_token,
      expires_at: new Date(claims.exp * 1000).toISOString(),
      user: { id: claims["cognito:username"] || claims.username || null,
              role: roles.length === 1 ? roles[0] : null, agency: claims["custom:agency"] || null }
    };
  }

  /* The callback page, when something went wrong: the reason, and a way to try again. */
  function fail(reason, flow) {
    forgetHint();   // the next try is a click on the button, never a loop
    var box = document.getElementById("dipforms-sign-in-error");
    var waiting = document.getElementById("dipforms-signing-in");
    if (waiting) waiting.hidden = true;
    if (!box) return;
    var shown = box.querySelector('[data-reason="' + reason + '"]');
    if (shown) shown.hidden = false;
    var again = document.getElementById("dipforms-sign-in-again");
    if (again && flow && flow.next) again.href = config.signIn + "?next=" + encodeURIComponent(flow.next);
    box.hidden = false;
    document.title = config.words.error + ": " + document.title;
    box.focus();
  }

  function callback() {
    var params = new URLSearchParams(location.search);
    history.replaceState(null, "", location.pathname);   // the code leaves the address bar now
    var flow = null;
    try { flow = JSON.parse(sessionStorage.getItem(FLOW)); } catch (e) { flow = null; }
    sessionStorage.removeItem(FLOW);                      // one use: a reload cannot replay it
    if (params.get("error")) return fail("stopped", flow);
    if (!flow || !flow.state || params.get("state") !== flow.state || !params.get("code")) {
      return fail("expired", flow);
    }
    fetch(C.domain + "/oauth2/token", {
      method: "POST", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code", client_id: C.clientId, code: params.get("code"),
        redirect_uri: flow.redirect, code_verifier: flow.verifier
      }).toString()
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      var session = sessionFrom(body);
      if (!session) return fail("unfinished", flow);
      sessionStorage.setItem(PREFIX + "session", JSON.stringify(session));
      keepHint();
      location.replace(flow.next || config.home);
    }, function () { fail("unfinished", flow); });
  }

  window.dipformsCognito = { signIn: signIn, signOut: signOut };
  window.addEventListener("pageshow", function () { busy = false; });   // back from the hosted UI

  var button = document.getElementById("dipforms-cognito-sign-in");
  if (button) button.addEventListener("click", function () { signIn(); });
  var signedOut = !sessionStorage.getItem(PREFIX + "session");
  if (button && hinted() && signedOut) signIn();
  else if (hinted() && signedOut && location.pathname !== C.callback) {
    signIn(location.pathname + location.search + location.hash);   // a new tab: through and back
  }
  if (location.pathname === C.callback) callback();
})();
