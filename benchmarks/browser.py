"""Speed a person feels: the dashboard in headless Chromium, timed from the browser's side.

A fresh server is started on a built warehouse (the README's `streamlit run app.py`; an earlier
commit's app.py, without the start hook, is timed the same way), and the clock
runs from the moment the process is started: when /_stcore/health first answers, when the first
page's title is on screen and when it is drawn (no running indicator, skeleton or spinner, every
Plotly chart drawn, the main area unchanged from then on for a short quiet spell). Then every page
in the sidebar navigation is opened as a user does, by clicking its link in the same session: its
first visit, and its second after visiting another page. A page counts as drawn at the start of
its quiet spell, so the spell itself is not in the figure.

app.py's start hook imports what the first page needs and runs its queries into the cache in a
background thread as the server starts (its log line's time: `first_warm_s`); after the first page
the same thread imports what the other pages need (dashboard/warm.py). The first visits start once
its line is in the server log, as a person reads the first page before opening another, and the
time it took is reported (`warm_s`, from the start).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser_helpers import (
    _SNAPSHOT_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    VIEWPORT,
    _stop,
    free_port,
    nav_paths,
)

TITLE = '[data-testid="stMain"] h1'
# issue 17's targets (seconds): server start → first page drawn, a page's first and second visit
TARGETS = {"cold_start": 5.0, "first": 1.0, "second": 0.5}
# seconds the main area must stay unchanged for a page to count as drawn (as tests' settle(): the
# running indicator shows only after a delay, so a shorter spell can end inside a slow query)
QUIET = 1.5
# anything on screen for a person: Streamlit's skeletons, a spinner, the running indicator, a title
SOMETHING = (
    '[data-testid="stAppSkeleton"], [data-testid="stSkeleton"], [data-testid="stSpinner"], '
    '[data-testid="stStatusWidget"], [data-testid="stMain"] h1'
)
POLL = 0.05


def available() -> bool:
    """Whether the browser timings can run here (Debian's chromium and Playwright installed)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def _title(tab) -> str:
    titles = tab.locator(TITLE)
    return titles.first.inner_text().strip() if titles.count() else ""


def _drawn(tab, started: float, limit: float, before: str | None = None) -> dict:
    """Seconds from `started` until a title (other than `before`) is shown and until the page is
    drawn. Polls the page; never waits a fixed time for the answer."""
    title_at = shown_at = None
    stable_since, last = None, None
    while time.perf_counter() - started < limit:
        if shown_at is None and tab.locator(SOMETHING).count():
            shown_at = time.perf_counter()
        title = _title(tab)
        if title and title != before and title_at is None:
            title_at = time.perf_counter()
        now = tab.evaluate(_SNAPSHOT_JS)
        idle = title_at is not None and now["busy"] == 0 and now["pending"] == 0
        if idle and now["fingerprint"] == last:
            stable_since = stable_since or time.perf_counter()
            if time.perf_counter() - stable_since >= QUIET:
                return {
                    "shown_s": (shown_at or title_at) - started,
                    "title_s": title_at - started,
                    "drawn_s": stable_since - started,
                    "charts": tab.locator('[data-testid="stMain"] .main-svg').count(),
                }
        else:
            stable_since = None
        last = now["fingerprint"] if idle else None
        time.sleep(POLL)
    raise TimeoutError(f"{tab.url} not drawn after {limit:.0f} s")


def _health(url: str, process: subprocess.Popen, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dashboard exited ({process.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(POLL)
    raise RuntimeError(f"the dashboard did not answer on /_stcore/health in {limit:.0f} s")


def _warmed(log: Path, root: Path, started: float, limit: float) -> float | None:
    """Seconds from `started` until the server log says the warm-up thread is done (None for a
    checkout without one, timed for comparison)."""
    if not (root / "dashboard" / "warm.py").exists():
        return None
    from dashboard.warm import DONE

    while time.perf_counter() - started < limit:
        if DONE in log.read_text(errors="replace"):
            return time.perf_counter() - started
        time.sleep(POLL)
    raise TimeoutError(f"no '{DONE}' in {log} after {limit:.0f} s")


def _logged_at(log: Path, text: str, started_wall: float) -> float | None:
    """Seconds from the start (wall clock) to the server log's first line holding `text` (its
    timestamp), None without one."""
    from datetime import datetime

    for line in log.read_text(errors="replace").splitlines():
        if text in line:
            try:
                stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()
            except ValueError:
                return None
            return stamp - started_wall
    return None


def _visit(tab, base: str, path: str, limit: float) -> dict:
    before = _title(tab)
    link = tab.locator(
        f'[data-testid="stSidebarNav"] a[href$="/{path}"]'
        if path
        else '[data-testid="stSidebarNav"] a'
    ).first
    started = time.perf_counter()
    link.click()
    return _drawn(tab, started, limit, before=before)


def measure_browser(db: Path, log: Path, root: Path = ROOT, limit: float = 120) -> dict:
    """Cold start → first page drawn, then each page's first and second visit (seconds).

    The server is this interpreter's `streamlit run app.py` in `root` (another
    checkout of the project can be timed against this one under the same conditions)."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started, started_wall = time.perf_counter(), time.time()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
            + ["--server.port", str(port)],
            cwd=root,
            env={**os.environ, "RISK_DB": str(db)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _health(url, process, limit)
            healthy = time.perf_counter() - started
            tab = browser.new_context(viewport=VIEWPORT).new_page()
            tab.goto(url)
            tab.wait_for_selector('[data-testid="stApp"]', timeout=limit * 1000)
            shown = time.perf_counter() - started
            first = _drawn(tab, started, limit)
            start = {"health_s": healthy, "app_s": shown, **first}
            start["warm_s"] = _warmed(log, root, started, limit)
            # the start hook's first-page warm-up, from its log line (None without a hook)
            from dashboard.warm import FIRST_DONE

            start["first_warm_s"] = _logged_at(log, FIRST_DONE, started_wall)
            # the next user on the running server: a new session, after the warm-up
            other = browser.new_context(viewport=VIEWPORT).new_page()
            opened = time.perf_counter()
            other.goto(url)
            start["next_session"] = _drawn(other, opened, limit)
            other.context.close()
            paths = nav_paths(tab, url)
            pages = {path or "overview": {"path": path} for path in paths}
            # first visits in navigation order, from the default page onwards
            for path in paths[1:]:
                pages[path]["first"] = _visit(tab, url, path, limit)
            # the default page's own first visit was the cold start; its second comes back to it
            for path in paths[1:] + paths[:1]:
                pages[path or "overview"]["second"] = _visit(tab, url, path, limit)
            pages["overview"]["first"] = None
            browser.close()
        finally:
            _stop(process)
    return {"cold_start": start, "visits": pages}


def print_browser(result: dict) -> None:
    s = result["cold_start"]
    print(
        f"\nbrowser: cold start → health {s['health_s']:.1f} s, something on screen "
        f"{s['shown_s']:.1f} s, first title {s['title_s']:.1f} s, "
        f"first page drawn {s['drawn_s']:.1f} s (app shell {s['app_s']:.1f} s); the next session's "
        f"first page: title {s['next_session']['title_s']:.1f} s, drawn {s['next_session']['drawn_s']:.1f} s"
    )
    if s.get("first_warm_s") is not None:
        print(
            f"app.py's start hook: the first page's imports and queries done "
            f"{s['first_warm_s']:.1f} s after the start"
        )
    if s.get("warm_s") is not None:
        print(
            f"warm-up thread done {s['warm_s']:.1f} s after the start; the visits below began then"
        )
    head = f"{'page':<16}{'1st title s':>12}{'1st drawn s':>12}{'2nd title s':>12}{'2nd drawn s':>12}{'charts':>8}"
    print(head + "\n" + "-" * len(head))

    def cell(visit: dict | None, key: str) -> str:
        return f"{visit[key]:>12.2f}" if visit else f"{'(start)':>12}"

    for name, v in result["visits"].items():
        print(
            f"{name:<16}{cell(v.get('first'), 'title_s')}{cell(v.get('first'), 'drawn_s')}"
            f"{cell(v.get('second'), 'title_s')}{cell(v.get('second'), 'drawn_s')}"
            f"{v['second']['charts']:>8}"
        )
    met = within_targets(result)
    print(
        f"targets (drawn): cold start ≤ {TARGETS['cold_start']:g} s {'met' if met['cold_start'] else 'missed'}; "
        f"first visit ≤ {TARGETS['first']:g} s on {met['first']} of {met['pages'] - 1} pages; "
        f"second visit ≤ {TARGETS['second']:g} s on {met['second']} of {met['pages']}"
    )


def within_targets(result: dict) -> dict:
    """How many timings are within issue 17's targets (drawn, not only the title)."""
    visits = result["visits"].values()
    return {
        "cold_start": result["cold_start"]["drawn_s"] <= TARGETS["cold_start"],
        "first": sum(1 for v in visits if v["first"] and v["first"]["drawn_s"] <= TARGETS["first"]),
        "second": sum(1 for v in visits if v["second"]["drawn_s"] <= TARGETS["second"]),
        "pages": len(result["visits"]),
    }


if __name__ == "__main__":  # python -m benchmarks.browser DB LOG [ROOT [JSON]]
    import json

    res = measure_browser(
        Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT
    )
    print_browser(res)
    if len(sys.argv) > 4:
        Path(sys.argv[4]).write_text(json.dumps(res, indent=2))
