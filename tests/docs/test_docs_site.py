"""The documentation site: it builds strictly, its reference covers the real CLI and
settings, it speaks of the product only, and shell completion works as documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import CREDIT, REPO
from typer.testing import CliRunner

DOCS = REPO / "docs"

# Words of internal process that mean nothing to a reader of the product's documentation.
INTERNAL = re.compile(
    r"\bissues?[\s#-]*\d+|\b(?:the|this|that|an|our) issue\b|\bissue's\b"
    r"|\b(?:this|that|the|our|next|previous|last|each|every) sessions?\b"
    r"|\bsprints?\b|\btickets?\b|\bworktrees?\b|\bthe lead\b"
    r"|\bh-[a-z]+\b|farm-studio|farm-bench|/work/|\bTODO\b|\bFIXME\b",
    re.IGNORECASE,
)


def _pages() -> dict[str, str]:
    from docgen.hooks import GENERATED, render

    pages = {str(p.relative_to(REPO)): p.read_text() for p in DOCS.rglob("*.md")}
    pages["README.md"] = (REPO / "README.md").read_text()
    pages.update({f"docs/{uri} (generated)": render(uri) for uri in GENERATED})
    return pages


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return site


def test_the_site_builds_strictly(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()
    commands = (built_site / "reference" / "commands" / "index.html").read_text()
    assert "credit data synth" in commands and "--mlflow-reg-name" in commands
    settings = (built_site / "reference" / "settings" / "index.html").read_text()
    assert "CREDIT_TRAIN__CV_FOLDS" in settings


def test_every_page_in_the_docs_folder_is_in_the_nav(built_site: Path) -> None:
    # A page outside the nav cannot be found in two clicks from the home page.
    for page in DOCS.rglob("*.md"):
        uri = page.relative_to(DOCS).with_suffix("")
        folder = built_site / ("" if uri.name == "index" else uri)
        assert (folder / "index.html").is_file(), f"{page} was not built"
    index = (built_site / "index.html").read_text()
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert f'href="{page.stem}/"' in index, f"{page.name} is not reachable from home"


def _help_options(args: list[str]) -> set[str]:
    from credit_mlops.cli.main import app

    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return set(re.findall(r"(?<![\w-])(--[a-zA-Z][\w-]*)", result.output.split("Options:")[-1]))


def test_the_command_reference_has_every_command_and_option_of_the_real_cli() -> None:
    from docgen.commands import page, walk

    text = page()
    paths = [entry.path for entry in walk()]
    assert ("credit", "data", "synth") in paths and ("credit", "train") in paths
    for path in paths:
        heading = re.search(rf"^#+ `{' '.join(path)}`$", text, re.MULTILINE)
        assert heading, f"no section for {' '.join(path)}"
        section = text[heading.end() :].split("\n#", 1)[0]
        for option in _help_options(list(path[1:])):
            assert option in section, f"{option} of {' '.join(path)} is not in the reference"


def test_the_settings_reference_has_every_setting_with_its_variable() -> None:
    from docgen.settings import page

    from credit_mlops.config.settings import Settings

    text = page()
    keys = [key for key, _, _ in Settings().rows()]
    assert len(keys) > 40
    for key in keys:
        if key.count(".") > 1:  # a table's own keys (tune.space.xgboost...) are its values
            continue
        assert f"| `{key}` |" in text, f"setting {key} is not in the reference"
        variable = "CREDIT_" + key.upper().replace(".", "__")
        assert variable in text, f"{variable} is not in the reference"
    assert "`MLFLOW_TRACKING_URI`" in text and "`MODEL_VERSION`" in text


def test_no_page_speaks_of_internal_process() -> None:
    found = [
        f"{name}: {match.group(0)!r} in {line.strip()[:100]!r}"
        for name, text in _pages().items()
        for line in text.splitlines()
        for match in [INTERNAL.search(line)]
        if match
    ]
    assert not found, "\n".join(found)


def test_the_word_list_catches_what_it_is_for() -> None:
    for line in (
        "as the issue's target says",
        "see issue 14",
        "in this session",
        "/work/x",
        "the issue-14 mean",
        "anchors of the issue",
    ):
        assert INTERNAL.search(line), line
    assert not INTERNAL.search("known coding issues of the data; a Spark session starts")


def _shell_env(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "SHELL": "/bin/bash"}


def test_completion_completes_commands_and_options(tmp_path: Path) -> None:
    env = _shell_env(tmp_path)
    script = subprocess.run(
        [str(CREDIT), "--show-completion", "bash"], env=env, capture_output=True, text=True
    )
    assert script.returncode == 0, script.stderr
    assert "_CREDIT_COMPLETE=complete_bash" in script.stdout

    def complete(words: str) -> list[str]:
        cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        proc = subprocess.run(
            [str(CREDIT)],
            env={
                **env,
                "_CREDIT_COMPLETE": "complete_bash",
                "COMP_WORDS": words,
                "COMP_CWORD": cword,
            },
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert complete("credit tr") == ["train"]
    assert set(complete("credit data ")) >= {"fetch", "validate", "synth", "drift"}
    assert "--model-version" in complete("credit train --model-")


def test_install_completion_writes_the_script_and_sources_it(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(CREDIT), "--install-completion", "bash"],
        env=_shell_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    bashrc = (tmp_path / ".bashrc").read_text()
    sourced = re.search(r"source '?([^'\s]+)", bashrc)
    assert sourced, bashrc
    assert "_CREDIT_COMPLETE=complete_bash" in Path(sourced.group(1)).expanduser().read_text()


def test_the_nav_drops_pages_not_written_yet_and_lists_pages_it_did_not_name(
    tmp_path: Path,
) -> None:
    from types import SimpleNamespace

    from docgen.hooks import on_config

    (tmp_path / "index.md").write_text("# Home\n")
    (tmp_path / "extra.md").write_text("# An extra page\n\ntext\n")
    config = SimpleNamespace(
        docs_dir=str(tmp_path),
        nav=[
            {"Home": "index.md"},
            {"Tasks": [{"Later": "not-written-yet.md"}]},
            {"Reference": [{"Commands": "reference/commands.md"}]},
        ],
    )
    nav = on_config(config).nav
    assert nav == [
        {"Home": "index.md"},
        {"Reference": [{"Commands": "reference/commands.md"}]},  # generated at build time
        {"More": [{"An extra page": "extra.md"}]},
    ]


def test_the_readme_is_short_and_starts_with_the_quick_start() -> None:
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    for needed in ("make train", "make test", "make docs", "make docs-build", "CC BY 4.0"):
        assert needed in readme, needed
