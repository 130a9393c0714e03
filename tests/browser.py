"""A real headless Chromium (Debian's ``chromium``, driven by Playwright) and a real
listening API for it to load, for the console's and Prometheus's browser tests.

Browser downloads are not possible here: Playwright is pointed at the system Chromium.
``HARVESTGUARD_SCREENSHOTS=docs/img`` makes the tests save the screenshots the docs show.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from tests.servers import free_port

CHROMIUM = "/usr/bin/chromium"
# As root and offline: no sandbox, and none of Chromium's own calls home.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@contextmanager
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: apt-get install chromium (bash tests/run.sh does)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a free loopback port in a thread of this process; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """Save a screenshot of what the window shows; when $HARVESTGUARD_SCREENSHOTS names a
    folder, also a copy there reduced to a 64-colour palette (small enough to commit)."""
    path = tmp_path / name
    page.screenshot(path=str(path))
    keep = os.environ.get("HARVESTGUARD_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            image.convert("RGB").quantize(colors=64).save(Path(keep) / name, optimize=True)
    return path
