"""Lifecycle: `credit register` and `credit promote` beside a plain MlflowClient script that
makes the same calls on the same store, in the same run (target: at most 1.3 times)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from harness import CREDIT, Bench, Project, clean_env, import_client_seconds, median, run

# What `credit register RUN_ID --name N` asks the store: the run, its logged model, a version.
PLAIN_REGISTER = """
import sys
import mlflow
from mlflow import MlflowClient
uri, run_id, name = sys.argv[1:]
mlflow.set_tracking_uri(uri)  # MLflow resolves a logged model's models:/ source through it
c = MlflowClient(uri)
run = c.get_run(run_id)
model = c.search_logged_models(
    experiment_ids=[run.info.experiment_id], filter_string=f"source_run_id = '{run_id}'"
)[0]
try:
    c.get_registered_model(name)
except Exception:
    c.create_registered_model(name)
c.create_model_version(name, model.model_uri, run_id, model_id=model.model_id,
                       tags={"model_key": "logistic_regression"})
"""

# What `credit promote N V STAGE` asks: the versions, the gate's metrics, the transition
# (archiving the replaced one), the alias and the promotion record as version tags.
PLAIN_PROMOTE = """
import sys
from mlflow import MlflowClient
uri, name, version, stage = sys.argv[1:]
c = MlflowClient(uri)
versions = c.search_model_versions(f"name = '{name}'")
mv = next(v for v in versions if str(v.version) == version)
c.get_run(mv.run_id).data.metrics.get("roc_auc_test_mean")
current = [v for v in versions if v.current_stage == stage and str(v.version) != version]
for v in current:
    c.get_run(v.run_id)
c.transition_model_version_stage(name, version, stage)
for v in current:
    c.transition_model_version_stage(name, v.version, "Archived")
c.set_registered_model_alias(name, stage.lower(), version)
c.set_model_version_tag(name, version, "promotion.to", stage)
"""


def _plain(script: str, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, *args], check=True, env=clean_env())
    return time.perf_counter() - start


def bench(b: Bench, project: Project, data: Path) -> None:
    folder = project.fresh("lifecycle")
    args = [CREDIT, "train", "-m", "logistic_regression", "--data", str(data), "--no-register"]
    out = run([*args, "--cv-repeats", "1", "--json"], folder)[2]
    run_id = json.loads(out)["results"][0]["run_id"]
    uri = f"sqlite:///{folder / '.credit' / 'mlflow.db'}"
    n = max(5, b.repeats * 2)
    walls: dict[str, list[float]] = {k: [] for k in ("register", "promote", "pr", "pp", "imp")}
    for i in range(n):
        walls["imp"].append(import_client_seconds())
        stage = "Staging" if i % 2 == 0 else "Production"
        walls["pr"].append(_plain(PLAIN_REGISTER, uri, run_id, "plain"))
        walls["register"].append(run([CREDIT, "register", run_id, "--name", "bench"], folder)[0])
        walls["pp"].append(_plain(PLAIN_PROMOTE, uri, "plain", str(i + 1), stage))
        promote = [CREDIT, "promote", "bench", str(i + 1), stage, "--force"]
        walls["promote"].append(run(promote, folder)[0])
    b.raw.update(lifecycle=walls)
    b.add(
        "lifecycle",
        f"import MLflow's client alone (median of {n})",
        f"{median(walls['imp']):.2f} s",
    )
    for label, mine, plain in (
        ("credit register RUN_ID", walls["register"], walls["pr"]),
        ("credit promote NAME V STAGE", walls["promote"], walls["pp"]),
    ):
        ratio = median([m / p for m, p in zip(mine, plain, strict=True)])
        b.add("lifecycle", f"{label} (median of {n})", f"{median(mine):.2f} s")
        b.add("lifecycle", "  a plain MlflowClient making the same calls", f"{median(plain):.2f} s")
        b.add("lifecycle", "  ratio, paired in the same run", f"{ratio:.2f}", "≤ 1.3", ratio <= 1.3)
