/* Errors the GOV.UK way: the error summary at the top (focused, linking to each field) and
 * the message beside each field on this page, with aria-describedby; errors for fields on
 * other pages link to those pages. Errors are [{field: JSON pointer, message, source?}],
 * from the API or from checks.js; a rule's source (its citations) is shown beside the
 * field. Also the warnings a user may go ahead with, each with a box for the reason
 * (sent as `_confirmations`, kept with the record): styled as GOV.UK warnings until a send
 * without a reason is refused, then as errors. Sets window.dipformsErrors.
 * Plain script, no dependencies. */
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

  /* --- where a rule comes from ----------------------------------------------------------- */

  var documents = {};

  /* The titles of the documents rules cite: the schema's x-dipforms.documents. */
  function setDocuments(titles) { documents = titles || {}; }

  /* A rule's citations ["file section", ...] as words: "Title, section; ...". */
  function cite(source) {
    return (Array.isArray(source) ? source : []).map(function (text) {
      var gap = text.indexOf(" "), file = gap < 0 ? text : text.slice(0, gap);
      var title = Object.prototype.hasOwnProperty.call(documents, file) ? documents[file] : null;
      return title ? title + (gap < 0 ? "" : ", " + text.slice(gap + 1)) : text;
    }).join("; ");
  }

  /* The inline error: the group's error class, the message after the label or legend and
   * hint (then the rule's source, if any), the control's error class, and aria-describedby
   * pointing at the message. */
  function markField(el, message, source) {
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
    if (source) {
      var from = document.createElement("span");
      from.className = "govuk-!-display-block govuk-!-font-weight-regular dipforms-error-source";
      from.textContent = W.source + ": " + source;
      note.append(from);
    }
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
      if (el) markField(el, message, cite(error.source));
      items.push({ message: message, href: target ? "#" + target.id : page && id ? page.href + "#" + id : null });
    });
    if (!items.length) return;
    summary(items, autofocus);
    document.title = W.error + ": " + document.title;
  }

  /* --- warnings gone ahead with, each with a reason ------------------------------------- */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* The box for one rule's warning: the GOV.UK warning text, then a textarea whose id is
   * the element id of the pointer /_confirmations/<rule>, so errors.show can mark it. */
  function warningItem(warning, reason) {
    var id = "_confirmations-" + warning.code, item = element("div", "dipforms-confirm__item");
    var text = element("div", "govuk-warning-text"), strong = element("strong", "govuk-warning-text__text");
    var icon = element("span", "govuk-warning-text__icon", "!");
    icon.setAttribute("aria-hidden", "true");
    text.id = id + "-warning";
    strong.append(element("span", "govuk-visually-hidden", W.warning), warning.message || W.check_answer);
    text.append(icon, strong);
    var group = element("div", "govuk-form-group"), label = element("label", "govuk-label govuk-label--s", W.confirm_reason);
    label.htmlFor = id;
    group.appendChild(label);
    var described = [text.id], source = cite(warning.source);
    if (source) {
      var hint = element("div", "govuk-hint", W.source + ": " + source);
      hint.id = id + "-hint";
      group.appendChild(hint);
      described.push(hint.id);
    }
    var box = element("textarea", "govuk-textarea");
    box.id = id;
    box.name = "_confirmations[" + warning.code + "]";
    box.rows = 3;
    box.maxLength = 1000;
    box.setAttribute("data-rule", warning.code);
    box.setAttribute("aria-describedby", described.join(" "));
    box.value = reason || "";
    group.appendChild(box);
    item.append(text, group);
    return item;
  }

  /* Warnings [{field, code (the rule id), message, source}] in `holder`, one box per rule,
   * the reasons typed so far kept; returns the rule ids shown. */
  function showWarnings(holder, warnings, reasons) {
    var typed = Object.assign({}, reasons || {}, reasonsIn(holder)), seen = {}, items = [];
    warnings.forEach(function (warning) {
      if (!warning.code || seen[warning.code]) return;
      seen[warning.code] = true;
      items.push(warningItem(warning, typed[warning.code]));
    });
    holder.textContent = "";
    holder.hidden = !items.length;
    if (items.length) {
      holder.append(element("h2", "govuk-heading-m", W.confirm_title),
                    element("p", "govuk-body", W.confirm_lead));
      items.forEach(function (item) { holder.appendChild(item); });
    }
    return Object.keys(seen);
  }

  /* Warnings only the API saw (a rule judged as of now, a page without the schema): shown
   * as warnings, not errors, since nobody has yet sent them without a reason. Any errors
   * shown go, and the focus moves to the warnings' heading so it is read out. */
  function announceWarnings(holder) {
    clearErrors();
    var heading = holder && holder.querySelector("h2");
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }

  /* The reasons typed: rule id -> text, trimmed (blank ones too). */
  function reasonsIn(holder) {
    var out = {};
    all(holder, "textarea[data-rule]").forEach(function (box) {
      out[box.getAttribute("data-rule")] = box.value.trim();
    });
    return out;
  }

  window.dipformsErrors = { show: showErrors, clear: clearErrors, ordered: ordered,
                             pageOf: pageOf, focusTarget: focusTarget, cite: cite,
                             setDocuments: setDocuments, warnings: showWarnings,
                             announceWarnings: announceWarnings, reasons: reasonsIn };
})();
