"""Tuning runs in MLflow: one parent run per `credit tune` invocation, one nested child run
per trial (its parameters, objective value and Optuna state, in one `log_batch`), Optuna's
figures on the parent. Child runs are written when a trial has finished, so a worker killed
mid-trial leaves no half-logged run and every trial is logged once, by the worker that ran it.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops import readback
from credit_mlops.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from credit_mlops.tracking.mlflow_tracker import Tracker

from credit_mlops.tracking.tags import KIND_TAG, TRIAL_KIND, TUNE_KIND, WORKER_TAG

__all__ = ["KIND_TAG", "TRIAL_KIND", "TUNE_KIND", "WORKER_TAG"]  # where tune code looks
PARAMS_TAG = "credit.params_json"  # the parameters with their types, for --params-from


@dataclass(frozen=True)
class TrialRecord:
    study: str
    number: int
    state: str  # COMPLETE | PRUNED | FAIL
    value: float | None
    params: dict[str, object]
    started: datetime | None
    completed: datetime | None
    retry_of: int | None


@dataclass(frozen=True)
class TunedParams:
    """Parameters read back from a tuning run, for a training run."""

    run_id: str
    model_key: str
    study: str
    params: dict[str, object]


def _ms(when: datetime | None) -> int | None:
    return int(when.timestamp() * 1000) if when is not None else None


def _params(values: dict[str, Any]) -> list[Any]:
    from mlflow.entities import Param

    return [Param(k, str(v)[:6000]) for k, v in sorted(values.items())]


def _tags(values: dict[str, str]) -> list[Any]:
    from mlflow.entities import RunTag

    return [RunTag(k, v) for k, v in sorted(values.items())]


class TuneRuns:
    """MLflow calls of `credit tune`, made with a `Tracker`'s client inside its guard (the
    scoped environment, failures translated). `Tracker.tune_runs()` makes one, handing over
    its client: nothing outside the Tracker reads its private state."""

    def __init__(self, tracker: Tracker, client: Any) -> None:
        self.tracker = tracker
        self._client = client
        self._guard = tracker.conn.guard

    def start_parent(self, run_name: str, params: dict[str, Any], tags: dict[str, str]) -> str:
        exp = self.tracker.experiment_id()
        with self._guard():
            run = self._client.create_run(
                exp, run_name=run_name, tags={**tags, KIND_TAG: TUNE_KIND}
            )
            self._client.log_batch(run.info.run_id, params=_params(params))
        return str(run.info.run_id)

    def end_orphans(self, study: str) -> list[str]:
        """End the study's parent runs left RUNNING by a worker that is gone (killed with
        SIGKILL: it could not end its own run), by the one rule of `tracking.orphans`;
        their ids."""
        from credit_mlops.tracking.orphans import end_orphans

        def of_study(run: Any) -> bool:
            return run.tags.get(KIND_TAG) == TUNE_KIND and run.tags.get("optuna.study") == study

        ended = end_orphans(self.tracker, by="the next worker on the study", only=of_study)
        return [run.run_id for run in ended]

    def log_trial(
        self, parent_id: str, record: TrialRecord, metric: str, tags: dict[str, str]
    ) -> str:
        """One finished trial as a child run of `parent_id`; returns the child's run id."""
        from mlflow.entities import Metric

        exp = self.tracker.experiment_id()
        start = _ms(record.started) or int(time.time() * 1000)
        end = _ms(record.completed) or start
        run_tags = {
            **tags,
            "mlflow.parentRunId": parent_id,
            KIND_TAG: TRIAL_KIND,
            "optuna.study": record.study,
            "optuna.trial_number": str(record.number),
            "optuna.state": record.state,
            PARAMS_TAG: json.dumps(record.params, sort_keys=True),
        }
        if record.retry_of is not None:
            run_tags["optuna.retry_of"] = str(record.retry_of)
        with self._guard():
            run = self._client.create_run(
                exp,
                run_name=f"{record.study}-trial-{record.number}",
                start_time=start,
                tags=run_tags,
            )
            run_id = run.info.run_id
            metrics = [] if record.value is None else [Metric(metric, record.value, end, 0)]
            self._client.log_batch(
                run_id,
                metrics=metrics,
                params=_params({f"model__{k}": v for k, v in record.params.items()}),
            )
            status = "FAILED" if record.state == "FAIL" else "FINISHED"
            self._client.set_terminated(run_id, status, end_time=end)
        return str(run_id)

    def log_figures(self, run_id: str, figures: dict[str, Any]) -> None:
        """Matplotlib figures as PNG artifacts, `name -> figure` (name without extension)."""
        from credit_mlops.modeling.figures import quiet

        with tempfile.TemporaryDirectory() as folder, self._guard():
            for name, figure in figures.items():
                path = Path(folder) / f"{name}.png"
                with quiet():  # no font or library warning on stderr
                    figure.savefig(path, dpi=110, bbox_inches="tight")
                self._client.log_artifact(run_id, str(path), artifact_path="tune")

    def end_parent(
        self,
        run_id: str,
        *,
        metrics: dict[str, float],
        params: dict[str, Any],
        tags: dict[str, str],
        status: str = "FINISHED",
    ) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        with self._guard():
            self._client.log_batch(
                run_id,
                metrics=[Metric(k, v, now, 0) for k, v in sorted(metrics.items())],
                params=_params(params),
                tags=_tags(tags),
            )
            self._client.set_terminated(run_id, status, end_time=now)

    def tuned_params(self, run_id: str) -> TunedParams:
        """The best parameters of a `credit tune` run, or a trial's parameters."""
        run = self.tracker.get_run(run_id)
        if run is None:
            raise NotFoundError(
                f"no run {run_id!r} in {self.tracker.shown_uri}; give the run id that "
                "`credit tune` printed"
            )
        tags = run.tags
        if tags.get(KIND_TAG) not in (TUNE_KIND, TRIAL_KIND) or PARAMS_TAG not in tags:
            raise InputError(
                f"run {run_id} is not a `credit tune` run (or has no best parameters yet); "
                "give the parent run id that `credit tune` printed"
            )
        return TunedParams(
            run_id=run_id,
            model_key=tags.get("credit.model_key", ""),
            study=tags.get("optuna.study", ""),
            params=readback.parsed(
                tags[PARAMS_TAG],
                _tuned_params,
                what=f"tag {PARAMS_TAG} of run {run_id}",
                fix="give the parent run id that `credit tune` printed",
            ),
        )


def _tuned_params(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object of parameters")
    return value
