"""`credit --help` stays fast: the CLI module imports no heavy library (after DVC's test)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "mlflow",
    "sklearn",
    "xgboost",
    "pandas",
    "imblearn",
    "numpy",
    "pydantic_settings",
    "shap",
    "optuna",
    "fairlearn",
    "optbinning",
    "pyspark",
)


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_cli_module_imports_no_heavy_library() -> None:
    modules = loaded_after("import credit_mlops.cli.main")
    assert "typer" in modules  # the probe did import the CLI
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\nfrom credit_mlops.cli.main import app\n"
        "try:\n    app(['train', '--help'])\nexcept SystemExit:\n    pass"
    )
    modules = loaded_after(code)
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


def test_package_import_has_no_side_effects(tmp_path) -> None:  # type: ignore[no-untyped-def]
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import credit_mlops, credit_mlops.config.settings, "
            "credit_mlops.tracking.mlflow_tracker",
        ],
        cwd=tmp_path,
        check=True,
    )
    assert list(tmp_path.iterdir()) == []
