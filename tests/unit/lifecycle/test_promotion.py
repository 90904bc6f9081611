"""The promotion gate and its bookkeeping, as pure rules."""

from __future__ import annotations

import json

import pytest

from credit_mlops.errors import InputError, NotFoundError
from credit_mlops.lifecycle.promotion import (
    LAST_PROMOTION_TAG,
    PROMOTION_TAG,
    GateRefusedError,
    Promotion,
    alias_changes,
    check_gate,
    history,
    plan,
    record_tags,
)
from credit_mlops.tracking.records import VersionRecord


def v(version: str, stage: str = "None", run: str = "") -> VersionRecord:
    return VersionRecord("m", version, run or f"r{version}", stage)


def gate(
    candidate: float | None,
    incumbent: float | None,
    *,
    to_stage: str = "Production",
    incumbent_version: str | None = "1",
    force: bool = False,
) -> None:
    check_gate(
        "m",
        "2",
        to_stage,
        metric="roc_auc_test_mean",
        candidate=candidate,
        incumbent_version=incumbent_version,
        incumbent_value=incumbent,
        force=force,
    )


def test_worse_candidate_is_refused_with_both_figures() -> None:
    with pytest.raises(GateRefusedError) as info:
        gate(0.6833, 0.7773)
    assert str(info.value) == (
        "refused: m v2 has roc_auc_test_mean 0.6833, worse than Production v1 (0.7773); "
        "use --force to promote anyway"
    )
    assert info.value.exit_code == 2


def test_missing_metric_is_refused() -> None:
    with pytest.raises(GateRefusedError, match="has roc_auc_test_mean missing, worse"):
        gate(None, 0.7)


@pytest.mark.parametrize(
    "kw", [{"incumbent_version": None}, {"incumbent": None}], ids=["first", "incumbent-without"]
)
def test_a_production_candidate_without_the_metric_is_refused(kw: dict[str, object]) -> None:
    """Nothing to compare: the gate would pass a never-evaluated version, or a typo."""
    with pytest.raises(GateRefusedError) as info:
        check_gate(
            "m",
            "2",
            "Production",
            metric="roc_auc_tset_mean",
            candidate=None,
            incumbent_version=kw.get("incumbent_version", "1"),  # type: ignore[arg-type]
            incumbent_value=kw.get("incumbent", 0.7),  # type: ignore[arg-type]
            force=False,
            known=["accuracy_test_mean", "roc_auc_test_mean", "roc_auc_test_std"],
        )
    assert str(info.value) == (
        "refused: m v2 has no roc_auc_tset_mean (did you mean roc_auc_test_mean?), so the gate "
        "cannot check it (it was trained with --no-evaluate, or the metric's name is wrong): "
        "train it again without --no-evaluate, set tracking.primary_metric (env "
        "CREDIT_TRACKING__PRIMARY_METRIC) to a metric its run logged, or use --force to "
        "promote anyway"
    )
    gate(None, None, incumbent_version=None, force=True)  # --force still promotes it
    gate(None, None, incumbent_version=None, to_stage="Staging")  # only Production is gated


@pytest.mark.parametrize(
    "kw",
    [
        {"candidate": 0.8, "incumbent": 0.7},  # better
        {"candidate": 0.7, "incumbent": 0.7},  # equal passes
        {"candidate": 0.1, "incumbent": 0.7, "force": True},
        {"candidate": 0.1, "incumbent": None},  # incumbent without the metric
        {"candidate": 0.1, "incumbent": 0.7, "incumbent_version": None},  # no incumbent
        {"candidate": 0.1, "incumbent": 0.7, "to_stage": "Staging"},  # gate guards Production
    ],
)
def test_gate_lets_these_through(kw: dict[str, object]) -> None:
    gate(**kw)  # type: ignore[arg-type]


def test_plan_finds_incumbent_and_what_to_archive() -> None:
    versions = [v("1", "Production"), v("2", "Staging"), v("3"), v("4", "Production")]
    move = plan(versions, "m", "3", "Production")
    assert move.from_stage == "None"
    assert move.incumbent == versions[3]  # the newest in Production
    assert [r.version for r in move.replaced] == ["1", "4"]
    assert plan(versions, "m", "3", "Production", keep_existing=True).replaced == ()
    assert plan(versions, "m", "3", "Archived").replaced == ()


def test_plan_refuses_a_no_op_and_an_unknown_version() -> None:
    with pytest.raises(InputError, match="m v2 is already in Staging; nothing to do"):
        plan([v("1"), v("2", "Staging")], "m", "2", "Staging")
    with pytest.raises(NotFoundError, match=r"model 'm' has no version 9 \(versions: 1, 2\)"):
        plan([v("1"), v("2")], "m", "9", "Staging")


def test_stage_aliases_follow_the_version() -> None:
    aliases = {"staging": "3", "production": "1", "champion": "3"}
    assert alias_changes(aliases, "3", "Production") == (["staging"], "production")
    assert alias_changes(aliases, "3", "Archived") == (["staging"], None)
    assert alias_changes(aliases, "1", "Production") == ([], "production")


def test_records_round_trip_through_tags_oldest_first() -> None:
    first = Promotion("m", "1", "None", "Staging", "2026-11-27T15:48:00.000001+00:00", "ana",
                      "auc", 0.7, None, None, False)  # fmt: skip
    second = Promotion("m", "2", "None", "Production", "2026-11-27T15:49:00.000001+00:00", "bo",
                       "auc", 0.8, 0.7, "1", True, archived=("1",))  # fmt: skip
    tags_1, tags_2 = record_tags(first), record_tags(second)
    assert set(tags_1) == {f"{PROMOTION_TAG}20261127T154800000001_0000", LAST_PROMOTION_TAG}
    assert "name" not in json.loads(tags_2[LAST_PROMOTION_TAG])
    versions = [
        VersionRecord("m", "2", "r2", "Production", tags=tags_2),
        VersionRecord("m", "1", "r1", "Staging", tags=tags_1),
    ]
    assert history("m", versions) == [first, second]
