"""Benchmark: the dashboard in Chromium - bytes over the wire per page and the time the
overview takes to draw its first chart, against the largest single file and the sign-in page.

    .venv/bin/python benchmarks/dashboard.py [--repeat 5] [--json]

Builds a fresh SQLite database (`opgave init` + `opgave demo`: the letter's programme and the
SYNTHETIC demo pipeline; the map draws the CBS/Kadaster boundaries shipped with the package),
adds a user (`opgave users add`), serves
`opgave.api.create_app` with uvicorn on a free 127.0.0.1 port in a process of its own, and
drives Debian's Chromium (/usr/bin/chromium, through Playwright; no browser is downloaded):

- bytes: every dashboard page (the list of tests/web/browser/test_pages_browser.py) in a new
  browser context, so with an empty cache; the sum over its requests of what came over the
  wire (Chromium's ``encodedDataLength`` of ``Network.loadingFinished``: compressed bodies
  plus headers). The baseline is the largest single file any page loaded.
- time: ``/`` from navigation start (``performance.now()``'s origin) to the frame after the
  first chart's ``.main-svg`` appeared, on a first visit (new context, empty cache) and on the
  second visit (the same context: files from the cache). The baseline, in the same run,
  interleaved: ``/login`` (a page without charts or scripts) to the frame after its load event,
  first and second visit. Medians of ``--repeat`` runs.

Goals (issue 14): the largest page transfer at most 1.5 MB (10^6 bytes) compressed, the
overview drawn within 1 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _figures import emit, figure, median, reporting

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser_pages import CHROMIUM, CHROMIUM_ARGS, PAGES  # shared with the browser tests

GOAL_PAGE_MB = 1.5
GOAL_OVERVIEW_S = 1.0
MB = 1_000_000
OPGAVE = str(Path(sys.executable).with_name("opgave"))
USER, PASSWORD = "bench", "benchmark-wachtwoord"
SERVE = """
import sys, uvicorn
from opgave.api import create_app
uvicorn.run(create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""
MARKS = """
(() => {
  const marks = (window.__bench = {});
  const frame = (name) => requestAnimationFrame(() => { marks[name] = performance.now(); });
  const seen = new MutationObserver(() => {
    if (document.querySelector("[data-chart] .main-svg")) {
      marks.chart_dom = performance.now();
      frame("chart");
      seen.disconnect();
    }
  });
  seen.observe(document, {childList: true, subtree: true});
  addEventListener("load", () => frame("load"));
})();
"""
"""Times in the page from navigation start: the frame after the first chart's SVG appeared
(``chart``) and the frame after the load event (``load``). Injected through the DevTools
protocol, so the pages' Content-Security-Policy does not apply to it."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path) -> str:
    """The database (init, demo, a user); returns its URL."""
    db = str(folder / "dashboard.db")
    steps = [["init"], ["demo"], ["users", "add", USER, "--role", "admin"]]
    env = {**os.environ, "OPGAVE_PASSWORD": PASSWORD}
    for step in steps:
        done = subprocess.run(
            [OPGAVE, "--db", db, *step], capture_output=True, text=True, env=env, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"opgave {' '.join(step)} failed: {done.stdout}{done.stderr}")
    return f"sqlite:///{db}"


@contextmanager
def serving(url: str) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 in its own process; yields its base URL."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, url, str(port)])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass
class Transfers:
    """What came over the wire per request of one page (Chromium's own count, via CDP)."""

    urls: dict[str, str] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict[str, Any]) -> None:
        url = self.urls.get(event["requestId"], "")
        if not url.startswith(("data:", "blob:")):
            self.bytes[url] = self.bytes.get(url, 0) + int(event["encodedDataLength"])

    def _failed(self, event: dict[str, Any]) -> None:
        self.failed.append(self.urls.get(event["requestId"], ""))

    def total(self) -> int:
        return sum(self.bytes.values())

    def largest(self) -> tuple[str, int]:
        return max(self.bytes.items(), key=lambda item: item[1], default=("", 0))


def new_context(browser: Any, base: str) -> Any:
    """A new browser context: its own, empty cache."""
    return browser.new_context(
        base_url=base, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )


def signed_in(browser: Any, base: str) -> Any:
    """A new browser context (empty cache) with a session: signed in through the context's
    own request client, so no page, script or style sheet is loaded (or cached) on the way."""
    context = new_context(browser, base)
    answer = context.request.post(
        "/login", form={"name": USER, "password": PASSWORD, "next": "/regions"}, max_redirects=0
    )
    if answer.status != 303:
        raise SystemExit(f"signing in failed: {answer.status} {answer.text()[:200]}")
    return context


def settled(page: Any, path: str) -> None:
    """Open ``path`` and wait until the network is quiet and its charts are drawn."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if page.locator("[data-chart]").count():
        page.wait_for_selector("[data-chart] .main-svg", timeout=30_000)


def page_bytes(browser: Any, base: str) -> dict[str, Transfers]:
    """Every page with an empty cache: what each of its requests transferred."""
    found = {}
    for path in PAGES:
        context = signed_in(browser, base)
        page = context.new_page()
        transfers = Transfers()
        transfers.watch(page)
        settled(page, path)
        page.wait_for_timeout(200)  # the last loadingFinished events
        found[path] = transfers
        context.close()
    return found


STEPS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const scripts = performance.getEntriesByType("resource")
    .filter((r) => r.initiatorType === "script").map((r) => r.responseEnd);
  return {html: nav.responseEnd, scripts: Math.max(nav.responseEnd, ...scripts),
          svg: window.__bench.chart_dom ?? null, frame: window.__bench.chart ?? null};
}"""
"""Where the time of a visit goes: the page's HTML received, the last script received, the
first chart's SVG in the document, the frame after it (ms from navigation start)."""


def timed_visit(page: Any, path: str, mark: str) -> tuple[float, dict[str, float]]:
    """Seconds from navigation start to ``mark`` (see MARKS) on a visit of ``path``, and
    the steps on the way (STEPS, in seconds)."""
    page.goto(path)
    page.wait_for_function(f"window.__bench && window.__bench.{mark} !== undefined",
                           timeout=30_000)  # fmt: skip
    steps = {k: v / 1000 for k, v in page.evaluate(STEPS).items() if v is not None}
    return float(page.evaluate(f"window.__bench.{mark}")) / 1000, steps


Times = dict[str, list[float]]


def render_times(browser: Any, base: str, repeat: int) -> tuple[Times, dict[str, Times]]:
    """First and second visits of ``/login`` (the baseline) and ``/``, interleaved; with the
    steps of each visit."""
    names = ("login_cold", "login_warm", "overview_cold", "overview_warm")
    times: Times = {name: [] for name in names}
    steps: dict[str, Times] = {name: {} for name in names}
    for _ in range(repeat):
        for name, path, mark, signed in (("login", "/login", "load", False),
                                         ("overview", "/", "chart", True)):  # fmt: skip
            context = signed_in(browser, base) if signed else new_context(browser, base)
            context.add_init_script(MARKS)
            page = context.new_page()
            for visit in ("cold", "warm"):
                took, on_the_way = timed_visit(page, path, mark)
                times[f"{name}_{visit}"].append(took)
                for step, at in on_the_way.items():
                    steps[f"{name}_{visit}"].setdefault(step, []).append(at)
                page.wait_for_load_state("networkidle")
            context.close()
    return times, steps


def kb(n: float) -> str:
    return f"{n / 1000:,.1f} kB"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with reporting(options.json), tempfile.TemporaryDirectory() as tmp:
        url = prepare(Path(tmp))
        with serving(url) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)  # fmt: skip
            settled_ctx = signed_in(browser, base)  # the server's first answers, not timed
            settled(settled_ctx.new_page(), "/")
            settled_ctx.close()
            load_before = os.getloadavg()[0]
            pages = page_bytes(browser, base)
            times, steps = render_times(browser, base, options.repeat)
            load_after = os.getloadavg()[0]
            browser.close()
        print(f"dashboard: init + demo; Chromium {CHROMIUM}, 1280x900; "
              f"load average {load_before:.1f} before, {load_after:.1f} after")  # fmt: skip
        print("\nbytes over the wire per page, empty cache (compressed bodies + headers)")
        print(f"{'page':46}{'requests':>9}{'total':>13}  largest request")
        assets: dict[str, int] = {}
        for path, transfers in pages.items():
            name, size = transfers.largest()
            short = name.split("/")[-1].split("?")[0] or name
            print(f"{path:46}{len(transfers.bytes):>9}{kb(transfers.total()):>13}  "
                  f"{short} {kb(size)}")  # fmt: skip
            for u, b in transfers.bytes.items():
                if "/static/" in u:
                    assets[u] = max(assets.get(u, 0), b)
            if transfers.failed:
                print(f"  failed requests: {transfers.failed}")
        print(f"\nrender times, median (min-max) of {options.repeat} runs")
        for name, values in times.items():
            on_the_way = ", ".join(f"{step} {median(at):.3f}" for step, at in steps[name].items())
            print(
                f"{name:16}{median(values):8.3f} s   {min(values):.3f}-{max(values):.3f}"
                f"   (s from navigation start: {on_the_way})"
            )
    heaviest = max(pages, key=lambda path: pages[path].total())
    largest_page = pages[heaviest].total() / MB
    largest_asset = max(assets.values(), default=0) / MB
    asset_name = max(assets, key=lambda u: assets[u], default="").split("/")[-1].split("?")[0]
    figures = [
        figure(
            "dashboard_largest_page_transfer", largest_page, "MB", largest_asset, GOAL_PAGE_MB,
            f"largest single file, {asset_name}; page {heaviest}", goal_on="value",
        ),
        figure(
            "dashboard_overview_first_visit", median(times["overview_cold"]), "s",
            median(times["login_cold"]), GOAL_OVERVIEW_S,
            "/login, first visit", goal_on="value",
        ),
        figure(
            "dashboard_overview_second_visit", median(times["overview_warm"]), "s",
            median(times["login_warm"]), GOAL_OVERVIEW_S,
            "/login, second visit", goal_on="value",
        ),
    ]  # fmt: skip
    emit(figures, options.json)


if __name__ == "__main__":
    main()
