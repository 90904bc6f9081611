"""The Markdown model card, rendered by a CommonMark renderer that lets raw HTML through
(as many viewers do), opened in a real Chromium with JavaScript on: a hostile run name
runs nothing. The same page built from the raw names does run it, so the check can fail."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from tests.browser import ARGS, chromium_or_skip

from credit_mlops.report import markdown
from credit_mlops.report.card import Facts, ModelCard, Section, Table, Text

PAYLOAD = "<img src=x onerror=\"document.title='PWNED'\">"


def hostile_card() -> ModelCard:
    run = f"{PAYLOAD}\n# forged heading"
    return ModelCard(
        f"Model card: {PAYLOAD} v1",
        f"run {run}",
        (
            Section(
                f"Identity {PAYLOAD}",
                (Facts((("run name", run), ("data file", f"/data/{PAYLOAD}.csv"))),),
            ),
            Section(
                "Runs",
                (
                    Table(("run", "ROC AUC"), ((run, "0.77"),), caption=run),
                    Text(f"From run {run} ({PAYLOAD})."),
                ),
            ),
        ),
    )


def _title_after_load(html: str, folder: Path) -> str:
    from playwright.sync_api import sync_playwright

    page_file = folder / "card.html"
    page_file.write_text(f"<!doctype html><title>safe</title><body>{html}</body>")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_or_skip()), args=ARGS)
        try:
            page = browser.new_page(java_script_enabled=True)
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_timeout(300)  # let a failing image fire its onerror
            return page.title()
        finally:
            browser.close()


def _render(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def test_a_hostile_run_name_runs_nothing_in_the_rendered_card(tmp_path: Path) -> None:
    chromium_or_skip()
    html = _render(markdown.render(hostile_card()))
    assert "<img" not in html
    assert _title_after_load(html, tmp_path) == "safe"


def test_the_browser_check_sees_the_payload_run_when_it_is_not_escaped(tmp_path: Path) -> None:
    chromium_or_skip()
    raw = f"# Model card\n\nFrom run {PAYLOAD}\n"  # what the card wrote before escaping
    assert _title_after_load(_render(raw), tmp_path) == "PWNED"


def test_the_forged_heading_stays_text(tmp_path: Path) -> None:
    html = _render(markdown.render(hostile_card()))
    headings = [line for line in html.splitlines() if line.startswith(("<h1>", "<h2>"))]
    assert len(headings) == 3  # the title and the two sections, nothing forged
    assert "forged heading" not in " ".join(headings)
