"""Page benchmarks in Debian's headless Chromium against `dipforms run`: for each form's start
page and first question page (and the heaviest question page of the set), signed in,

  first visit   bytes on the wire (compressed, headers included) with an empty cache, and
                the time until the form is usable on Lighthouse's slow 4G profile (the
                budget), and again on DevTools' stricter rendering of it;
  repeat visit  once the service worker holds the site: what still came over the network
                and what the worker served, and the time until usable (slow 4G);
  baseline      the first visit again in a fresh browser context, unthrottled: the same
                page on this machine, measured in this run.

"Usable" (USABLE below), timed from navigation start: the document is parsed, the stylesheet
applied, every GOV.UK component initialised by initAll, the page scripts finished (the
`data-dipforms-ready` attribute dipforms.js sets on <html>; if the scripts lack it, the
account link turned to "Sign out"), and the page's first control (a question page's first
input, a start page's Start button) visible and enabled.

Run: .venv/bin/python -m bench.pages
"""

from __future__ import annotations

import base64
import datetime
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.local_run import ROOT, LocalRun

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               "--disable-background-networking"]
#: Lighthouse's slow 4G, the budget's profile: 150 ms RTT, 1.6 Mbps down, 750 kbps up
#: (CDP throttles per request: latency is added once to each request).
SLOW_4G = {"offline": False, "latency": 150,
           "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
#: The same as Chrome DevTools' "Slow 4G" preset applies it: RTT x 3.75, throughput x 0.9
#: (Lighthouse's adjustment for request-level throttling, which cannot see TCP's round
#: trips). Stricter; shown beside the budget, not judged against it.
DEVTOOLS_SLOW_4G = {"offline": False, "latency": 150 * 3.75,
                    "downloadThroughput": 1.6e6 * 0.9 / 8, "uploadThroughput": 750e3 * 0.9 / 8}
CPU_SLOWDOWN = 4
BUDGET_BYTES = 150_000
BUDGET_SECONDS = 3.0
TIMEOUT_MS = 60_000
USER = ("bench_user", "police", "northshire_police")

#: The first control of a page: a question page's first input, else a start page's button.
CONTROL = ("main form.dipforms-page :is(input:not([type=hidden]), select, textarea), "
           "main .govuk-button")
USABLE = """([control, hook]) => {
  if (document.readyState === "loading") return false;
  if (![...document.styleSheets].some((s) => (s.href || "").endsWith("/assets/dipforms.css")))
    return false;
  const modules = [...document.querySelectorAll('[data-module^="govuk-"]')];
  if (!modules.every((el) => el.hasAttribute("data-" + el.dataset.module + "-init"))) return false;
  if (hook) {
    if (!document.documentElement.hasAttribute("data-dipforms-ready")) return false;
  } else {
    const words = JSON.parse(document.getElementById("dipforms-config").textContent).words;
    const link = document.getElementById("dipforms-account");
    if (!link || link.textContent.trim() !== words.sign_out) return false;
  }
  const first = document.querySelector(control);
  if (!first || first.disabled || !first.getClientRects().length) return false;
  if (getComputedStyle(first).visibility !== "visible") return false;
  return performance.now();
}"""


@dataclass
class Wire:
    """The page's requests as DevTools sees them (CDP Network events of the page's target):
    bytes on the wire per request (`encodedDataLength`: compressed body and headers), and
    whether the service worker answered."""

    requests: dict[str, dict] = field(default_factory=dict)

    def listen(self, cdp) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event: dict) -> None:
        self.requests[event["requestId"]] = {"url": event["request"]["url"], "bytes": 0,
                                             "worker": False, "done": False, "status": 0}

    def _response(self, event: dict) -> None:
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["worker"] = bool(event["response"].get("fromServiceWorker"))
            entry["status"] = int(event["response"].get("status") or 0)

    def _finished(self, event: dict) -> None:
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["bytes"], entry["done"] = int(event["encodedDataLength"]), True

    def _failed(self, event: dict) -> None:
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["done"] = True

    def pending(self) -> int:
        return sum(1 for r in self.requests.values() if not r["done"])

    def summary(self) -> dict:
        done = [r for r in self.requests.values() if r["done"]]
        api = [r for r in done if "/v1/" in r["url"]]
        network = [r for r in done if "/v1/" not in r["url"] and not r["worker"]]
        return {"requests": len(done),
                "network": sum(r["bytes"] for r in network),
                "network_files": len(network),
                "network_urls": sorted({(r["url"].split("/", 3)[-1], r["status"])
                                        for r in network}),
                "worker_files": sum(1 for r in done if r["worker"]),
                "api": sum(r["bytes"] for r in api), "api_calls": len(api)}


@dataclass
class Result:
    path: str
    html_gz: int
    first: dict = field(default_factory=dict)
    first_s: float | None = None
    strict_s: float | None = None           # first visit on DEVTOOLS_SLOW_4G
    precache: tuple[int, int] = (0, 0)      # (files, bytes) the worker fetched on install
    repeat: dict = field(default_factory=dict)
    repeat_s: float | None = None
    refresh: tuple[int, int] = (0, 0)       # (requests, bytes) the worker made on the repeat
    base_s: float | None = None


def session_script(token: str) -> str:
    """Puts the signed-in session where dipforms.js keeps it, before any page script runs."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    expires = datetime.datetime.fromtimestamp(claims["exp"], datetime.UTC)
    session = {"token": token, "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "user": {"id": USER[0], "role": USER[1], "agency": USER[2]}}
    return f"sessionStorage.setItem('dipforms:session', {json.dumps(json.dumps(session))});"


def pages_to_measure(site: Path) -> list[tuple[str, int]]:
    """(path, gzip size of its HTML): each form's start page and first question page, then the
    heaviest question page of the set (largest compressed HTML) if not listed."""
    def gz(path: str) -> int:
        return len(gzip.compress((site / path.lstrip("/")).read_bytes(), 6))

    chosen: list[str] = []
    questions: list[str] = []
    for start in sorted(site.glob("forms/*/index.html")):
        text = start.read_text()
        pages = json.loads(re.search(r'<script type="application/json" id="dipforms-pages">'
                                     r"(.*?)</script>", text, re.S).group(1))
        chosen += ["/" + start.relative_to(site).as_posix(), pages["pages"][0]["href"]]
        questions += [p["href"] for p in pages["pages"]]
    heaviest = max(questions, key=gz)
    if heaviest not in chosen:
        chosen.append(heaviest)
    return [(path, gz(path)) for path in chosen]


def quiet(page, wire: Wire, seconds: float = 0.5, limit: float = 30) -> None:
    """Wait until the page has had no request in flight for `seconds`."""
    deadline, since = time.monotonic() + limit, None
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        if wire.pending():
            since = None
        elif since is None:
            since = time.monotonic()
        elif time.monotonic() - since >= seconds:
            return


def usable_after(page, url: str, hook: bool) -> float | None:
    """Navigate; seconds from navigation start until USABLE holds (None: not in 60 s)."""
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    try:
        handle = page.wait_for_function(USABLE, arg=[CONTROL, hook], polling="raf",
                                        timeout=TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - reported in the table, not raised
        print(f"  not usable: {url} ({type(error).__name__})", file=sys.stderr)
        return None
    if "/sign-in.html" in page.url:
        raise RuntimeError(f"{url} sent the browser to sign in: the session was not accepted")
    return handle.json_value() / 1000


def worker_traffic(requests) -> tuple[int, int]:
    """(requests, bytes on the wire) of the worker's own fetches (Playwright reports them
    with `request.service_worker` set); a failed or unanswered one counts no bytes."""
    total = 0
    for request in requests:
        try:
            sizes = request.sizes()
        except Exception:  # noqa: BLE001 - no response (offline, aborted)
            continue
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return len(requests), total


def throttled_page(context, network: dict):
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    wire = Wire()
    wire.listen(cdp)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", network)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return page, wire


def fresh_context(browser, script: str):
    context = browser.new_context(service_workers="allow")
    context.add_init_script(script)
    return context


def measure(browser, base_url: str, script: str, path: str, html_gz: int, hook: bool) -> Result:
    result = Result(path, html_gz)
    url = base_url + path

    context = fresh_context(browser, script)
    worker_requests: list = []
    context.on("requestfinished",
               lambda r: worker_requests.append(r) if r.service_worker else None)
    context.on("requestfailed", lambda r: worker_requests.append(r) if r.service_worker else None)
    page, wire = throttled_page(context, SLOW_4G)
    # first visit: empty cache, no worker yet
    result.first_s = usable_after(page, url, hook)
    page.wait_for_load_state("load", timeout=TIMEOUT_MS)
    quiet(page, wire)
    result.first = wire.summary()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT_MS)
    quiet(page, wire)
    result.precache = worker_traffic(worker_requests)
    # repeat visit: a new navigation to the same page, the worker in control
    wire.requests.clear()
    worker_requests.clear()
    result.repeat_s = usable_after(page, url, hook)
    page.wait_for_load_state("load", timeout=TIMEOUT_MS)
    quiet(page, wire, seconds=1.0)
    result.repeat = wire.summary()
    result.refresh = worker_traffic(worker_requests)
    context.close()

    # the first visit again on the stricter profile, then unthrottled: fresh contexts
    context = fresh_context(browser, script)
    page, _ = throttled_page(context, DEVTOOLS_SLOW_4G)
    result.strict_s = usable_after(page, url, hook)
    context.close()
    context = fresh_context(browser, script)
    result.base_s = usable_after(context.new_page(), url, hook)
    context.close()
    return result


def kb(n: float) -> str:
    return f"{n / 1000:.1f}"


def seconds(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def goal(met: bool) -> str:
    return "met" if met else "MISSED"


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def worst(values) -> float:
    values = [v for v in values if v is not None]
    return max(values) if values else float("inf")


def report(results: list[Result], hook: bool) -> None:
    print(f"\n{'page':46} {'html':>5} | {'first visit':^31} | {'repeat visit':^29} | "
          f"{'unthrottled':^14}")
    print(f"{'':46} {'gz KB':>5} | {'KB':>5} {'files':>5} {'API KB':>6} {'usable':>6} "
          f"{'strict':>6} | {'net KB':>6} {'by SW':>5} {'net':>4} {'API':>4} {'usable':>6} | "
          f"{'usable':>6} {'ratio':>6}")
    for r in results:
        ratio = f"{r.first_s / r.base_s:5.1f}x" if r.first_s and r.base_s else "     -"
        print(f"{r.path:46} {kb(r.html_gz):>5} | {kb(r.first['network']):>5} "
              f"{r.first['network_files']:>5} {kb(r.first['api']):>6} {seconds(r.first_s):>6} "
              f"{seconds(r.strict_s):>6} | {kb(r.repeat['network']):>6} "
              f"{r.repeat['worker_files']:>5} {r.repeat['network_files']:>4} "
              f"{r.repeat['api_calls']:>4} {seconds(r.repeat_s):>6} | "
              f"{seconds(r.base_s):>6} {ratio}")

    firsts = [r.first["network"] + r.first["api"] for r in results]
    heaviest = max(results, key=lambda r: r.first["network"] + r.first["api"])
    first_s, repeat_s = [r.first_s for r in results], [r.repeat_s for r in results]
    strict_s, base_s = [r.strict_s for r in results], [r.base_s for r in results]
    missing = sum(v is None for v in first_s + repeat_s)
    refresh_n, refresh_b = (sum(r.refresh[0] for r in results),
                            sum(r.refresh[1] for r in results))
    leaks = sorted({u for r in results for u in r.repeat["network_urls"]})
    print(f"\n{len(results)} pages. First visit, site files and API calls (compressed, "
          f"headers included): median {kb(median(firsts))} KB, largest {kb(max(firsts))} KB "
          f"({heaviest.path}), all pages {kb(sum(firsts))} KB.")
    print("  Then, in the background once the page has loaded, the worker's install fetches "
          f"the site for offline use: median {median(r.precache[0] for r in results):.0f} "
          f"files, {kb(median(r.precache[1] for r in results))} KB, once per device and "
          "build (not throttled here: its fetches are the worker's, not the page's).")
    print(f"Repeat visit: {sum(r.repeat['worker_files'] for r in results)} responses from the "
          f"worker; over the network {sum(r.repeat['network_files'] for r in results)} "
          f"site requests, {kb(sum(r.repeat['network'] for r in results))} KB"
          f"{' ' + str(leaks) if leaks else ''}; API calls "
          f"{sum(r.repeat['api_calls'] for r in results)} "
          f"({kb(sum(r.repeat['api'] for r in results))} KB, never cached); the worker's "
          f"background refresh {refresh_n} conditional requests, {kb(refresh_b)} KB "
          f"({refresh_b / max(refresh_n, 1):.0f} bytes each: 304s).")
    print(f"Usable, slow 4G: first visit median {median(first_s):.2f} s, worst "
          f"{worst(first_s):.2f} s; repeat visit median {median(repeat_s):.2f} s, worst "
          f"{worst(repeat_s):.2f} s. DevTools' stricter slow 4G, first visit: median "
          f"{median(strict_s):.2f} s, worst {worst(strict_s):.2f} s.")
    print(f"Baseline, unthrottled first visit: median {median(base_s):.2f} s; slow 4G / "
          f"unthrottled (medians) {median(first_s) / median(base_s):.1f}x.")
    rule = ("data-dipforms-ready on <html>" if hook
            else "account link says Sign out (dipforms.js sets no data-dipforms-ready)")
    print(f"  usable = parsed, CSS applied, GOV.UK components initialised, {rule}, first "
          "control visible and enabled; timed from navigation start")

    from_cache = all(r.repeat["worker_files"] > 0 and not any(
        status == 200 for _, status in r.repeat["network_urls"]) for r in results)
    slowest = max(worst(first_s), worst(repeat_s))
    print(f"\nbudget: first visit under {BUDGET_BYTES // 1000} KB compressed, every page: "
          f"{goal(max(firsts) < BUDGET_BYTES)} (largest {kb(max(firsts))} KB)")
    print("budget: repeat visit from the cache (no file of the site over the network): "
          f"{goal(from_cache)}")
    print(f"budget: usable in under {BUDGET_SECONDS:.0f} s on slow 4G, first and repeat "
          f"visits: {goal(slowest < BUDGET_SECONDS and not missing)} (worst {slowest:.2f} s"
          f"{f', {missing} never usable' if missing else ''}); on DevTools' stricter profile: "
          f"{goal(worst(strict_s) < BUDGET_SECONDS)} (worst {worst(strict_s):.2f} s)")


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as folder, LocalRun(Path(folder)) as run, \
            sync_playwright() as playwright:
        token = run.user_token(*USER)
        site = ROOT / "site"
        hook = "data-dipforms-ready" in (site / "assets/dipforms.js").read_text()
        pages = pages_to_measure(site)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        print(f"Chromium {browser.version}, headless; {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.1f}; throttled: {SLOW_4G['latency']:.1f} ms latency, "
              f"{SLOW_4G['downloadThroughput'] * 8 / 1e6:.2f} Mbps down, "
              f"{SLOW_4G['uploadThroughput'] * 8 / 1e3:.0f} kbps up, CPU {CPU_SLOWDOWN}x slower "
              f"(Lighthouse slow 4G); 'strict': {DEVTOOLS_SLOW_4G['latency']} ms, "
              f"{DEVTOOLS_SLOW_4G['downloadThroughput'] * 8 / 1e6:.2f} Mbps, CPU "
              f"{CPU_SLOWDOWN}x (DevTools' Slow 4G); signed in; `dipforms run` on loopback")
        script = session_script(token)
        results = []
        for path, html_gz in pages:
            results.append(measure(browser, run.url, script, path, html_gz, hook))
            print(f"  measured {path}", file=sys.stderr, flush=True)
        browser.close()
    report(results, hook)


if __name__ == "__main__":
    main()
