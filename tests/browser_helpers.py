"""Driving the dashboard in a real browser: start the server, wait until a page is idle, read the nav.

Used by tests/test_browser.py; kept apart so a quick script can reuse the same waits when looking at
pages by hand (`uv run python -c "from tests.browser_helpers import ..."`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Playwright's own browser download is blocked here: Debian's chromium with these flags works.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 2400}  # tall: a full-page screenshot only grabs the viewport

# What the page looks like right now: whether Streamlit is busy, how many charts have not drawn
# yet, and a fingerprint of the main area that changes while elements are still arriving.
_SNAPSHOT_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const busy = document.querySelectorAll(
    '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], ' +
    '[data-testid="stAppSkeleton"], [data-testid="stSpinner"]').length;
  if (!main) return {busy: busy + 1, pending: 0, content: 0, fingerprint: ''};
  let pending = 0;
  main.querySelectorAll('[data-testid="stPlotlyChart"]').forEach(chart => {
    if (!chart.querySelector('.main-svg')) pending += 1;
  });
  const content = main.querySelectorAll('[data-testid="stElementContainer"]').length;
  return {busy, pending, content,
          fingerprint: main.getElementsByTagName('*').length + ':' + main.innerText.length};
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(port: int, entry: str = "app.py") -> list[str]:
    """`uv run streamlit run app.py` (the README's start command; or another entry) on a headless port.

    Falls back to this interpreter's streamlit (same environment) when uv is not on PATH.
    """
    tail = ["streamlit", "run", entry, "--server.headless", "true", "--server.port", str(port)]
    uv = shutil.which("uv")
    return [uv, "run", "--frozen", *tail] if uv else [sys.executable, "-m", *tail]


@contextmanager
def dashboard_server(
    db: Path, log: Path, timeout: float = 90, entry: str = "app.py"
) -> Iterator[str]:
    """Run the dashboard on warehouse `db`; yields its base URL once /_stcore/health answers ok."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        # Own process group: `uv run` starts streamlit as a child, and both must stop at the end.
        process = subprocess.Popen(
            server_command(port, entry),
            cwd=ROOT,
            env={**os.environ, "RISK_DB": str(db)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, log, timeout)
            yield url
        finally:
            _stop(process)


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dashboard exited ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"the dashboard did not answer on /_stcore/health in {timeout:.0f} s; see {log}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def settle(tab, quiet: float = 1.5, limit: float = 90) -> None:
    """Wait until the page is idle: content shown, no running indicator, skeleton or spinner,
    every Plotly chart drawn, and the main area unchanged for `quiet` seconds.

    The running indicator appears only after a short delay, so its absence alone proves nothing
    right after a navigation or a click; the unchanged fingerprint is what makes the wait safe.
    """
    tab.wait_for_selector('[data-testid="stApp"]', timeout=limit * 1000)
    started = time.monotonic()
    stable_since, last = None, None
    while time.monotonic() - started < limit:
        now = tab.evaluate(_SNAPSHOT_JS)
        idle = now["busy"] == 0 and now["pending"] == 0 and now["content"] > 0
        if idle and now["fingerprint"] == last:
            stable_since = stable_since or time.monotonic()
            if time.monotonic() - stable_since >= quiet:
                return
        else:
            stable_since = None
        last = now["fingerprint"] if idle else None
        time.sleep(0.25)
    raise TimeoutError(f"{tab.url} was still busy after {limit:.0f} s: {now}")


def exception_text(tab) -> str | None:
    """The text of the first Streamlit exception element on the page, or None."""
    errors = tab.locator('[data-testid="stException"]')
    return errors.first.inner_text()[:800] if errors.count() else None


def nav_paths(tab, base_url: str) -> list[str]:
    """The url path of every page in the sidebar navigation ('' for the default page)."""
    paths = []
    for link in tab.locator('[data-testid="stSidebarNav"] a').all():
        href = link.get_attribute("href") or ""
        path = href.split("?")[0].removeprefix(base_url).strip("/")
        if "//" in path:  # an absolute link to another host would be a bug worth seeing
            raise AssertionError(f"navigation link outside the app: {href}")
        if path not in paths:
            paths.append(path)
    return paths
