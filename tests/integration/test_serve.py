"""`credit serve` as a real process answering a real HTTP client: its decisions equal
`credit predict`'s; a promotion during load loses and duplicates nothing; a broken new
version leaves the old one serving; a token is required when one is set; SIGTERM during
load finishes the requests in flight and exits 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from tests.conftest import credit
from tests.integration.project import Project, Setup
from tests.integration.serving import Served, wait_for

from credit_mlops.data.schema import FEATURES
from credit_mlops.data.tables import read_table
from credit_mlops.ops.server import free_port
from credit_mlops.serve.journal import read_journal

pytestmark = pytest.mark.integration
NAME = "logistic_regression"
TARGET = f"{NAME}@production"
FAST = ("--cv-folds", "3", "--cv-repeats", "1")


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    train = ("train", "-m", NAME, *FAST)
    promote = ("promote", NAME, "1", "Production", "--force")
    return Setup("serve", commands=(train, train, promote))


@pytest.fixture(scope="module")
def applicants(proj: Project) -> list[dict[str, int]]:
    frame = read_table(proj.data_path)[list(FEATURES)]
    return [{k: int(v) for k, v in row.items()} for row in frame.to_dict("records")]


@pytest.fixture
def production(proj: Project) -> Iterator[None]:
    """The alias on version 1 before and after each test that moves it."""
    proj.client().set_registered_model_alias(NAME, "production", "1")
    yield
    proj.client().set_registered_model_alias(NAME, "production", "1")


def journal(proj: Project) -> list[dict[str, Any]]:
    return list(read_journal(proj.root / ".credit" / "journal"))


def test_decisions_equal_credit_predict(
    proj: Project, applicants: list[dict[str, int]], production: None, tmp_path: Path
) -> None:
    out = tmp_path / "predicted.csv"
    proj.ok("predict", TARGET, "--input", str(proj.data_path), "--output", str(out), "--explain")
    predicted = pd.read_csv(out)
    with Served(proj.root, TARGET) as server:
        answers: list[dict[str, Any]] = []
        for start in range(0, len(applicants), 250):
            reply = server.post({"applicants": applicants[start : start + 250], "reasons": 4})
            assert reply.status_code == 200, reply.text
            body = reply.json()
            assert body["model"]["name"] == NAME and body["model"]["version"] == "1"
            answers.extend(body["decisions"])
        info = server.get("/v1/model").json()
        refused = server.post({**applicants[0], "laufkont": 9})
        missing = server.post({k: v for k, v in applicants[0].items() if k != "alter"})
        unknown = server.post([applicants[0], {**applicants[1], "kredit": 1}])
        not_json = requests.post(server.url + "/v1/decisions", data=b"{", timeout=30)
        too_big = requests.post(server.url + "/v1/decisions", data=b" " * 2_000_000, timeout=30)
        twice = server.post({**applicants[0], "status": 4})  # laufkont's English name too
        form = requests.post(server.url + "/v1/decisions", data={"laufkont": 1}, timeout=30)
        for n in range(3):  # names a client makes up never become metric labels
            server.post({**applicants[0], f"made_up_{n}": 1})
        openapi = server.get("/openapi.json").json()
        metrics = server.get("/metrics").text
    assert len(answers) == len(predicted)
    assert [a["decision"] for a in answers] == predicted["decision"].tolist()
    assert [a["p_bad"] for a in answers] == pytest.approx(predicted["p_bad"].tolist(), rel=1e-12)
    for answer, (_, row) in zip(answers, predicted.iterrows(), strict=True):
        expected = [row[f"reason_{i}"] for i in range(1, 5) if isinstance(row[f"reason_{i}"], str)]
        assert answer["reasons"] == expected
    assert info["version"] == "1" and info["alias"] == "production"
    assert info["threshold"] == pytest.approx(0.16666, abs=0.2)  # from the run, not 0.5
    assert info["cost_matrix"] == {"accept_bad": 5.0, "reject_good": 1.0}
    rejected = int((predicted["decision"] == "reject").sum())
    assert f'credit_serve_decisions_total{{outcome="reject",version="1"}} {rejected}.0' in metrics
    assert "credit_serve_request_seconds_bucket" in metrics
    assert refused.status_code == 422 and refused.json()["column"] == "laufkont"
    assert "row 0" in refused.json()["error"]
    assert missing.status_code == 422 and missing.json()["column"] == "alter"
    assert unknown.status_code == 422 and unknown.json()["column"] == "kredit"
    assert not_json.status_code == 400 and too_big.status_code == 413
    assert twice.status_code == 422 and twice.json()["column"] == "laufkont"
    assert form.status_code == 415
    for reply in (refused, missing, unknown, not_json, too_big):
        assert "Traceback" not in reply.text
    assert 'credit_serve_validation_errors_total{column="laufkont"} 2.0' in metrics  # 9, twice
    assert 'credit_serve_validation_errors_total{column="other"} 4.0' in metrics  # 3 + kredit
    assert "made_up" not in metrics
    assert "/v1/decisions" in openapi["paths"]


def _load(server: Served, applicants: list[dict[str, int]], total: int, on_count: Any) -> Any:
    """`total` single-applicant requests at concurrency 8; (request id, version) or the
    error of each."""
    local = threading.local()
    done = [0]
    lock = threading.Lock()

    def one(i: int) -> tuple[str, str] | str:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        try:
            reply = session.post(
                server.url + "/v1/decisions?reasons=1",
                json=applicants[i % len(applicants)],
                timeout=60,
            )
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            return f"connection: {exc}"  # refused, reset, or a reply cut off by a kill -9
        with lock:
            done[0] += 1
            on_count(done[0])
        if reply.status_code != 200:
            return f"{reply.status_code}: {reply.text}"
        body = reply.json()
        return body["request_id"], body["model"]["version"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(total)))


def test_a_promotion_during_load_loses_nothing_and_a_broken_version_is_not_served(
    proj: Project, applicants: list[dict[str, int]], production: None, tmp_path: Path
) -> None:
    client = proj.client()
    before = {r["request_id"] for r in journal(proj)}
    moved = threading.Event()

    def promote_at(count: int) -> None:
        if count == 300 and not moved.is_set():
            moved.set()
            client.set_registered_model_alias(NAME, "production", "2")

    with Served(proj.root, TARGET, "--poll-seconds", "1") as server:
        results = _load(server, applicants, 2000, promote_at)
        errors = [r for r in results if isinstance(r, str)]
        assert errors == []
        versions = [v for _, v in results]
        assert set(versions) == {"1", "2"}, "the promotion was not followed during the load"
        # a version whose files cannot be loaded: version 2 goes on serving
        broken = tmp_path / "broken"
        broken.mkdir()
        (broken / "MLmodel").write_text("flavors: [\n")
        run_id = client.get_model_version(NAME, "1").run_id
        bad = str(client.create_model_version(NAME, source=str(broken), run_id=run_id).version)
        client.set_registered_model_alias(NAME, "production", bad)
        wait_for(lambda: server.get("/readyz").json()["status"] == "degraded")
        ready = server.get("/readyz")
        info = server.get("/v1/model").json()
        still = server.post(applicants[0])
        metrics = server.get("/metrics").text
        log = server.text()
        code = server.stop()
    assert ready.status_code == 200 and ready.json()["load_failure"]["version"] == bad
    assert info["version"] == "2" and info["load_failure"]["version"] == bad
    assert still.status_code == 200 and still.json()["model"]["version"] == "2"
    assert f"cannot serve {NAME} v{bad}" in log and f"still serving {NAME} v2" in log
    assert "credit_serve_model_load_failures_total 1.0" in metrics
    assert f'credit_serve_model_version{{model="{NAME}"}} 2.0' in metrics
    assert code == 0
    answered = {rid: version for rid, version in results}  # type: ignore[misc]
    written = [r for r in journal(proj) if r["request_id"] not in before]
    written = [r for r in written if r["request_id"] in answered]
    assert len(written) == len(answered) == 2000  # each decision once
    assert all(r["version"] == answered[r["request_id"]] for r in written)


def test_a_token_is_required_when_one_is_set(proj: Project, production: None) -> None:
    token = "s3cret-token-" + "x" * 20
    with Served(proj.root, TARGET, env={"CREDIT_SERVE__TOKEN": token}) as server:
        none = server.get("/v1/model")
        wrong = server.get("/v1/model", headers={"Authorization": "Bearer nope"})
        right = server.get("/v1/model", headers={"Authorization": f"Bearer {token}"})
        health = server.get("/healthz")
        log = server.text()
    assert none.status_code == 401 and wrong.status_code == 401 and right.status_code == 200
    assert health.status_code == 200
    assert token not in log


def test_a_non_loopback_address_needs_a_token(proj: Project) -> None:
    result = proj.invoke("serve", TARGET, "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "CREDIT_SERVE__TOKEN" in result.output and "--insecure" in result.output


def test_sigterm_during_load_finishes_the_requests_in_flight(
    proj: Project, applicants: list[dict[str, int]], production: None
) -> None:
    before = {r["request_id"] for r in journal(proj)}
    server = Served(proj.root, TARGET)
    server.wait_ready()

    def stop_at(count: int) -> None:
        if count == 200:
            os.killpg(server.proc.pid, signal.SIGTERM)

    try:
        results = _load(server, applicants, 600, stop_at)
        code = server.proc.wait(60)
    finally:
        server.stop()
    answered = [r for r in results if isinstance(r, tuple)]
    failed = [r for r in results if isinstance(r, str)]
    assert code == 0
    assert len(answered) >= 200
    # after SIGTERM new connections are refused; nothing is answered with an error
    assert all(f.startswith("connection") for f in failed), failed[:3]
    written = [r["request_id"] for r in journal(proj) if r["request_id"] not in before]
    assert sorted(written) == sorted(rid for rid, _ in answered)


def test_kill_9_loses_at_most_the_requests_in_flight(
    proj: Project, applicants: list[dict[str, int]], production: None
) -> None:
    before = {r["request_id"] for r in journal(proj)}
    server = Served(proj.root, TARGET)
    server.wait_ready()

    def kill_at(count: int) -> None:
        if count == 150:
            os.killpg(server.proc.pid, signal.SIGKILL)

    try:
        results = _load(server, applicants, 400, kill_at)
    finally:
        server.stop()
    answered = {r[0] for r in results if isinstance(r, tuple)}
    written = [r["request_id"] for r in journal(proj) if r["request_id"] not in before]
    assert len(written) == len(set(written))  # nothing twice
    assert answered <= set(written)  # every answered decision was journaled
    assert len(set(written) - answered) <= 8  # beyond that, only requests in flight


def _listening(port: int) -> int:
    """How many listening TCP sockets this machine has on 127.0.0.1:`port`."""
    local = f"0100007F:{port:04X}"  # /proc/net/tcp: little-endian address, hex port
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split()[1] == local and line.split()[3] == "0A")


def _journal_pids(proj: Project) -> set[str]:
    """The worker processes that have journal files (a file is named by its writer's pid)."""
    return {p.name.split("-")[2] for p in (proj.root / ".credit" / "journal").glob("*.jsonl")}


def test_two_workers_share_the_port_the_metrics_and_stop_on_sigterm(
    proj: Project, applicants: list[dict[str, int]], production: None
) -> None:
    before = {r["request_id"] for r in journal(proj)}
    pids_before = _journal_pids(proj)
    with Served(proj.root, TARGET, "--workers", "2") as server:
        wait_for(lambda: _listening(server.port) == 2)  # each worker on a socket of its own
        results = _load(server, applicants, 300, lambda count: None)
        fresh = []
        for applicant in applicants[:200]:  # each on a new connection, which either may take
            reply = requests.post(server.url + "/v1/decisions", json=applicant, timeout=60)
            assert reply.status_code == 200, reply.text
            fresh.append(reply.json()["request_id"])
            if len(_journal_pids(proj) - pids_before) == 2:
                break
        assert len(_journal_pids(proj) - pids_before) == 2  # both workers decided
        second = proj.invoke("serve", TARGET, "--port", str(server.port))
        assert second.exit_code == 2 and f"port {server.port} is in use" in second.output
        metrics = server.get("/metrics").text
        code = server.stop()
    assert code == 0
    assert _listening(server.port) == 0
    answered = [r for r in results if isinstance(r, tuple)]
    assert len(answered) == 300
    rows = [r for r in journal(proj) if r["request_id"] not in before]
    expected = [rid for rid, _ in answered] + fresh
    assert sorted(r["request_id"] for r in rows) == sorted(expected)  # each once
    decided = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("credit_serve_decisions_total{")
    )
    assert decided == len(expected)  # both workers' counters, whichever answered /metrics


def _children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid) and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def test_workers_end_with_a_main_process_killed_with_sigkill(
    proj: Project, applicants: list[dict[str, int]], production: None
) -> None:
    from credit_mlops.ops.server_processes import alive

    server = Served(proj.root, TARGET, "--workers", "2")
    try:
        server.wait_ready()
        wait_for(lambda: _listening(server.port) == 2)
        main = server.proc.pid
        workers = _children(main)
        assert len(workers) >= 2, workers
        assert server.post(applicants[0]).status_code == 200
        second = proj.invoke("serve", TARGET, "--port", str(server.port))
        assert second.exit_code == 2
        assert f"a worker of credit serve process {main} ({TARGET})" in second.output
        assert f"kill {main}" in second.output and "Traceback" not in second.output
        os.kill(main, signal.SIGKILL)
        server.proc.wait(30)
        wait_for(lambda: not [p for p in workers if alive(p)], timeout=90)  # polled
        assert _listening(server.port) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(server.url + "/readyz", timeout=10)
    finally:
        server.stop()
    from credit_mlops.serve.ports import hold_port

    hold_port("127.0.0.1", server.port).close()  # the port is free for a new service


def test_a_hangup_stops_a_service_with_workers_as_sigterm_does(
    proj: Project, applicants: list[dict[str, int]], production: None
) -> None:
    """uvicorn's supervisor restarts its workers on SIGHUP; a closed terminal must stop the
    service instead (its own process group gets the hangup), its workers with it."""
    from credit_mlops.ops.server_processes import alive

    server = Served(proj.root, TARGET, "--workers", "2")
    try:
        server.wait_ready()
        wait_for(lambda: _listening(server.port) == 2)
        workers = _children(server.proc.pid)
        assert server.post(applicants[0]).status_code == 200
        server.proc.send_signal(signal.SIGHUP)
        assert server.proc.wait(60) == 0
        wait_for(lambda: not [p for p in workers if alive(p)], timeout=60)
        assert _listening(server.port) == 0
    finally:
        server.stop()


def test_monitor_served_reports_each_version_on_its_journal(proj: Project) -> None:
    import json

    rows = journal(proj)
    result = proj.invoke("monitor", TARGET, "--served", "-f", "json")
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    counts = {v: sum(1 for r in rows if r["version"] == v) for v in {r["version"] for r in rows}}
    assert {r["version"]: r["rows"] for r in reports} == counts
    assert set(counts) >= {"1", "2"}  # the promotion test served both
    assert all(len(r["stability"]) == 21 for r in reports)  # 20 columns and the score
    private = proj.invoke(
        "monitor", TARGET, "--served", "-f", "json", CREDIT_SERVE__JOURNAL_HASH='["alter"]'
    )
    assert private.exit_code == 0, private.output
    names = {row["name"] for row in json.loads(private.stdout)[0]["stability"]}
    assert "alter" not in names and len(names) == 20  # a hashed column is not compared
    later = proj.invoke("monitor", TARGET, "--served", "--since", "2999-01-01")
    assert later.exit_code == 2 and "no decisions" in later.output
    _damaged_journals_are_reported_around(proj, rows[0], counts)


def _damaged_journals_are_reported_around(
    proj: Project, row: dict[str, Any], counts: dict[str, int]
) -> None:
    """Lines cut off or edited are skipped and said; a version no longer registered is left
    out and said; a refusal writes no run."""
    import json

    folder = proj.root / ".credit" / "journal"
    gone = json.dumps({**row, "version": "99", "request_id": "gone"})
    (folder / "decisions-29990101-1-1.jsonl").write_text(
        f"garbage\n[1, 2]\n{gone}\n" + '{"time": "cut off by a crash\n', encoding="utf-8"
    )
    result = proj.invoke("monitor", TARGET, "--served", "-f", "json")
    assert result.exit_code == 0, result.output
    assert {r["version"]: r["rows"] for r in json.loads(result.stdout)} == counts
    assert "note: 3 journal line(s) skipped" in result.stderr  # a cut-off last line is not
    assert f"{NAME} v99 is no longer registered" in result.stderr
    edited = json.dumps({**row, "laufkont": 99, "request_id": "edited"})
    (folder / "decisions-29990101-1-2.jsonl").write_text(edited + "\n", encoding="utf-8")
    before = proj.runs()
    refused = proj.invoke("monitor", TARGET, "--served")
    assert refused.exit_code == 2 and "or was edited" in refused.output
    assert proj.runs() == before  # nothing logged for any version
    for path in folder.glob("decisions-29990101-*"):
        path.unlink()


def _damaged_copy(proj: Project, tmp_path: Path, scale: str) -> tuple[str, Path]:
    """Version 1's logged model copied with its `credit/decision.json` changed, registered
    as a model of its own ("NAME/1" to serve)."""
    import shutil

    client = proj.client()
    version = client.get_model_version(NAME, "1")
    model_id = str(version.source).removeprefix("models:/")  # the logged model's id
    logged = proj.root / ".credit" / "artifacts" / "models" / model_id / "artifacts"
    folder = tmp_path / "damaged"
    shutil.copytree(logged, folder)
    decision = folder / "credit" / "decision.json"
    stored = json.loads(decision.read_text())
    decision.write_text(json.dumps(stored).replace('"pdo": 20.0', scale))
    assert decision.read_text() != json.dumps(stored)
    name = f"damaged_{tmp_path.name[-12:].replace('-', '_')}"
    client.create_registered_model(name)
    client.create_model_version(name, source=str(folder), run_id=version.run_id)
    return f"{name}/1", folder


@pytest.mark.parametrize(
    ("scale", "why"),
    [
        ('"pdo": NaN', "scale 'pdo' is nan, not a finite number"),
        ('"pdo": 0', "scale 'pdo' is 0, not above 0"),
    ],
)
def test_a_changed_decision_file_refuses_serve_and_mlflow_s_own_loader(
    proj: Project, tmp_path: Path, scale: str, why: str
) -> None:
    """It answered every request 500 (NaN, journaled as a bare NaN) or one score for every
    applicant (pdo 0) while /readyz said ready: now nothing serves or loads it."""
    import sys

    target, folder = _damaged_copy(proj, tmp_path, scale)
    served = credit(["serve", target, "--port", str(free_port())], proj.root, timeout=300)
    lines = (served.stdout + served.stderr).strip().splitlines()
    assert served.returncode == 2, lines
    assert lines == [lines[0]] and lines[0].startswith(f"error: cannot serve {target}: ")
    assert "credit/decision.json" in lines[0] and why in lines[0]
    assert lines[0].endswith("train and register the model again")
    code = f"import mlflow.pyfunc; mlflow.pyfunc.load_model({str(folder)!r})"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert loaded.returncode != 0
    assert "DamagedModel: credit/decision.json" in loaded.stderr and why in loaded.stderr


def test_a_token_no_client_can_send_refuses_the_start(proj: Project) -> None:
    token = "abcdefgh\x1b[2Jijklmnop-secret"
    env = {"CREDIT_SERVE__TOKEN": token}
    served = credit(["serve", TARGET, "--port", str(free_port())], proj.root, env, timeout=120)
    output = served.stdout + served.stderr
    assert served.returncode == 2, output
    assert len(output.strip().splitlines()) == 1 and "CREDIT_SERVE__TOKEN" in output
    assert "ijklmnop" not in output and "\x1b" not in output
