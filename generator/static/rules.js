/* Evaluate an expression in its JSON form (generator/rules/compile.py) in the page.
 * The same semantics as api/chalicelib/domain/rules.py; keep the two in step. Plain script, no
 * dependencies, no eval and no clock: `today` ('YYYY-MM-DD') is passed in, and
 * englandDate(moment) turns the page's one reading of its clock into that date. */
(function (root) {
  "use strict";

  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
  var TIME = /^\d{2}:\d{2}$/;
  var ORDERED = ["number", "date", "datetime", "time"];
  var has = function (object, key) { return Object.prototype.hasOwnProperty.call(object, key); };

  function kindOf(value) {
    if (value === null || value === undefined) return "null";
    if (typeof value === "boolean") return "boolean";
    if (typeof value === "number") return "number";
    if (typeof value === "string") {
      if (DATE.test(value)) return "date";
      if (DATETIME.test(value)) return "datetime";
      return TIME.test(value) ? "time" : "string";
    }
    return Array.isArray(value) ? "list" : "object";
  }

  function isNull(value) { return value === null || value === undefined; }

  /* Equality where null equals nothing and true is not 1. */
  function equal(left, right) {
    var kind = kindOf(left);
    if (isNull(left) || isNull(right) || kind !== kindOf(right)) return false;
    if (kind === "list") {
      return left.length === right.length && left.every(function (v, i) { return equal(v, right[i]); });
    }
    if (kind === "object") {
      var keys = Object.keys(left);
      if (keys.length !== Object.keys(right).length) return false;
      return keys.every(function (k) { return has(right, k) && equal(left[k], right[k]); });
    }
    return left === right;
  }

  /* -1, 0 or 1 for two numbers, dates, datetimes or times of one kind; else null. */
  function compare(left, right) {
    var kind = kindOf(left);
    if (ORDERED.indexOf(kind) < 0 || kind !== kindOf(right)) return null;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  function member(needle, haystack) {
    return Array.isArray(haystack) && haystack.some(function (x) { return equal(needle, x); });
  }

  function isLeap(year) { return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0); }

  function daysInMonth(year, month) {
    return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  }

  /* {year, month, day} of a real 'YYYY-MM-DD' (or the date of a 'YYYY-MM-DDTHH:MM'), else null. */
  function toDate(value) {
    if (typeof value !== "string") return null;
    var m = DATE.exec(value) || DATETIME.exec(value);
    if (!m) return null;
    var parts = m.slice(1).map(Number);
    if (parts.length === 5 && (parts[3] > 23 || parts[4] > 59)) return null;
    var d = { year: parts[0], month: parts[1], day: parts[2] };
    if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1) return null;
    return d.day <= daysInMonth(d.year, d.month) ? d : null;
  }

  /* Days since 1970-01-01 (proleptic Gregorian), by integer arithmetic. */
  function dayNumber(d) {
    var y = d.month <= 2 ? d.year - 1 : d.year;
    var era = Math.floor(y / 400);
    var yoe = y - era * 400;
    var doy = Math.floor((153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5) + d.day - 1;
    var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  function fromDayNumber(n) {
    var z = n + 719468;
    var era = Math.floor(z / 146097);
    var doe = z - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153);
    var month = mp < 10 ? mp + 3 : mp - 9;
    return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
  }

  function pad(n, width) { var s = String(n); while (s.length < width) s = "0" + s; return s; }

  function format(d) {
    if (!isFinite(d.year) || d.year < 1 || d.year > 9999) return null;
    return pad(d.year, 4) + "-" + pad(d.month, 2) + "-" + pad(d.day, 2);
  }

  function number(value) { return typeof value === "number" && isFinite(value) ? value : null; }

  function addDays(value, days) {
    var start = toDate(value), count = number(days);
    if (!start || count === null) return null;
    return format(fromDayNumber(dayNumber(start) + Math.trunc(count)));
  }

  function addMonths(value, months) {
    var start = toDate(value), count = number(months);
    if (!start || count === null) return null;
    var total = start.year * 12 + start.month - 1 + Math.trunc(count);
    var year = Math.floor(total / 12), month = total - year * 12 + 1;
    if (year < 1 || year > 9999) return null;
    return format({ year: year, month: month, day: Math.min(start.day, daysInMonth(year, month)) });
  }

  function age(birth, on) {
    var born = toDate(birth), then = toDate(on);
    if (!born || !then) return null;
    var before = then.month < born.month || (then.month === born.month && then.day < born.day);
    return then.year - born.year - (before ? 1 : 0);
  }

  function daysBetween(first, second) {
    var start = toDate(first), end = toDate(second);
    return start && end ? dayNumber(end) - dayNumber(start) : null;
  }

  function extreme(values, sign) {
    if (!Array.isArray(values)) return null;
    var dates = values.filter(function (v) { var k = kindOf(v); return k === "date" || k === "datetime"; });
    if (!dates.length || dates.some(function (v) { return kindOf(v) !== kindOf(dates[0]); })) return null;
    return dates.reduce(function (best, v) { return compare(v, best) === sign ? v : best; });
  }

  function answered(value) {
    if (isNull(value) || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    return typeof value !== "object" || Object.keys(value).length > 0;
  }

  /* function name -> implementation(argument values, today as 'YYYY-MM-DD') */
  var FUNCTIONS = {
    today: function (args, today) { return today; },
    answered: function (args) { return answered(args[0]); },
    age: function (args) { return age(args[0], args[1]); },
    days_between: function (args) { return daysBetween(args[0], args[1]); },
    add_days: function (args) { return addDays(args[0], args[1]); },
    add_months: function (args) { return addMonths(args[0], args[1]); },
    count: function (args) {
      if (isNull(args[0])) return 0;
      return Array.isArray(args[0]) ? args[0].length : null;
    },
    earliest: function (args) { return extreme(args[0], -1); },
    latest: function (args) { return extreme(args[0], 1); },
    date: function (args) {
      return typeof args[0] === "string" && DATE.test(args[0]) && toDate(args[0]) ? args[0] : null;
    },
    date_of: function (args) { var d = toDate(args[0]); return d ? format(d) : null; }
  };
  /* Functions that see a null argument; every other one gives null for a null argument. */
  var NULL_ACCEPTING = ["answered", "count"];

  /* One step down a dotted name: an object's key, or each item's key (answered ones). */
  function step(found, key) {
    if (Array.isArray(found)) {
      var values = [];
      found.forEach(function (element) {
        var value = step(element, key);
        if (Array.isArray(value)) values.push.apply(values, value);
        else if (!isNull(value)) values.push(value);
      });
      return values;
    }
    if (found !== null && typeof found === "object") return has(found, key) ? found[key] : null;
    return null;
  }

  var ORDERINGS = {
    "<": function (o) { return o < 0; },
    "<=": function (o) { return o <= 0; },
    ">": function (o) { return o > 0; },
    ">=": function (o) { return o >= 0; }
  };

  function Evaluation(data, item, today) {
    this.data = data || {};
    this.item = item || null;
    this.today = today;
  }

  Evaluation.prototype.value = function (expr) {
    var self = this;
    if (has(expr, "lit")) return expr.lit;
    if (has(expr, "list")) return expr.list.map(function (e) { return self.value(e); });
    if (has(expr, "field")) return this.lookup(expr.field);
    if (has(expr, "call")) return this.call(expr.call, expr.args);
    return this.operate(expr.op, expr.args);
  };

  Evaluation.prototype.lookup = function (dotted) {
    var keys = dotted.split(".");
    var first = keys[0];
    var found;
    if (this.item && has(this.item, first)) found = this.item[first];
    else found = has(this.data, first) ? this.data[first] : null;
    for (var i = 1; i < keys.length; i++) found = step(found, keys[i]);
    return isNull(found) ? null : found;
  };

  Evaluation.prototype.call = function (name, args) {
    var self = this;
    if (!has(FUNCTIONS, name)) throw new Error("unknown function " + name);
    var values = args.map(function (a) { return self.value(a); });
    if (NULL_ACCEPTING.indexOf(name) < 0 && values.some(isNull)) return null;
    return FUNCTIONS[name](values, this.today);
  };

  Evaluation.prototype.operate = function (op, args) {
    var self = this;
    var arg = function (i) { return self.value(args[i]); };
    if (op === "not") return arg(0) !== true;
    if (op === "and") return arg(0) === true && arg(1) === true;
    if (op === "or") return arg(0) === true || arg(1) === true;
    var left = arg(0), right = arg(1);
    if (op === "==") return equal(left, right);
    if (op === "!=") return !equal(left, right);
    if (op === "in") return member(left, right);
    if (op === "not in") return !member(left, right);
    if (!has(ORDERINGS, op)) throw new Error("unknown operator " + op);
    var order = compare(left, right);
    return order !== null && ORDERINGS[op](order);
  };

  /* The value of `expr`: true/false for conditions, 'YYYY-MM-DD' for dates, null if unknown.
   * `item` is the current repeat item; its fields are found before the submission's. */
  function evaluate(expr, data, today, item) {
    return new Evaluation(data, item, today).value(expr);
  }

  function holds(expr, data, today, item) { return evaluate(expr, data, today, item) === true; }

  /* The date in England (Europe/London) at `moment`, as 'YYYY-MM-DD': what the API's
   * clock calls today, whatever zone the device is set to (api/chalicelib/clock.py). */
  function englandDate(moment) {
    var two = function (n) { return ("0" + n).slice(-2); };
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", year: "numeric",
        month: "2-digit", day: "2-digit" }).formatToParts(moment).forEach(function (p) {
        parts[p.type] = p.value;
      });
      return parts.year + "-" + parts.month + "-" + parts.day;
    } catch (e) {  // no time-zone data: UTC is at most an hour off
      return moment.getUTCFullYear() + "-" + two(moment.getUTCMonth() + 1) + "-" + two(moment.getUTCDate());
    }
  }

  var api = { evaluate: evaluate, holds: holds, englandDate: englandDate,
              functionNames: Object.keys(FUNCTIONS) };
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") window.dipformsRules = api;
  else if (root) root.dipformsRules = api;
})(this);
