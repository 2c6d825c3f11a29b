"""axe-core in a Playwright page: inject node_modules/axe-core (npm, pinned in
package.json), run the WCAG 2.0, 2.1 and 2.2 A and AA rules plus best practice, and return
the violations less the one documented exception (see `allowed`)."""

from __future__ import annotations

from functools import cache

from tests.local_run import ROOT

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")

#: GOV.UK Frontend keeps `aria-expanded` on radios and checkboxes that reveal conditional
#: content (`data-aria-controls`), though ARIA does not allow it on those roles: see
#: govuk-frontend issue 979, where the team chose to keep it for screen readers that announce
#: it. axe reports it as `aria-allowed-attr`. Only that attribute, on only those inputs, is
#: let through; anything else that rule finds on the same node still counts.
_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  const allowed = (violation, node) => {
    if (violation.id !== "aria-allowed-attr" || node.target.length !== 1) return false;
    const el = document.querySelector(node.target[0]);
    if (!el || !el.matches("input.govuk-radios__input[data-aria-controls],"
                         + " input.govuk-checkboxes__input[data-aria-controls]")) return false;
    // each failed check lists the attributes it refused: {values: ['aria-expanded="false"']}
    const checks = node.any.concat(node.all, node.none);
    const attrs = checks.flatMap(c => (c.data && c.data.values) || [null]);
    return attrs.length > 0 && attrs.every(a =>
      typeof a === "string" && a.split("=")[0].trim() === "aria-expanded");
  };
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.filter(n => !allowed(v, n)).map(n => ({
      target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary}))
  })).filter(v => v.nodes.length > 0);
}"""


@cache
def _source() -> str:
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm ci` (bin/setup does)")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is now: [{id, impact, help, nodes: [{target, html,
    summary}]}]. Injected by evaluation, so a Content-Security-Policy cannot block it."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_source() + "\n;undefined")
    return page.evaluate(_RUN, list(TAGS))


def describe(violations: list[dict]) -> str:
    """Violations as short lines for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}: "
                     + "; ".join(f"{n['target']} {n['html'][:120]}" for n in v["nodes"])
                     for v in violations)
