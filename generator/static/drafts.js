/* What this device keeps between visits, encrypted: each form's draft answers, and the
 * submissions made offline that wait to be sent. Sets window.dipformsDrafts.
 *
 * Devices are shared (custody-suite PCs, team tablets), so nothing is kept in the clear:
 * every entry in localStorage is AES-GCM under the signed-in user's draft key, which the
 * API derives (GET /v1/draft-key) and this tab holds in sessionStorage until sign-out. The
 * key is never stored beside the drafts, so another person signing in on this browser gets
 * another key and cannot open them. Each ciphertext is bound to its slot (the form id or
 * the idempotency key) as additional data, so entries cannot be swapped.
 *
 * Entries: "dipforms-draft:<key id>:<form id>"  {v, iv, ct, saved_at, expires_at}
 *          "dipforms-queue:<key id>:<idempotency key>"  {v, iv, ct, form, queued_at, status}
 * Drafts expire (forms/protocol.yaml draft_expiry_hours); queued submissions are kept until
 * the API has them, so nothing typed is lost. Plain script, no dependencies. */
(function () {
  "use strict";

  var DRAFT = "dipforms-draft:", QUEUE = "dipforms-queue:";
  var KEY_SLOT = "dipforms:draftkey";
  var HOUR = 3600 * 1000;
  var encoder = new TextEncoder(), decoder = new TextDecoder();

  function b64(bytes) {
    var text = "";
    new Uint8Array(bytes).forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function unb64(text) {
    var plain = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(plain.length);
    for (var i = 0; i < plain.length; i++) out[i] = plain.charCodeAt(i);
    return out;
  }

  function read(name) {
    try { return JSON.parse(localStorage.getItem(name)); } catch (e) { return null; }
  }

  function names(prefix) {
    var out = [];
    for (var i = 0; i < localStorage.length; i++) {
      var name = localStorage.key(i);
      if (name && name.indexOf(prefix) === 0) out.push(name);
    }
    return out;
  }

  /* One user's sealed storage on this device. */
  function Vault(keyId, key) {
    this.keyId = keyId;
    this.key = key;
  }

  Vault.prototype.seal = function (slot, value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: encoder.encode(slot) },
      this.key, encoder.encode(JSON.stringify(value))).then(function (ct) {
      return { v: 1, iv: b64(iv), ct: b64(ct) };
    });
  };

  /* The value sealed in `entry`, or null when it is not ours or was tampered with. */
  Vault.prototype.open = function (slot, entry) {
    if (!entry || entry.v !== 1 || !entry.iv || !entry.ct) return Promise.resolve(null);
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(entry.iv), additionalData: encoder.encode(slot) },
      this.key, unb64(entry.ct)).then(function (plain) {
      return JSON.parse(decoder.decode(plain));
    }, function () { return null; });
  };

  Vault.prototype.draftName = function (formId) { return DRAFT + this.keyId + ":" + formId; };

  /* Keep `draft` ({pages, key, continued}) for `hours`; resolves when it is written. */
  Vault.prototype.saveDraft = function (formId, draft, hours) {
    var now = Date.now(), name = this.draftName(formId);
    return this.seal("draft:" + formId, draft).then(function (entry) {
      entry.saved_at = new Date(now).toISOString();
      entry.expires_at = new Date(now + hours * HOUR).toISOString();
      localStorage.setItem(name, JSON.stringify(entry));
    });
  };

  Vault.prototype.loadDraft = function (formId) {
    var entry = read(this.draftName(formId));
    if (!entry || expired(entry)) return Promise.resolve(null);
    return this.open("draft:" + formId, entry);
  };

  Vault.prototype.draftExpires = function (formId) {
    var entry = read(this.draftName(formId));
    return entry ? entry.expires_at : null;
  };

  Vault.prototype.discardDraft = function (formId) {
    localStorage.removeItem(this.draftName(formId));
  };

  /* --- submissions waiting for a connection --------------------------------------------- */

  Vault.prototype.queueName = function (idempotencyKey) {
    return QUEUE + this.keyId + ":" + idempotencyKey;
  };

  /* Keep a submission ({form, submission, pages, href}) to send later under its key. */
  Vault.prototype.enqueue = function (idempotencyKey, item) {
    var name = this.queueName(idempotencyKey);
    return this.seal("queue:" + idempotencyKey, item).then(function (entry) {
      entry.form = item.form;
      entry.queued_at = new Date().toISOString();
      entry.status = "waiting";
      localStorage.setItem(name, JSON.stringify(entry));
    });
  };

  /* This user's waiting submissions, oldest first: [{key, form, queued_at, status}]. */
  Vault.prototype.queued = function () {
    var prefix = QUEUE + this.keyId + ":";
    return names(prefix).map(function (name) {
      var entry = read(name) || {};
      return { key: name.slice(prefix.length), form: entry.form, queued_at: entry.queued_at,
               status: entry.status };
    }).sort(function (a, b) { return (a.queued_at || "") < (b.queued_at || "") ? -1 : 1; });
  };

  Vault.prototype.openQueued = function (idempotencyKey) {
    return this.open("queue:" + idempotencyKey, read(this.queueName(idempotencyKey)));
  };

  Vault.prototype.markQueued = function (idempotencyKey, status) {
    var name = this.queueName(idempotencyKey), entry = read(name);
    if (!entry) return;
    entry.status = status;
    localStorage.setItem(name, JSON.stringify(entry));
  };

  Vault.prototype.dequeue = function (idempotencyKey) {
    localStorage.removeItem(this.queueName(idempotencyKey));
  };

  /* --- the key ------------------------------------------------------------------------------ */

  function expired(entry) { return !entry.expires_at || Date.parse(entry.expires_at) <= Date.now(); }

  /* Delete every user's expired drafts (their expiry is the one thing kept in the clear). */
  function sweep() {
    names(DRAFT).forEach(function (name) {
      var entry = read(name);
      if (!entry || expired(entry)) localStorage.removeItem(name);
    });
  }

  /* Keep {key, key_id} from GET /v1/draft-key for this tab. */
  function remember(answer) { sessionStorage.setItem(KEY_SLOT, JSON.stringify(answer)); }

  /* This tab's Vault, or null when no one is signed in here (or WebCrypto is missing). */
  function current() {
    var held;
    try { held = JSON.parse(sessionStorage.getItem(KEY_SLOT)); } catch (e) { held = null; }
    if (!held || !held.key || !held.key_id || !window.crypto || !crypto.subtle) return Promise.resolve(null);
    return crypto.subtle.importKey("raw", unb64(held.key), { name: "AES-GCM" }, false,
      ["encrypt", "decrypt"]).then(function (key) { return new Vault(held.key_id, key); },
      function () { return null; });
  }

  function held() { return !!sessionStorage.getItem(KEY_SLOT); }

  window.dipformsDrafts = { current: current, remember: remember, held: held, sweep: sweep,
                            slot: KEY_SLOT };
})();
