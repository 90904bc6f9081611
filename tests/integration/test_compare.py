"""`credit compare` on a real local MLflow store holding runs of several models, including
unevaluated, failed, still-running, tagged and evaluation runs."""

from __future__ import annotations

import csv
import io
import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import project_with_store
from typer.testing import CliRunner, Result

from credit_mlops.cli.main import app
from credit_mlops.modeling.catalog import ALL_KEYS

pytestmark = pytest.mark.integration
runner = CliRunner()
T0 = 1_790_000_000_000  # a fixed start time (ms): runs are ordered by it


def metrics(auc: float, std: float = 0.02) -> dict[str, float]:
    return {
        "roc_auc_test_mean": auc,
        "roc_auc_test_std": std,
        "f1_test_mean": auc - 0.2,
        "recall_test_mean": auc - 0.1,
        "precision_test_mean": auc - 0.25,
        "accuracy_test_mean": auc - 0.05,
        "average_precision_test_mean": auc - 0.15,
        "geometric_mean_test_mean": auc - 0.12,
    }


# (model, minutes after T0, status, metrics or None, extra tags, smote method or None)
RUNS: list[tuple[str, int, str, dict[str, float] | None, dict[str, str], str | None]] = [
    ("logistic_regression", 0, "FINISHED", metrics(0.70), {}, "BorderlineSMOTE"),
    ("logistic_regression", 5, "FINISHED", metrics(0.78, 0.03), {"team_area": "risk"}, "SMOTE"),
    ("xgboost", 1, "FINISHED", metrics(0.74), {}, "BorderlineSMOTE"),
    ("xgboost", 6, "FINISHED", metrics(0.76, 0.01), {"team_area": "risk"}, None),
    ("random_forest", 2, "FINISHED", metrics(0.72), {}, "ADASYN"),
    ("random_forest", 7, "FAILED", None, {}, "ADASYN"),
    ("svm", 3, "FINISHED", None, {"team_area": "ops"}, "BorderlineSMOTE"),  # --no-evaluate
    ("decision_tree", 4, "RUNNING", None, {}, "BorderlineSMOTE"),
]


def seed(uri: str, experiment: str, runs: list[Any], evaluation: bool = True) -> dict[str, str]:
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name(experiment)
    exp_id = exp.experiment_id if exp else client.create_experiment(experiment)
    ids: dict[str, str] = {}
    for i, (model, minute, status, values, tags, smote) in enumerate(runs):
        start = T0 + minute * 60_000
        run = client.create_run(
            exp_id,
            run_name=f"train_{model}_{minute}",
            start_time=start,
            tags={"model_name": model, "model_version": f"1.{minute}.0", **tags},
        )
        params = [
            Param("model_key", model),
            Param("smote__used", str(smote is not None)),
            Param("random_seed", str(42 + (i % 2))),
            Param("cv_folds", "5"),
        ]
        if smote:
            params.append(Param("smote__method", smote))
        client.log_batch(
            run.info.run_id,
            params=params,
            metrics=[Metric(k, v, start, 0) for k, v in (values or {}).items()],
        )
        if status != "RUNNING":
            client.set_terminated(run.info.run_id, status, end_time=start + 42_000)
        ids[f"{model}@{minute}"] = run.info.run_id
    if evaluation:  # an evaluation run must never show up as a model's latest run
        run = client.create_run(
            exp_id,
            run_name="evaluate_x",
            start_time=T0 + 60 * 60_000,
            tags={"credit.kind": "evaluation", "credit.model_key": "xgboost"},
        )
        client.log_batch(run.info.run_id, metrics=[Metric("holdout_roc_auc", 0.99, T0, 0)])
        client.set_terminated(run.info.run_id, "FINISHED")
    return ids


class Store:
    def __init__(self, root: Path, ids: dict[str, str]) -> None:
        self.root, self.ids = root, ids
        self.uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"

    def invoke(self, *args: str, columns: int = 250, env: dict[str, str] | None = None) -> Result:
        old = Path.cwd()
        os.chdir(self.root)
        clean: dict[str, str | None] = {
            k: None
            for k in os.environ
            if k.startswith(("CREDIT_", "MLFLOW_TRACKING", "MLFLOW_EXP"))
        }
        clean.update({"COLUMNS": str(columns), **(env or {})})
        try:
            return runner.invoke(app, list(args), env=clean)
        finally:
            os.chdir(old)

    def json(self, *args: str, **kw: Any) -> Any:
        result = self.invoke(*args, "--format", "json", **kw)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, store_template: Path) -> Store:
    root = project_with_store(tmp_path_factory.mktemp("compare"), store_template)
    uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"
    ids = seed(uri, "credit-risk", RUNS)
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.create_registered_model("xgboost")
    mv = client.create_model_version("xgboost", source="file:///tmp/m", run_id=ids["xgboost@6"])
    with warnings.catch_warnings():  # stages are deprecated, still what the team uses
        warnings.simplefilter("ignore", FutureWarning)
        client.transition_model_version_stage("xgboost", mv.version, "Production")
    client.set_registered_model_alias("xgboost", "production", mv.version)
    client.create_experiment("empty-experiment")
    return Store(root, ids)


def models(report: Any) -> list[str]:
    return [r["model"] for r in report["rows"]]


def test_default_view_latest_run_per_model_sorted(store: Store) -> None:
    report = store.json("compare")
    # latest per model; no-metrics rows last (svm unevaluated, random_forest failed, dt running)
    assert models(report)[:2] == ["logistic_regression", "xgboost"]
    assert set(models(report)[2:]) == {"svm", "random_forest", "decision_tree"}
    rows = {r["model"]: r for r in report["rows"]}
    assert rows["logistic_regression"]["run_id"] == store.ids["logistic_regression@5"]
    assert rows["random_forest"]["status"] == "FAILED"
    assert rows["decision_tree"]["status"] == "RUNNING"
    assert rows["svm"]["roc_auc_test_mean"] is None
    assert rows["xgboost"]["smote"] == "none" and rows["logistic_regression"]["smote"] == "SMOTE"
    assert rows["xgboost"]["registered"] == "xgboost v1"
    assert rows["xgboost"]["stage"] == "Production"
    assert rows["xgboost"]["aliases"] == "xgboost@production"
    assert rows["xgboost"]["duration_s"] == 42.0
    assert rows["xgboost"]["model_version"] == "1.6.0"
    assert report["sort"] == "roc_auc_test_mean"
    notes = " ".join(report["notes"])
    assert "1 evaluation run(s) left out" in notes
    assert "not finished (FAILED, RUNNING)" in notes


def test_best_values_are_marked(store: Store) -> None:
    report = store.json("compare")
    best_row = report["rows"][report["best"]["roc_auc_test_mean"][0]]
    assert best_row["model"] == "logistic_regression"
    assert report["rows"][report["best"]["f1_test_mean"][0]]["model"] == "logistic_regression"


def test_within_noise_caption(store: Store) -> None:
    report = store.json("compare")
    assert any("within noise" in n for n in report["notes"])  # 0.78 vs 0.76, std 0.03
    table = store.invoke("compare").stdout
    assert "experiment 'credit-risk'" in table and store.uri in table
    assert "run(s) considered" in table and "within noise" in table


def test_sort_by_another_metric_and_top(store: Store) -> None:
    report = store.json("compare", "--sort", "precision_test_mean", "--top", "2")
    assert models(report) == ["logistic_regression", "xgboost"]
    assert len(report["rows"]) == 2


def test_model_tag_and_filter_options(store: Store) -> None:
    assert models(store.json("compare", "--model", "xgboost")) == ["xgboost"]
    assert sorted(models(store.json("compare", "-m", "xgboost", "-m", "svm"))) == ["svm", "xgboost"]
    tagged = store.json("compare", "--tag", "team_area=risk")
    assert sorted(models(tagged)) == ["logistic_regression", "xgboost"]
    filtered = store.json("compare", "--filter", "params.smote__method = 'ADASYN'")
    assert models(filtered) == ["random_forest"]


def test_all_runs_pages_past_one_page(store: Store) -> None:
    report = store.json("compare", "--all-runs", env={"CREDIT_TRACKING__SEARCH_PAGE_SIZE": "3"})
    assert len(report["rows"]) == len(RUNS)  # 8 runs over 3 pages (+ the evaluation run)
    assert report["runs_considered"] == len(RUNS) + 1
    assert sorted(r["run_id"] for r in report["rows"]) == sorted(store.ids.values())


def test_since(store: Store) -> None:
    assert len(store.json("compare", "--all-runs", "--since", "2026-09-01")["rows"]) == 8
    empty = store.invoke("compare", "--since", "2099-01-01")
    assert empty.exit_code == 0 and "no runs to compare" in empty.stderr
    bad = store.invoke("compare", "--since", "last tuesday")
    assert bad.exit_code == 2 and "is neither a duration" in bad.stderr


def test_runs_side_by_side_shows_only_differing_params(store: Store) -> None:
    a, b = store.ids["logistic_regression@0"], store.ids["xgboost@6"]
    report = store.json("compare", "--runs", f"{a},{b}")
    fields = {(r["kind"], r["field"]) for r in report["rows"]}
    assert ("param", "model_key") in fields and ("param", "random_seed") in fields
    assert ("param", "cv_folds") not in fields  # equal in both runs
    assert ("metric", "roc_auc_test_mean") in fields
    auc_index = next(i for i, r in enumerate(report["rows"]) if r["field"] == "roc_auc_test_mean")
    auc = report["rows"][auc_index]
    assert auc[a] == 0.70 and auc[b] == 0.76
    assert auc_index in report["best"][b] and auc_index not in report["best"].get(a, [])
    assert report["notes"] == ["1 param(s) equal in every run not shown"]


def test_registry_view(store: Store) -> None:
    report = store.json("compare", "--registry")
    assert report["rows"] == [
        {
            **report["rows"][0],
            "name": "xgboost",
            "version": 1,
            "stage": "Production",
            "aliases": "production",
            "model": "xgboost",
            "roc_auc_test_mean": 0.76,
            "run_id": store.ids["xgboost@6"],
        },
    ]


def test_csv_columns_exact_and_width_independent(store: Store) -> None:
    wide = store.invoke("compare", "--format", "csv", columns=250).stdout
    narrow = store.invoke("compare", "--format", "csv", columns=40).stdout
    assert wide == narrow
    rows = list(csv.reader(io.StringIO(wide)))
    assert rows[0] == [
        "model",
        "run_name",
        "status",
        "model_version",
        "roc_auc_test_mean",
        "roc_auc_test_std",
        "expected_cost_test_mean",
        "f1_test_mean",
        "recall_test_mean",
        "precision_test_mean",
        "accuracy_test_mean",
        "average_precision_test_mean",
        "geometric_mean_test_mean",
        "smote",
        "duration_s",
        "registered",
        "stage",
        "aliases",
        "run_id",
        "start_time",
    ]
    assert len(rows) == 1 + 5
    assert float(rows[1][4]) == 0.78


def test_markdown_and_output_file(store: Store, tmp_path: Path) -> None:
    md = store.invoke("compare", "--format", "markdown").stdout
    lines = md.splitlines()
    assert lines[0].startswith("| model | run | status | version | roc auc ± std |")
    assert lines[1].startswith("| --- | --- | --- | --- | ---: |")
    assert "**0.78**" in md  # the best primary value in bold
    target = tmp_path / "cmp.json"
    result = store.invoke("compare", "--format", "json", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["rows"][0]["model"] == "logistic_regression"


def test_narrow_terminal_drops_low_priority_columns(store: Store) -> None:
    narrow = store.invoke("compare", columns=70).stdout
    assert "logistic_regression" in narrow and "0.7800 ± 0.0300" in narrow
    assert "started (UTC)" not in narrow and "run id" not in narrow
    assert max(len(line) for line in narrow.splitlines()) <= 70
    wide = store.invoke("compare", columns=300).stdout
    assert "started (UTC)" in wide


def test_empty_and_unknown_experiments(store: Store) -> None:
    empty = store.invoke("compare", "--experiment", "empty-experiment")
    assert empty.exit_code == 0
    assert "no runs to compare in empty-experiment" in empty.stderr
    unknown = store.invoke("compare", "--experiment", "nope")
    assert unknown.exit_code == 2
    assert "experiment 'nope' not found" in unknown.stderr and "credit-risk" in unknown.stderr


def test_bad_filter_and_tag_exit_2(store: Store) -> None:
    bad = store.invoke("compare", "--filter", "params.x ===== 1")
    assert bad.exit_code == 2 and "bad search filter" in bad.stderr
    tag = store.invoke("compare", "--tag", "novalue")
    assert tag.exit_code == 2 and "is not KEY=VALUE" in tag.stderr
    both = store.invoke("compare", "--registry", "--all-runs")
    assert both.exit_code == 2


def test_unknown_run_in_side_by_side(store: Store) -> None:
    result = store.invoke("compare", "--runs", "f" * 32)
    assert result.exit_code == 2 and "no run with id" in result.stderr


def test_default_view_reads_on_until_every_model_is_found(store: Store) -> None:
    # 60 newer xgboost runs hide the only logistic_regression run beyond the first pages
    crowded = [("logistic_regression", 0, "FINISHED", metrics(0.7), {}, None)]
    crowded += [("xgboost", 10 + i, "FINISHED", metrics(0.75), {}, None) for i in range(60)]
    seed(store.uri, "crowded", crowded, evaluation=False)
    report = store.json("compare", "--experiment", "crowded")
    assert sorted(models(report)) == ["logistic_regression", "xgboost"]
    # one small first page of the newest runs, then each missing model asked for alone:
    # logistic_regression's one run is found without reading the 60 runs to the end
    assert report["runs_considered"] == 5 * len(ALL_KEYS) + 1
    latest = {r["model"]: r["run_name"] for r in report["rows"]}
    assert latest["xgboost"] == "train_xgboost_69"


def test_a_primary_metric_no_run_has_is_refused_naming_where_it_came_from(store: Store) -> None:
    """As `--sort bogus` is: never a table that claims an order it does not have."""
    result = store.invoke("compare", env={"CREDIT_TRACKING__PRIMARY_METRIC": "bogus"})
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        "error: tracking.primary_metric (env CREDIT_TRACKING__PRIMARY_METRIC) 'bogus' is not "
        "a metric of the runs; use one of: "
    )
    report = store.json("compare", env={"CREDIT_TRACKING__PRIMARY_METRIC": "f1_test_mean"})
    assert report["sort"] == "f1_test_mean"


def test_a_view_narrowed_to_nothing_says_so_not_train_some(store: Store) -> None:
    result = store.invoke("compare", "--filter", "metrics.roc_auc_test_mean > 2")
    assert result.exit_code == 0, result.output
    assert "none matches --model, --filter, --tag or --since: widen them" in result.stderr
    assert "credit train" not in result.stderr
