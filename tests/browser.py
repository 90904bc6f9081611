"""Open an HTML file in a real headless Chromium (Debian's package) with Playwright and
report what rendered: headings, tables, and every image (decoded, natural size).

JavaScript is disabled in the page (the card must not need it); Playwright's own
evaluation still works. Requests other than the file itself and data: URIs are recorded,
so a test can prove the page loads nothing from outside.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CREDIT_CHROMIUM", "/usr/bin/chromium"))
# As the machine notes describe: without the background-networking flags Chromium keeps
# trying to reach Google's hosts, which this closed network refuses.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Image:
    alt: str
    complete: bool
    decoded: bool
    natural_width: int
    natural_height: int
    width: float
    height: float


@dataclass(frozen=True)
class Rendered:
    title: str
    headings: list[tuple[str, str]]  # (tag, text)
    tables: list[int]  # body rows of each table
    table_widths: list[float]
    images: list[Image]
    outside_requests: list[str]
    scripts: int
    pdf_bytes: int
    nav_hidden_in_print: bool


def chromium_or_skip() -> Path:
    """The browser, or a visible skip; CI (CREDIT_REQUIRE_BROWSER=1) fails instead."""
    if not CHROMIUM.is_file():
        if os.environ.get("CREDIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CREDIT_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
            "(.ci/run does) or point CREDIT_CHROMIUM at one"
        )
    return CHROMIUM


_IMAGES = """async () => Promise.all([...document.images].map(async (img) => {
  let decoded = true;
  try { await img.decode(); } catch (e) { decoded = false; }
  const box = img.getBoundingClientRect();
  return {alt: img.alt, complete: img.complete, decoded: decoded,
          natural_width: img.naturalWidth, natural_height: img.naturalHeight,
          width: box.width, height: box.height};
}))"""


def render(path: Path) -> Rendered:
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    # Playwright gives each launch a new empty profile of its own (and removes it).
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=ARGS)
        try:
            return _inspect(browser, path)
        finally:
            browser.close()


def _inspect(browser, path: Path) -> Rendered:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    outside: list[str] = []
    own = path.resolve().as_uri()
    page.on(
        "request",
        lambda r: None if r.url == own or r.url.startswith("data:") else outside.append(r.url),
    )
    page.goto(own, wait_until="load")
    headings = page.eval_on_selector_all(
        "h1, h2, h3", "els => els.map(e => [e.tagName.toLowerCase(), e.innerText.trim()])"
    )
    tables = page.eval_on_selector_all("table", "ts => ts.map(t => t.tBodies[0].rows.length)")
    widths = page.eval_on_selector_all(
        "table", "ts => ts.map(t => t.getBoundingClientRect().width)"
    )
    images = [Image(**i) for i in page.evaluate(_IMAGES)]
    scripts = page.eval_on_selector_all("script", "s => s.length")
    page.emulate_media(media="print")
    nav_hidden = (
        page.eval_on_selector("nav", "n => getComputedStyle(n).display === 'none'")
        if page.query_selector("nav")
        else True
    )
    pdf = page.pdf(format="A4")
    title = page.title()
    context.close()
    return Rendered(
        title=title,
        headings=[(str(t), str(x)) for t, x in headings],
        tables=[int(n) for n in tables],
        table_widths=[float(w) for w in widths],
        images=images,
        outside_requests=outside,
        scripts=int(scripts),
        pdf_bytes=len(pdf),
        nav_hidden_in_print=bool(nav_hidden),
    )
