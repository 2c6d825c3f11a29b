// Touch targets on the page now, measured as a finger meets them. Run by test_layout.py
// through page.evaluate; returns {count, problems: [...]}.
//
// A target is a visible link, button, summary, select, text box, or a radio or checkbox
// together with its label (GOV.UK draws the box and the label takes the tap). Its size is
// what hit-testing finds: the union of its boxes, grown outward from the middle of each
// side while document.elementFromPoint still lands on it (GOV.UK widens some links with an
// invisible ::after, e.g. the back link and task list rows). A target passes when:
//   - it is at least 44 x 44 CSS px (WCAG 2.2 2.5.5, the touch size); or
//   - it is at least 24 x 24 px and a 44 px circle centred on it touches no other target,
//     nor comes within 44 px of another undersized target's centre (WCAG 2.2 2.5.8's spacing
//     test, taken at 44 px, so a fingertip there can only land on this target); or
//   - it is a link inside a sentence (2.5.8's inline exception): its block holds words
//     that are not part of any target.
// Targets that overlap each other fail whatever their size.
() => {
  const MIN = 44, FLOOR = 24, REACH = 40;
  const SELECTOR = "a[href], button, summary, select, textarea, input:not([type=hidden])";
  const sx = () => window.scrollX, sy = () => window.scrollY;

  const shown = el => el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
  const partsOf = el => (el.matches("input[type=radio], input[type=checkbox]")
    ? [el, ...el.labels] : [el]);
  const describe = el => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    const label = el.labels && el.labels[0] ? el.labels[0].innerText.trim() : "";
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
      + `${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""}`
      + ` "${(text || label).slice(0, 40)}"`;
  };

  // The union of the parts' boxes in document coordinates (null when nothing is drawn).
  function box(parts) {
    let b = null;
    for (const part of parts) {
      for (const r of part.getClientRects()) {
        if (r.width < 1 || r.height < 1) continue;
        const s = { l: r.left + sx(), t: r.top + sy(), r: r.right + sx(), b: r.bottom + sy() };
        b = b ? { l: Math.min(b.l, s.l), t: Math.min(b.t, s.t), r: Math.max(b.r, s.r),
                  b: Math.max(b.b, s.b) } : s;
      }
    }
    return b;
  }

  // Grow the box while points just outside it still hit the target.
  function grow(target) {
    const b = { ...target.box };
    target.el.scrollIntoView({ block: "center", inline: "nearest" });
    const owns = node => node && target.parts.some(p => p === node || p.contains(node));
    const hits = (x, y) => {
      const vx = x - sx(), vy = y - sy();
      if (vx < 0 || vy < 0 || vx >= innerWidth || vy >= innerHeight) return false;
      return owns(document.elementFromPoint(vx, vy));
    };
    const cx = (b.l + b.r) / 2, cy = (b.t + b.b) / 2;
    let d;
    for (d = 1; d <= REACH && hits(b.l - d + 0.5, cy); d++);
    const left = b.l - d + 1;
    for (d = 1; d <= REACH && hits(b.r + d - 0.5, cy); d++);
    const right = b.r + d - 1;
    for (d = 1; d <= REACH && hits(cx, b.t - d + 0.5); d++);
    const top = b.t - d + 1;
    for (d = 1; d <= REACH && hits(cx, b.b + d - 0.5); d++);
    const bottom = b.b + d - 1;
    return { l: left, t: top, r: right, b: bottom };
  }

  // Words in the link's block that belong to no target: the link is part of a sentence.
  function inline(el) {
    if (el.tagName !== "A") return false;
    let block = el.parentElement;
    while (block && /^(inline|contents)/.test(getComputedStyle(block).display)) {
      block = block.parentElement;
    }
    if (!block) return false;
    const copy = block.cloneNode(true);
    copy.querySelectorAll(SELECTOR + ", .govuk-visually-hidden").forEach(n => n.remove());
    return /\p{L}{2,}/u.test(copy.textContent);
  }

  const targets = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(SELECTOR)) {
    if (seen.has(el) || !shown(el)) continue;
    const parts = partsOf(el);
    parts.forEach(p => seen.add(p));
    const b = box(parts);
    if (!b || b.r - b.l <= 1 || b.b - b.t <= 1) continue;  // visually hidden (skip link)
    targets.push({ el, parts, box: b, name: describe(el) });
  }
  const startX = sx(), startY = sy();
  for (const t of targets) {
    const w = t.box.r - t.box.l, h = t.box.b - t.box.t;
    if (w < MIN || h < MIN) t.box = grow(t);
    t.w = t.box.r - t.box.l;
    t.h = t.box.b - t.box.t;
    t.small = t.w < MIN - 0.5 || t.h < MIN - 0.5;
    t.cx = (t.box.l + t.box.r) / 2;
    t.cy = (t.box.t + t.box.b) / 2;
  }
  window.scrollTo(startX, startY);

  const gap = (x, y, b) => Math.hypot(Math.max(b.l - x, 0, x - b.r), Math.max(b.t - y, 0, y - b.b));
  const overlap = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1
    && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1;
  const size = t => `${Math.round(t.w)}x${Math.round(t.h)}`;
  const problems = [];
  for (const t of targets) {
    const other = targets.filter(o => o !== t);
    const hit = other.find(o => overlap(t.box, o.box) && !o.el.contains(t.el) && !t.el.contains(o.el));
    if (hit) { problems.push(`${t.name} ${size(t)} overlaps ${hit.name}`); continue; }
    if (!t.small || inline(t.el)) continue;
    if (t.w < FLOOR - 0.5 || t.h < FLOOR - 0.5) {
      problems.push(`${t.name} is ${size(t)}, under ${FLOOR}x${FLOOR}`);
      continue;
    }
    const near = other.find(o => gap(t.cx, t.cy, o.box) < MIN / 2
      || (o.small && Math.hypot(o.cx - t.cx, o.cy - t.cy) < MIN));
    if (near) problems.push(`${t.name} is ${size(t)} and within ${MIN / 2} px of ${near.name}`);
  }
  return { count: targets.length, problems };
}
