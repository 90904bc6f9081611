"""The HTML model card opened in a real headless Chromium: headings, tables, pictures decoded,
nothing fetched from outside, no script, printable; and the harness can fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.browser import render
from tests.unit.report.test_report_card import sample_card

from credit_mlops.report.write import write


@pytest.mark.browser
def test_the_card_renders_in_a_real_browser(tmp_path: Path) -> None:
    page = render(write(sample_card(), tmp_path / "card").html)
    assert page.title == "Model card: xgboost v3"
    assert page.headings == [
        ("h1", "Model card: xgboost v3"),
        ("h2", "Identity"),
        ("h2", "Performance"),
    ]
    assert page.tables == [2, 2] and all(w > 0 for w in page.table_widths)
    assert len(page.images) == 2
    for image in page.images:
        assert image.complete and image.decoded
        assert image.natural_width > 0 and image.natural_height > 0 and image.width > 0
    assert page.outside_requests == [] and page.scripts == 0
    assert page.nav_hidden_in_print and page.pdf_bytes > 1000


@pytest.mark.browser
def test_the_browser_check_catches_a_broken_or_outside_image(tmp_path: Path) -> None:
    """The harness must be able to fail: a corrupt data URI and an outside picture."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>bad</title></head><body><h1>x</h1>"
        '<img alt="corrupt" src="data:image/png;base64,iVBORw0KGgoAAAA">'
        '<img alt="outside" src="http://127.0.0.1:9/missing.png"></body></html>'
    )
    page = render(bad)
    assert [i.natural_width for i in page.images] == [0, 0]
    assert not any(i.decoded for i in page.images)
    assert page.outside_requests == ["http://127.0.0.1:9/missing.png"]
