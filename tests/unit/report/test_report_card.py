"""The model card renderers, and the HTML opened in a real headless Chromium."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.browser import render

from credit_mlops.errors import InputError
from credit_mlops.report import html, markdown
from credit_mlops.report.card import Facts, Figure, ModelCard, Section, Table, Text
from credit_mlops.report.write import write


def _png(width: float = 3.0) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, 2))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


@pytest.fixture(scope="module")
def card() -> ModelCard:
    return ModelCard(
        "Model card: xgboost v3",
        "XGBoost <script>alert(1)</script> · stage Production",
        (
            Section("Identity", (Facts((("registered model", "xgboost"), ("version", "3"))),)),
            Section(
                "Performance",
                (
                    Table(("metric", "value"), (("ROC AUC", "0.7773"), ("a | b", "1"))),
                    Text("Threshold chosen on out-of-fold predictions."),
                    Figure("roc_curve", "ROC curve", _png()),
                    Figure("calibration_curve", "Calibration", _png(4)),
                ),
            ),
        ),
    )


def test_markdown_has_sections_tables_and_figure_files(card: ModelCard) -> None:
    text = markdown.render(card)
    assert text.startswith("# Model card: xgboost v3\n")
    assert "## Identity" in text and "## Performance" in text
    assert "| ROC AUC | 0.7773 |" in text and "| a \\| b | 1 |" in text
    assert "![ROC curve](figures/roc_curve.png)" in text


def test_html_escapes_and_embeds_everything(card: ModelCard) -> None:
    page = html.render(card)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert page.count("data:image/png;base64,") == 2
    assert "http://" not in page and "https://" not in page


def test_cards_refuse_malformed_blocks() -> None:
    with pytest.raises(ValueError, match="cells"):
        Table(("a", "b"), (("1",),))
    with pytest.raises(ValueError, match="not a PNG"):
        Figure("x", "x", b"GIF89a")
    with pytest.raises(ValueError, match="twice"):
        png = _png()
        ModelCard("t", "s", (Section("A", (Figure("f", "1", png), Figure("f", "2", png))),))


def test_write_puts_markdown_figures_and_html_in_the_folder(
    card: ModelCard, tmp_path: Path
) -> None:
    written = write(card, tmp_path / "out" / "card")
    assert written.markdown.read_text().startswith("# Model card")
    assert sorted(p.name for p in written.figures) == ["calibration_curve.png", "roc_curve.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written.figures)


def test_an_unwritable_output_folder_is_bad_input(card: ModelCard, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write there"):
        write(card, blocker / "card")
    # /proc takes no new folders, even for root (a chmod'ed folder would not stop root).
    with pytest.raises(InputError, match="cannot write there"):
        write(card, Path("/proc/credit-mlops-card"))
    assert not (tmp_path / "a-file").is_dir()


@pytest.mark.browser
def test_the_card_renders_in_a_real_browser(card: ModelCard, tmp_path: Path) -> None:
    page = render(write(card, tmp_path / "card").html)
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
