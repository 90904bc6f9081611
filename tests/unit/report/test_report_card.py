"""The model card renderers (the HTML in a real browser: tests/integration/test_card_browser.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

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


def sample_card() -> ModelCard:
    """A card with every block, a hostile subtitle and two pictures."""
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


@pytest.fixture(scope="module")
def card() -> ModelCard:
    return sample_card()


@pytest.mark.parametrize("name", ["model_card.md", "model_card.html"])
def test_a_card_of_the_users_own_in_the_folder_is_kept(
    card: ModelCard, tmp_path: Path, name: str
) -> None:
    """`--output` names a folder that holds a file of the user's under a card's name: it
    is never replaced; a card credit wrote there before is."""
    (tmp_path / name).write_text("# my own notes\n")
    with pytest.raises(InputError, match=f"{name} was not written by credit report"):
        write(card, tmp_path)
    assert (tmp_path / name).read_text() == "# my own notes\n"
    assert not (tmp_path / "figures").exists()  # refused before anything was written
    (tmp_path / name).unlink()
    first = write(card, tmp_path)
    again = write(card, tmp_path)  # a card credit wrote is replaced
    assert again.markdown.read_text() == first.markdown.read_text()
