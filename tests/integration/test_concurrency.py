"""Issue 13: several `credit` processes on one local store at once, and Ctrl-C.

Real processes of the installed script on real sqlite stores; small, fast settings (one fast
model, two folds, synthetic data). Marked slow: each test starts several processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from tests.conftest import credit, project_with_store
from tests.integration.processes import alive, cmdline, descendants, start

from credit_mlops.data import schema
from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.tables import write_table

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FAST = ["--cv-folds", "2", "--cv-repeats", "1", "--n-jobs", "1", "-q"]


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=1200)
        out.append((p.returncode, stdout, stderr))
    return out


def client_for(root: Path):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


@pytest.mark.parametrize("store", ["new", "existing"])
def test_four_trains_two_compares_and_a_predict_at_once(
    tmp_path: Path, store_template: Path, store: str
) -> None:
    """Four trains, two compares (and, when a model exists, a predict) at the same moment.

    On a brand-new store the trains race to create and migrate it (case 2): a file lock
    beside the database serialises that; everything exits 0 and the store holds exactly the
    four new runs and four versions. A predict needs a model to exist, so it joins the
    crowd on the existing store (where the seed model lives in its own experiment).
    """
    root = project_with_store(tmp_path / "p", store_template if store == "existing" else None)
    syn = write_table(synthetic(400, seed=11), root / "syn.asc")
    crowd: list[list[str]] = []
    if store == "existing":
        seeded = credit(
            [
                "train",
                "--data",
                str(syn),
                "-m",
                "logistic_regression",
                "--mlflow-experiment",
                "seed",
                "--mlflow-reg-name",
                "scorer",
                *FAST,
            ],
            root,
        )
        assert seeded.returncode == 0, seeded.stderr
        applicants = root / "applicants.csv"
        synthetic(50, seed=3).drop(columns=[schema.TARGET]).to_csv(applicants, index=False)
        crowd.append(
            ["predict", "scorer", "-i", str(applicants), "-o", str(root / "out.csv"), "-q"]
        )
    else:
        assert not (root / ".credit").exists()
    crowd += [["train", "--data", str(syn), "-m", "decision_tree", *FAST] for _ in range(4)]
    crowd += [["compare"], ["compare", "--format", "json"]]
    results = finish([start(args, root) for args in crowd])
    for args, (code, stdout, stderr) in zip(crowd, results, strict=True):
        assert code == 0, (args, stderr[-3000:])
        assert "Traceback" not in stdout + stderr, args

    client = client_for(root)
    exp = client.get_experiment_by_name("credit-risk")
    runs = client.search_runs([exp.experiment_id])
    assert len(runs) == 4
    assert {r.info.status for r in runs} == {"FINISHED"}
    versions = client.search_model_versions("name='decision_tree'")
    assert sorted(int(v.version) for v in versions) == [1, 2, 3, 4]
    assert {v.run_id for v in versions} == {r.info.run_id for r in runs}
    if store == "existing":
        assert len((root / "out.csv").read_text().splitlines()) == 51


def test_ctrl_c_during_cross_validation_ends_every_worker(
    tmp_path: Path, store_template: Path
) -> None:
    """Case 7: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while
    worker processes run: exit 130, one line, no traceback, every worker ended, no run
    left RUNNING."""
    root = project_with_store(tmp_path / "p", store_template)
    big = write_table(synthetic(6000, seed=5), root / "big.asc")
    args = ["train", "--data", str(big), "-m", "svm,random_forest", "--cv-folds", "5"]
    proc = start([*args, "--cv-repeats", "2", "--n-jobs", "2", "-q"], root, start_new_session=True)
    workers: set[int] = set()
    deadline = time.monotonic() + 300
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        workers = {p for p in descendants(proc.pid) if "loky" in cmdline(p) or _is_python(p)}
    assert proc.poll() is None and len(workers) >= 2, "cross-validation workers never started"
    time.sleep(3)  # let them get into the folds
    workers |= descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stdout + stderr and "KeyboardInterrupt" not in stderr, stderr
    assert [line for line in stderr.splitlines() if line.strip()] == ["error: interrupted"]
    for _ in range(60):  # a bounded wait for the kernel to reap them, not a timing claim
        if not any(alive(p) for p in workers):
            break
        time.sleep(0.5)
    assert [p for p in workers if alive(p)] == []
    running = [
        r.info.run_id
        for exp in client_for(root).search_experiments()
        for r in client_for(root).search_runs([exp.experiment_id])
        if r.info.status == "RUNNING"
    ]
    assert running == []


def _is_python(pid: int) -> bool:
    return "python" in cmdline(pid)


def test_ctrl_c_after_the_summary_still_exits_0_cleanly(
    tmp_path: Path, store_template: Path
) -> None:
    """Case 7: a command that has printed its result has completed; a Ctrl-C arriving while
    the interpreter shuts down must not turn it into a traceback."""
    root = project_with_store(tmp_path / "p", store_template)
    syn = write_table(synthetic(400, seed=2), root / "syn.asc")
    proc = start(["train", "--data", str(syn), "-m", "decision_tree", "--no-evaluate", "-q"], root)
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("╰"):
            break
    assert seen and seen[-1].startswith("╰"), "".join(seen)
    while proc.poll() is None:  # interrupt it again and again while it shuts down
        os.kill(proc.pid, signal.SIGINT)
        time.sleep(0.005)
    stderr = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "Aborted" not in stderr
