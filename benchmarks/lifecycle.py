"""Lifecycle: register and promote against the floor of importing MLflow's client."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from harness import CREDIT, Bench, Project, clean_env, import_client_seconds, median, run


def bench(b: Bench, project: Project, data: Path) -> None:
    folder = project.fresh("lifecycle")
    args = [CREDIT, "train", "-m", "logistic_regression", "--data", str(data), "--no-register"]
    out = run([*args, "--cv-repeats", "1", "--json"], folder)[2]
    run_id = json.loads(out)["results"][0]["run_id"]
    db = folder / ".credit" / "mlflow.db"
    plain = (
        "from mlflow import MlflowClient\n"
        f"c = MlflowClient('sqlite:///{db}')\n"
        f"c.get_run('{run_id}')\n"
        "c.search_registered_models()\n"
    )
    n = max(5, b.repeats * 2)
    registers, promotes, imports, plains = [], [], [], []
    for i in range(n):
        imports.append(import_client_seconds())
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", plain], check=True, env=clean_env())
        plains.append(time.perf_counter() - start)
        registers.append(run([CREDIT, "register", run_id, "--name", "bench"], folder)[0])
        stage = "Staging" if i % 2 == 0 else "Production"
        promote = [CREDIT, "promote", "bench", str(i + 1), stage, "--force"]
        promotes.append(run(promote, folder)[0])
    floor = median(imports)
    b.raw.update(register=registers, promote=promotes, import_client=imports, plain=plains)
    b.add("lifecycle", f"import MLflow's client alone (median of {n})", f"{floor:.2f} s")
    b.add(
        "lifecycle",
        "plain MlflowClient: import, open the sqlite store, 2 lookups",
        f"{median(plains):.2f} s",
    )
    for label, walls in (
        ("credit register RUN_ID", registers),
        ("credit promote NAME V STAGE", promotes),
    ):
        m = median(walls)
        b.add(
            "lifecycle",
            f"{label} (median of {n})",
            f"{m:.2f} s",
            f"≤ import + 1 s ({floor + 1:.2f} s)",
            m <= floor + 1.0,
        )
        over = median([w - p for w, p in zip(walls, plains, strict=True)])
        b.add("lifecycle", f"  {label} minus the plain client (same run)", f"{over:+.2f} s")
