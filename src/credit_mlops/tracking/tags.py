"""Tags `credit` sets on runs to find them again: what kind of run, and which process."""

from __future__ import annotations

KIND_TAG = "credit.kind"
TUNE_KIND = "tune"
TRIAL_KIND = "tune_trial"
# The `credit` process logging a run (`<host>-<pid>`): once it is gone, a run it left
# RUNNING is ended by the next process to look (`tracking.orphans`).
PROCESS_TAG = "credit.process"
ENDED_BY_TAG = "credit.ended_by"
# `<host>-<pid>` of the worker that owned a tune parent run, on runs logged before every
# run carried PROCESS_TAG; read, never written
WORKER_TAG = "credit.tune_worker"
