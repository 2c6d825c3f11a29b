/* Sending a form to the API, and the queue of forms kept on this device while there is no
 * connection: each is sent once, oldest first, with its own idempotency key, when the
 * connection returns (drafts.js keeps them sealed). Sets window.dipformsOutbox.
 * Plain script, no dependencies. */
(function () {
  "use strict";

  var configNode = document.getElementById("dipforms-config");
  var S = window.dipformsSession;
  if (!configNode || !S) return;
  var W = JSON.parse(configNode.textContent).words;
  var tab = S.tab, session = S.session, call = S.call, bearer = S.bearer, fill = S.fill;

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function submitTo(formId, data, key) {
    return call("POST", "/v1/forms/" + encodeURIComponent(formId) + "/submissions", data,
      Object.assign(bearer(session()), { "Idempotency-Key": key }));
  }

  function accepted(formId, body) {
    tab.set("done:" + formId, { id: body.record.id, case: body.case || null,
      warnings: (body.warnings || []).map(function (w) { return w.message; }).filter(Boolean) });
  }

  /* Send every waiting submission of this user once, oldest first, one tab at a time. The
   * idempotency key travels with it, so a send the API already took is never stored twice. */
  var flushing = false;
  function flushQueue(vault, hours) {
    if (!vault || flushing || navigator.onLine === false || !session()) return Promise.resolve();
    var waiting = vault.queued().filter(function (e) { return e.status === "waiting"; });
    if (!waiting.length) return Promise.resolve();
    flushing = true;
    function run() {
      return waiting.reduce(function (chain, entry) {
        return chain.then(function (go) {
          if (!go) return false;
          return vault.openQueued(entry.key).then(function (item) {
            if (!item || !session()) return false;
            return submitTo(item.form, item.submission, entry.key).then(function (answer) {
              if (answer.status === 201) {
                vault.dequeue(entry.key);
                accepted(item.form, answer.body);
                announce(fill(W.queue_sent, { id: answer.body.record.id }), "success");
                return true;
              }
              if (answer.status === 422 && (answer.body.error === "invalid" ||
                                            answer.body.error === "confirmation_required")) {
                // back to a draft, with the API's errors, for the person to put right (the
                // check page asks again for the reasons of warnings)
                return vault.saveDraft(item.form, { pages: item.pages, key: null, continued: [] },
                  hours).then(function () {
                  vault.dequeue(entry.key);
                  if (answer.body.error === "invalid") tab.set("errors:" + item.form, answer.body.errors);
                  announce(W.queue_refused, "", item.href);
                  return true;
                });
              }
              if (answer.status === 409 || answer.status === 403 || answer.status === 404) {
                vault.markQueued(entry.key, "refused");
                announce(W.queue_refused, "", item.href);
                return true;
              }
              return false;   // 401, 5xx: keep it and try again later
            }, function () { return false; });
          });
        });
      }, Promise.resolve(true));
    }
    var done = navigator.locks ? navigator.locks.request("dipforms-queue", run) : run();
    return done.then(function () { flushing = false; showQueue(vault); },
      function () { flushing = false; });
  }

  /* A GOV.UK notification banner at the top of the page (role=status for sent ones). */
  function announce(text, kind, href) {
    var main = document.querySelector("main");
    if (!main) return;
    var old = document.getElementById("dipforms-queue-news");
    if (old) old.remove();
    var box = document.createElement("div"), header = document.createElement("div");
    var title = document.createElement("h2"), content = document.createElement("div");
    var p = document.createElement(href ? "a" : "p");
    box.id = "dipforms-queue-news";
    box.className = "govuk-notification-banner" + (kind === "success" ? " govuk-notification-banner--success" : "");
    box.setAttribute("role", kind === "success" ? "alert" : "region");
    box.setAttribute("aria-labelledby", "dipforms-queue-news-title");
    header.className = "govuk-notification-banner__header";
    title.className = "govuk-notification-banner__title";
    title.id = "dipforms-queue-news-title";
    title.textContent = W.queued_title;
    content.className = "govuk-notification-banner__content";
    p.className = href ? "govuk-notification-banner__link" : "govuk-notification-banner__heading";
    if (href) p.href = href;
    p.textContent = text;
    header.appendChild(title);
    content.appendChild(p);
    box.append(header, content);
    main.insertBefore(box, main.firstChild);
  }

  function showQueue(vault) {
    var count = vault ? vault.queued().filter(function (e) { return e.status === "waiting"; }).length : 0;
    var note = document.getElementById("dipforms-queue-count");
    if (!count) { if (note) note.remove(); return; }
    if (!note) {
      note = document.createElement("p");
      note.id = "dipforms-queue-count";
      note.className = "govuk-inset-text";
      note.setAttribute("role", "status");
      var main = document.querySelector("main");
      if (main) main.insertBefore(note, main.firstChild);
    }
    note.textContent = fill(W.queue_waiting, { count: count });
  }


  window.dipformsOutbox = { newKey: newKey, submitTo: submitTo, accepted: accepted,
                            flush: flushQueue, showQueue: showQueue };
})();
