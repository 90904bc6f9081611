"""The RBF SVM's row limit: how one CV fit's cost grows with the rows (issue 12, part 3).

One CV fit is one fold task of `credit train --model svm` exactly as the cross-validation
runs it (modeling.cv._fold_task: threshold rule, fit of preprocess + BorderlineSMOTE +
CalibratedClassifierCV(SVC rbf, cv=5) on the fold's training rows, predict_proba on the
test and training rows), single-threaded, on the first fold of a 5-fold split of --sizes
synthetic rows (`credit data synth`'s generator). It prints CPU and wall seconds per
size, the fitted growth law  cpu_seconds = A * (fold_rows / 10,000) ** B  (least squares in
log-log, over every size and over the two largest, which set the limit), and the row limit
where one fit passes --budget seconds: the constants `modeling/svm_scale.py` carries. Run
it on a quiet machine and copy them there.

--approx times the same fold task for the kernel approximation (`--svm-approx`: Nystroem +
linear SVM); it should grow about linearly.

    python benchmarks/svm_limit.py [--sizes 2000,5000,10000,20000] [--approx] [--budget 600]
    python benchmarks/svm_limit.py --approx --class-weight --sizes 10000,100000,1000000

Pin it to one core for steadier figures: taskset -c 0 python benchmarks/svm_limit.py
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import replace

FOLDS = 5


def fold_task_seconds(
    rows: int, *, approx: bool, class_weight: bool = False, seed: int = 42
) -> tuple[int, float, float]:
    """(fold training rows, CPU s, wall s) of one CV fold task of the svm key on `rows` rows."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from credit_mlops.config.train import TrainSettings
    from credit_mlops.data.schema import FEATURES, TARGET
    from credit_mlops.data.synth import synthesize
    from credit_mlops.modeling.build import PipelineConfig, ResamplingConfig, target_bad
    from credit_mlops.modeling.cv import _fold_task

    frame = synthesize(rows, seed=seed)
    X, y = frame[list(FEATURES)], target_bad(frame[TARGET])
    train_idx, test_idx = next(
        StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(rows), y)
    )
    config = PipelineConfig(seed=seed, resampling=ResamplingConfig("BorderlineSMOTE"))
    if class_weight:  # the scale path: no oversampling, balanced class weights
        config = replace(config, resampling=None, class_weight=True)
    if approx:
        config = replace(config, svm_approx=TrainSettings().svm_approx_components)
    cpu, wall = time.process_time(), time.perf_counter()
    _fold_task("svm", config, X, y, train_idx, test_idx)
    return len(train_idx), time.process_time() - cpu, time.perf_counter() - wall


def growth(xs: list[int], ys: list[float]) -> tuple[float, float]:
    """(A, B) of ys = A * (xs / 10,000) ** B, least squares in log-log."""
    lx = [math.log(x / 10_000) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    b = sum((a - mx) * (c - my) for a, c in zip(lx, ly, strict=True)) / sxx if sxx else 1.0
    return math.exp(my - b * mx), b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,5000,10000,20000")
    parser.add_argument("--approx", action="store_true", help="time --svm-approx instead")
    parser.add_argument(
        "--class-weight",
        action="store_true",
        help="class weights instead of BorderlineSMOTE (its own row limit stops it at scale)",
    )
    parser.add_argument("--budget", type=float, default=600.0, help="seconds of one CV fit")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    fold_rows: list[int] = []
    cpus: list[float] = []
    label = "svm (Nystroem approximation)" if args.approx else "svm (exact RBF)"
    weighted = args.class_weight
    sampling = "class weights" if weighted else "BorderlineSMOTE"
    print(f"{label}, {sampling}: one CV fold task, single-threaded")
    print(f"{'rows':>10} {'fold rows':>10} {'cpu s':>10} {'wall s':>10}")
    fold_task_seconds(500, approx=args.approx, class_weight=weighted)  # warm-up: lazy imports
    for rows in sizes:
        n, cpu, wall = fold_task_seconds(rows, approx=args.approx, class_weight=weighted)
        fold_rows.append(n)
        cpus.append(cpu)
        print(f"{rows:>10,} {n:>10,} {cpu:>10.2f} {wall:>10.2f}", flush=True)
    if len(sizes) < 2:
        return
    a, b = growth(fold_rows, cpus)
    print(f"growth over every size: cpu_seconds = {a:.3f} * (fold_rows / 10,000) ** {b:.3f}")
    # The limit extrapolates from the top: the slope steepens with the rows (cache misses
    # of the kernel cache), so the two largest sizes give the law nearest the limit.
    a, b = growth(fold_rows[-2:], cpus[-2:])
    print(f"growth over the two largest: cpu_seconds = {a:.3f} * (fold_rows / 10,000) ** {b:.3f}")
    if args.approx:  # no limit for the approximation: the slope is the figure
        return
    print(f"  -> modeling/svm_scale.py: FOLD_SECONDS_AT_10K = {a:.1f}, GROWTH_EXPONENT = {b:.2f}")
    if b > 0:
        limit_fold = 10_000 * (args.budget / a) ** (1 / b)
        limit = int(limit_fold * FOLDS / (FOLDS - 1))
        print(
            f"one CV fit passes {args.budget:.0f} s at about {limit_fold:,.0f} fold rows, "
            f"i.e. {limit:,} training rows ({FOLDS} folds): the default train.svm_max_rows"
        )


if __name__ == "__main__":
    sys.exit(main())
