"""`credit register` of a deleted run is refused as predict and evaluate refuse its model:
exit 2, one line with the restore command, and no version written."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_hardening import FAST, one_error_line
from tests.conftest import credit, tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()


def test_register_refuses_a_deleted_run_and_writes_nothing(
    store: Path, synthetic_file: Path
) -> None:
    from mlflow import MlflowClient

    args = ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST, "-q"]
    trained = runner.invoke(app, [*args, "--no-register"])
    assert trained.exit_code == 0, trained.output
    client = MlflowClient(tracking_uri=tracking_uri(store))
    (run,) = client.search_runs(
        [e.experiment_id for e in client.search_experiments()], "tags.model_name = 'decision_tree'"
    )
    client.delete_run(run.info.run_id)
    before = (store / "mlflow.db").read_bytes()

    result = runner.invoke(app, ["register", run.info.run_id, "--name", "revived"])
    line = one_error_line(result, run.info.run_id, "was deleted", "restore it")
    assert f"`mlflow runs restore --run-id {run.info.run_id}`" in line
    assert (store / "mlflow.db").read_bytes() == before

    real = credit(["register", run.info.run_id, "--name", "revived"], store.parent, timeout=300)
    assert real.returncode == 2, real.stderr
    assert real.stderr.count("\n") == 1 and real.stderr.startswith("error: the training run ")
    assert "Traceback" not in real.stderr and real.stdout == ""
    assert (store / "mlflow.db").read_bytes() == before
    assert client.search_registered_models() == []

    client.restore_run(run.info.run_id)  # restored as the line says: it registers
    again = runner.invoke(app, ["register", run.info.run_id, "--name", "revived"])
    assert again.exit_code == 0, again.output
    assert [m.name for m in client.search_registered_models()] == ["revived"]
