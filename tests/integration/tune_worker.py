"""A tune worker on a toy objective, run as its own process by the tune storage tests:
`python tune_worker.py STORAGE STUDY N_TRIALS STEP_SECONDS OUT.json`.

The objective sleeps STEP_SECONDS per "fold" (three folds), so a test can kill it mid-trial;
the worker loop, storage, heartbeats and pruner are the real ones."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from credit_mlops.tune.storage import StorageSpec, open_storage
from credit_mlops.tune.study import open_study
from credit_mlops.tune.workers import run_worker


def main() -> None:
    url, name, n_trials, step, out = sys.argv[1:6]
    storage = open_storage(StorageSpec(url, heartbeat_interval=1, grace_period=3))
    study = open_study(storage, name, "maximize", seed=7, attrs={"model_key": "toy"})

    def objective(trial):  # type: ignore[no-untyped-def]
        x = trial.suggest_float("x", -5.0, 5.0)
        for fold in range(3):
            time.sleep(float(step))
            trial.report(-((x - 1.0) ** 2), fold)
        return -((x - 1.0) ** 2)

    result = run_worker(study, objective, n_trials=int(n_trials), poll=0.2)
    Path(out).write_text(
        json.dumps(
            {
                "trials": [
                    {
                        "number": t.number,
                        "state": t.state,
                        "params": t.params,
                        "retry_of": t.retry_of,
                    }
                    for t in result.trials
                ],
                "study_finished": result.study_finished,
                "stopped_by": result.stopped_by,
            }
        )
    )


if __name__ == "__main__":
    main()
