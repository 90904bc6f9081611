"""`credit compare` on 2,000 runs against plain MlflowClient scripts doing the same reads."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from harness import CREDIT, Bench, Project, clean_env, import_client_seconds, median, run

SEED_RUNS = """
import random, sys, time
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
uri, n = sys.argv[1], int(sys.argv[2])
keys = ["logistic_regression", "decision_tree", "random_forest", "svm", "xgboost"]
metrics = ["accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
           "geometric_mean"]
c = MlflowClient(uri)
exp = c.get_experiment_by_name("credit-risk")
exp_id = exp.experiment_id if exp else c.create_experiment("credit-risk")
rng = random.Random(0)
t0 = int(time.time() * 1000) - n * 60_000
for i in range(n):
    key = keys[i % 5]
    start = t0 + i * 60_000
    run = c.create_run(exp_id, run_name=f"train_{key}_{i}", start_time=start, tags={
        "model_name": key, "model_version": f"1.{i % 7}.0", "project": "credit-mlops",
        "team": "credit-risk", "script": "credit train", "git_commit": "%040x" % i,
        "timestamp": str(start), "profile": "local", "experiment_type": rng.choice(["a", "b"])})
    params = [Param(f"model__p{j}", str(rng.random())) for j in range(25)]
    params += [Param("model_key", key), Param("version", "1.0.0"), Param("cv_folds", "5"),
               Param("cv_repeats", "3"), Param("random_seed", "42"),
               Param("smote__used", "True"), Param("smote__method", "BorderlineSMOTE")]
    values = [Metric(f"{m}_{p}_{s}", rng.random(), start, 0) for m in metrics
              for p in ("test", "train") for s in ("mean", "std")]
    c.log_batch(run.info.run_id, metrics=values, params=params)
    c.set_terminated(run.info.run_id, "FINISHED", end_time=start + 30_000)
"""


PLAIN_LATEST = """
import sys
from mlflow import MlflowClient
c = MlflowClient(sys.argv[1])
exp = c.get_experiment_by_name("credit-risk")
seen, token, ids, size = set(), None, [], 25
while True:
    page = c.search_runs([exp.experiment_id], "", max_results=size,
                         order_by=["attributes.start_time DESC"], page_token=token)
    for run in page:
        key = run.data.tags.get("model_name")
        if key not in seen:
            seen.add(key)
            ids.append(run.info.run_id)
        if len(seen) == 5:
            break
    token = page.token
    size = min(size * 2, 1000)
    if len(seen) == 5 or not token:
        break
c.search_model_versions("run_id IN (%s)" % ", ".join(repr(i) for i in ids))
c.search_registered_models()
"""


PLAIN_ALL = """
import sys
from mlflow import MlflowClient
c = MlflowClient(sys.argv[1])
exp = c.get_experiment_by_name("credit-risk")
token, ids = None, []
while True:
    page = c.search_runs([exp.experiment_id], "", max_results=1000,
                         order_by=["attributes.start_time DESC"], page_token=token)
    ids += [r.info.run_id for r in page]
    token = page.token
    if not token:
        break
for i in range(0, len(ids), 100):
    c.search_model_versions("run_id IN (%s)" % ", ".join(repr(x) for x in ids[i:i + 100]))
"""


def bench(b: Bench, project: Project, data: Path) -> None:
    n_runs = 2000
    folder = project.fresh("compare")
    uri = f"sqlite:///{folder / '.credit' / 'mlflow.db'}"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SEED_RUNS, uri, str(n_runs)],
        check=True,
        env=clean_env(MLFLOW_LOGGING_LEVEL="ERROR"),
    )
    b.add(
        "compare",
        f"seed {n_runs} runs (40 params, 28 metrics, 10 tags, batched)",
        f"{time.perf_counter() - start:.0f} s",
    )
    n = max(5, b.repeats * 2)
    views = (
        ("credit compare (default view)", ["compare"], PLAIN_LATEST),
        (
            "credit compare --all-runs --format csv",
            ["compare", "--all-runs", "--format", "csv"],
            PLAIN_ALL,
        ),
    )
    imports = [import_client_seconds() for _ in range(n)]
    b.add("compare", f"import MLflow's client alone (median of {n})", f"{median(imports):.2f} s")
    for label, args, plain in views:
        walls, floors = [], []
        for _ in range(n):
            walls.append(run([CREDIT, *args], folder)[0])
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", plain, uri], check=True, env=clean_env(), capture_output=True
            )
            floors.append(time.perf_counter() - t)
        m = median(walls)
        outside = median([(w - f) / w for w, f in zip(walls, floors, strict=True)])
        b.raw[label] = {"walls": walls, "mlflow_import_and_search": floors}
        ratio = median([w / f for w, f in zip(walls, floors, strict=True)])
        b.add("compare", f"{label} (median of {n})", f"{m:.2f} s")
        b.add(
            "compare",
            "  MLflow import + the same search calls, plain client",
            f"{median(floors):.2f} s",
        )
        b.add("compare", "  ratio, paired in the same run", f"{ratio:.2f}", "≤ 1.3", ratio <= 1.3)
        b.add(
            "compare",
            "  share of time outside MLflow's import and searches",
            f"{outside:.0%}",
            "< 20 %",
            outside < 0.20,
        )
