"""The tune study on the real PostgreSQL (Optuna's RDB storage), one throwaway database per
module: several workers share one study exactly, a worker killed mid-trial does not stop it,
and storage that does not answer fails fast."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from tests.integration.conftest import postgres_or_skip

from credit_mlops.errors import TrackingUnreachableError
from credit_mlops.ops.server import create_database, drop_database
from credit_mlops.tune.storage import StorageSpec, display_url, open_storage
from credit_mlops.tune.workers import WORKER_ATTR

pytestmark = pytest.mark.integration
WORKER = Path(__file__).resolve().parent / "tune_worker.py"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    postgres_or_skip()
    name = f"credit_tune_{uuid.uuid4().hex[:12]}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


def start(url: str, study: str, n_trials: int, step: float, out: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(WORKER), url, study, str(n_trials), str(step), str(out)]
    return subprocess.Popen(args, stderr=subprocess.PIPE)


def finished(url: str, study: str) -> list[optuna.trial.FrozenTrial]:
    loaded = optuna.load_study(study_name=study, storage=open_storage(StorageSpec(url)))
    return [t for t in loaded.get_trials() if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]


def test_three_workers_on_a_new_database_share_one_study_exactly(
    database: str, tmp_path: Path
) -> None:
    # The database has no Optuna schema yet: all three create it at once (the schema race).
    outs = [tmp_path / f"w{i}.json" for i in range(3)]
    workers = [start(database, "shared", 9, 0.1, out) for out in outs]
    codes = [w.wait(timeout=300) for w in workers]
    assert codes == [0, 0, 0], [w.stderr.read().decode()[-2000:] for w in workers if w.stderr]
    ran = [t for out in outs for t in json.loads(out.read_text())["trials"]]
    done = finished(database, "shared")
    assert len(done) == 9
    numbers = [t["number"] for t in ran if t["state"] in ("COMPLETE", "PRUNED")]
    assert sorted(numbers) == sorted(t.number for t in done)  # each reported by one worker once
    assert len({json.dumps(t.params, sort_keys=True) for t in done}) == 9  # distinct params


def test_a_worker_killed_mid_trial_does_not_stop_the_study(database: str, tmp_path: Path) -> None:
    victim = start(database, "killed", 6, 1.0, tmp_path / "victim.json")
    storage = open_storage(StorageSpec(database))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the victim is inside a trial
        try:
            study = optuna.load_study(study_name="killed", storage=storage)
        except KeyError:
            study = None
        running = study.get_trials(states=(TrialState.RUNNING,)) if study else []
        mine = [t for t in running if t.user_attrs.get(WORKER_ATTR, "").endswith(f":{victim.pid}")]
        if mine and mine[0].params:  # inside the objective, parameters drawn
            break
        time.sleep(0.1)
    else:
        victim.kill()
        pytest.fail("the victim never started a trial")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    survivor = start(database, "killed", 6, 0.05, tmp_path / "survivor.json")
    assert survivor.wait(timeout=300) == 0
    trials = optuna.load_study(study_name="killed", storage=storage).get_trials()
    killed = [t for t in trials if t.user_attrs.get(WORKER_ATTR, "").endswith(f":{victim.pid}")]
    assert killed and killed[-1].state == TrialState.FAIL
    retry = [t for t in trials if t.system_attrs.get("failed_trial") == killed[-1].number]
    assert len(retry) == 1 and retry[0].params == killed[-1].params
    assert retry[0].state in (TrialState.COMPLETE, TrialState.PRUNED)
    assert len(finished(database, "killed")) == 6
    report = json.loads((tmp_path / "survivor.json").read_text())
    assert report["study_finished"] == 6
    assert killed[-1].number in [t["retry_of"] for t in report["trials"]]


def test_nothing_listening_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(TrackingUnreachableError) as caught:
        open_storage(StorageSpec(f"postgresql+psycopg://postgres@127.0.0.1:{port}/x"))
    assert caught.value.exit_code == 3
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_a_server_that_never_answers_is_unreachable_after_the_connect_timeout() -> None:
    with socket.socket() as silent:  # accepts TCP connections but never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/x"
        with pytest.raises(TrackingUnreachableError):
            open_storage(StorageSpec(url, connect_timeout=2))


def test_passwords_never_appear_in_what_is_shown(database: str) -> None:
    url = database.replace("postgres@", "postgres:s3cret-pw@")
    assert "s3cret-pw" not in display_url(url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TrackingUnreachableError) as caught:
        open_storage(StorageSpec(f"postgresql+psycopg://u:s3cret-pw@127.0.0.1:{port}/x"))
    assert "s3cret-pw" not in str(caught.value)


def test_a_missing_database_is_created_once(database: str) -> None:
    name = f"credit_tune_new_{uuid.uuid4().hex[:8]}"
    url = database.rsplit("/", 1)[0] + f"/{name}"
    try:
        optuna.create_study(storage=open_storage(StorageSpec(url)), study_name="s")
        again = optuna.load_study(study_name="s", storage=open_storage(StorageSpec(url)))
        assert again.study_name == "s"
    finally:
        drop_database(name)
