"""The random forest at 1M rows: how one CV fold task's cost grows with the rows (issue 12).

`make bench-scale` runs `credit train --model random_forest` whole (5x3 CV and the final fit,
16 fits of 300 trees); at 1,000,000 rows that is hours on two cores, so this script measures
the growth law instead. One CV fold task exactly as the cross-validation runs it
(modeling.cv._fold_task on the first fold of a 5-fold split of `credit data synth` rows, class
weights, no oversampling: the scale path), single-threaded, with --trees trees instead of the
catalogue's 300. A forest's trees are grown independently on bootstrap samples of the same
size, so a fit's CPU time and the fitted model's size are proportional to the number of
trees; the script prints the measured seconds, the fitted exponent, the whole `credit train`
extrapolated to the catalogue's trees (16 fits on 2 cores), and the pickled size of the
fitted forest at the catalogue's trees (from a two-tree fit: fully grown trees have nodes in
proportion to their rows, so one fold's model alone can pass the memory budget).

Above train.forest_scale_rows training rows (--scale-rows, 0 for the catalogue's defaults)
the forest draws a bounded sample per tree and grows its leaf with the rows, as `credit
train` does (modeling/forest_scale.py); the last column is this process's peak resident
memory so far (it only grows: the largest size's figure is the peak).

    python benchmarks/forest_growth.py [--sizes 10000,100000,1000000] [--trees 10]
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace

import provenance
from svm_limit import growth

FOLDS, REPEATS, CORES = 5, 3, 2


def _params(rows: int, trees: int, scale_rows: int) -> dict[str, dict[str, object]]:
    """The forest's parameters as `credit train` sets them for `rows` training rows."""
    from credit_mlops.modeling.forest_scale import with_scaled_forest

    return with_scaled_forest({"random_forest": {"n_estimators": trees}}, rows, scale_rows)


def fold_task_seconds(
    rows: int, trees: int, scale_rows: int, seed: int = 42
) -> tuple[int, float, float]:
    """(fold training rows, CPU s, wall s) of one random-forest CV fold task on `rows` rows."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from credit_mlops.data.schema import FEATURES, TARGET
    from credit_mlops.data.synth import synthesize
    from credit_mlops.modeling.build import PipelineConfig, target_bad
    from credit_mlops.modeling.cv import _fold_task

    frame = synthesize(rows, seed=seed)
    X, y = frame[list(FEATURES)], target_bad(frame[TARGET])
    train_idx, test_idx = next(
        StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(rows), y)
    )
    config = PipelineConfig(seed=seed, resampling=None, class_weight=True)
    config = replace(config, model_params=_params(rows, trees, scale_rows))
    cpu, wall = time.process_time(), time.perf_counter()
    _fold_task("random_forest", config, X, y, train_idx, test_idx)
    return len(train_idx), time.process_time() - cpu, time.perf_counter() - wall


def forest_mib(rows: int, trees: int, scale_rows: int, seed: int = 42) -> float:
    """Pickled MiB of the fitted random-forest model (the whole pipeline) with `trees` trees,
    extrapolated from a two-tree fit on `rows` rows."""
    import pickle

    from credit_mlops.data.schema import FEATURES, TARGET
    from credit_mlops.data.synth import synthesize
    from credit_mlops.modeling.build import PipelineConfig, build_model, target_bad

    frame = synthesize(rows, seed=seed)
    X, y = frame[list(FEATURES)], target_bad(frame[TARGET])
    config = PipelineConfig(seed=seed, resampling=None, class_weight=True)
    config = replace(config, model_params=_params(rows, 2, scale_rows))
    model = build_model("random_forest", config, 0.5).fit(X, y)
    return len(pickle.dumps(model)) / 2 * trees / 2**20


def main() -> None:
    import resource

    from credit_mlops.modeling.estimators import estimator
    from credit_mlops.modeling.forest_scale import DEFAULT_SCALE_ROWS

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--trees", type=int, default=10)
    parser.add_argument("--scale-rows", type=int, default=DEFAULT_SCALE_ROWS)
    args = parser.parse_args()
    begun = provenance.start()
    full = int(estimator("random_forest", 42).get_params()["n_estimators"])
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    scaled = f"scaled above {args.scale_rows:,} rows" if args.scale_rows else "catalogue defaults"
    say(f"random forest ({scaled}), class weights: one CV fold task, {args.trees} trees")
    header = f"{'rows':>10} {'fold rows':>10} {'cpu s':>8} {'wall s':>8} {'train, est. s':>14}"
    # est. MiB: from a two-tree fit, scaled to the catalogue's trees
    say(f"{header} {'est. MiB':>10} {'peak RSS MiB':>13}")
    fold_task_seconds(500, args.trees, args.scale_rows)  # warm-up: lazy imports
    fold_rows, cpus = [], []
    for rows in sizes:
        n, cpu, wall = fold_task_seconds(rows, args.trees, args.scale_rows)
        fold_rows.append(n)
        cpus.append(cpu)
        # the whole train: 5x3 folds and a final fit on 5/4 the rows, 300 trees, 2 cores
        per_tree = cpu / args.trees
        train_s = per_tree * full * (FOLDS * REPEATS + (FOLDS / (FOLDS - 1))) / CORES
        mib = forest_mib(rows, full, args.scale_rows)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        line = f"{rows:>10,} {n:>10,} {cpu:>8.1f} {wall:>8.1f} {train_s:>14,.0f}"
        say(f"{line} {mib:>10,.0f} {peak:>13,.0f}")
    if len(sizes) > 1:
        _, b = growth(fold_rows, cpus)
        last = math.log(cpus[-1] / cpus[-2]) / math.log(fold_rows[-1] / fold_rows[-2])
        say(f"growth exponent: {b:.2f} over every size, {last:.2f} over the last two")
    path = provenance.record(
        "forest-growth", begun, title="The random forest beyond whole training", lines=lines
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
