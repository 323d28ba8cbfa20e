"""The dashboard's pages and Debian's Chromium as the browser tests and
``benchmarks/dashboard.py`` both use them (plain constants: the benchmark imports this
module without pytest)."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("OPGAVE_CHROMIUM", "/usr/bin/chromium")
"""The browser: Debian's Chromium (never downloaded), or ``OPGAVE_CHROMIUM``."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
"""Headless in a container, and nothing that reaches the network by itself."""
PAGES = (
    "/",
    "/map",
    "/map?measure=capacity",
    "/map?measure=planned&division=municipality",
    "/regions",
    "/regions/VS-MRA",
    "/regions/PV27",
    "/regions/GM0363",
    "/agreements/ZR-FASERING",
    "/upload",
    "/scenarios",
    "/regions/NOPE",
)
"""Every kind of dashboard page (an unknown region included), as a signed-in reader sees it."""
