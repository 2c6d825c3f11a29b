/* Errors the GOV.UK way: the error summary at the top (focused, linking to each field) and
 * the message beside each field on this page, with aria-describedby; errors for fields on
 * other pages link to those pages. Errors are [{field: JSON pointer, message}], from the
 * API or from checks.js. Sets window.dipformsErrors. Plain script, no dependencies. */
(function () {
  "use strict";

  var configNode = document.getElementById("dipforms-config");
  var A = window.dipformsAnswers;
  if (!configNode || !A) return;
  var W = JSON.parse(configNode.textContent).words;
  var FRONTEND = "/assets/govuk-frontend.min.js";
  var all = A.all;

  /* --- errors, the GOV.UK way ---------------------------------------------------------------- */

  function segments(pointer) {
    return pointer.split("/").slice(1).map(function (s) { return s.replace(/~1/g, "/").replace(/~0/g, "~"); });
  }

  function pageOf(map, pointer) {
    var top = segments(pointer || "/")[0];
    return map ? map.pages.filter(function (page) {
      return page.fields.some(function (field) { return field.id === top; });
    })[0] || null : null;
  }

  /* Where the page script looks for a field: `/offences/0/offence_date` -> offences-0-offence_date */
  function elementId(pointer) { return segments(pointer).join("-"); }

  function focusTarget(el) {
    return /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) ? el
      : el.querySelector("input:not([type=hidden]), select, textarea");
  }

  function ordered(map, errors) {
    function rank(error) {
      var page = pageOf(map, error.field);
      if (!page) return [1e6, 0];
      var top = segments(error.field)[0];
      return [map.pages.indexOf(page), page.fields.map(function (f) { return f.id; }).indexOf(top)];
    }
    return errors.slice().sort(function (a, b) {
      var x = rank(a), y = rank(b);
      return x[0] - y[0] || x[1] - y[1];
    });
  }

  function describe(el, id) {
    var tokens = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    el.setAttribute("aria-describedby", tokens.concat(id).join(" "));
  }

  /* The inline error: the group's error class, the message after the label or legend and
   * hint, the control's error class, and aria-describedby pointing at the message. */
  function markField(el, message) {
    var group = el.closest(".govuk-form-group");
    if (!group) return;
    group.classList.add("govuk-form-group--error");
    var holder = group.querySelector(":scope > .govuk-fieldset") || group;
    var note = document.createElement("p"), prefix = document.createElement("span");
    note.id = el.id + "-error";
    note.className = "govuk-error-message";
    note.setAttribute("data-dipforms-error", "");
    prefix.className = "govuk-visually-hidden";
    prefix.textContent = W.error + ": ";
    note.append(prefix, message);
    var before = Array.prototype.filter.call(holder.children, function (child) {
      return !child.matches("legend, .govuk-label, .govuk-label-wrapper, .govuk-hint, .govuk-error-message");
    })[0];
    holder.insertBefore(note, before || null);
    var controls = el.classList.contains("govuk-date-input") ? all(el, "input")
      : /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) && !/radio|checkbox/.test(el.type) ? [el] : [];
    controls.forEach(function (c) {
      c.classList.add(c.tagName === "SELECT" ? "govuk-select--error"
        : c.tagName === "TEXTAREA" ? "govuk-textarea--error" : "govuk-input--error");
    });
    (holder.tagName === "FIELDSET" ? [holder] : controls.length ? controls : [el])
      .forEach(function (target) { describe(target, note.id); });
  }

  function clearErrors() {
    A.unmark(document);
    document.title = document.title.replace(new RegExp("^" + W.error + ": "), "");
  }

  function summary(items, autofocus) {
    var box = document.createElement("div"), alert = document.createElement("div");
    var title = document.createElement("h2"), body = document.createElement("div");
    var list = document.createElement("ul");
    box.className = "govuk-error-summary";
    box.setAttribute("data-module", "govuk-error-summary");
    box.setAttribute("data-dipforms-error", "");
    alert.setAttribute("role", "alert");
    title.className = "govuk-error-summary__title";
    title.textContent = W.problem;
    body.className = "govuk-error-summary__body";
    list.className = "govuk-list govuk-error-summary__list";
    items.forEach(function (item) {
      var li = document.createElement("li"), link = document.createElement(item.href ? "a" : "span");
      if (item.href) link.href = item.href;
      link.textContent = item.message;
      li.appendChild(link);
      list.appendChild(li);
    });
    body.appendChild(list);
    alert.append(title, body);
    box.appendChild(alert);
    var column = document.querySelector("main .govuk-grid-column-two-thirds") || document.querySelector("main");
    column.insertBefore(box, column.firstChild);
    box.tabIndex = -1;
    if (autofocus) box.focus();
    import(FRONTEND).then(function (m) { new m.ErrorSummary(box, { disableAutoFocus: true }); })
      .catch(function () {});
  }

  /* Errors [{field, message}] in the summary; beside the fields that are on this page, and
   * linked to the page holding the others (`map` says which page holds which field). */
  function showErrors(errors, map, pageId, autofocus) {
    clearErrors();
    var seen = {}, items = [];
    ordered(map, errors).forEach(function (error) {
      if (error.field && seen[error.field]) return;
      seen[error.field] = true;
      var message = error.message || W.check_answer, id = error.field ? elementId(error.field) : "";
      var page = pageOf(map, error.field);
      var el = id && (!page || page.id === pageId) ? document.getElementById(id) : null;
      var target = el && focusTarget(el);
      if (el) markField(el, message);
      items.push({ message: message, href: target ? "#" + target.id : page && id ? page.href + "#" + id : null });
    });
    if (!items.length) return;
    summary(items, autofocus);
    document.title = W.error + ": " + document.title;
  }

  window.dipformsErrors = { show: showErrors, clear: clearErrors, ordered: ordered,
                             pageOf: pageOf, focusTarget: focusTarget };
})();
