"""`credit train --engine spark` as the rows grow, the pandas engine beside it (`make
bench-scale`; a benchmark, not a test).

For each of --sizes synthetic rows (`credit data synth`, Parquet, written in chunks): one
`credit train --engine spark` of logistic regression and XGBoost on --master (local[2] by
default), 3-fold CV with one repeat, logged and registered to a fresh local store; then the
pandas engine on the same file with class weights (what Spark uses) up to --pandas-max-rows.
Each row: wall and CPU seconds, and the peak resident memory of the command's whole process
tree (the driver's Python, Spark's JVM - driver and executors in local mode - and its Python
workers), sampled from /proc. The growth exponent is the log-log slope between sizes.
Figures from a loaded machine are indicative only.

    python benchmarks/spark_train.py [--sizes 100000,1000000,10000000] [--pandas-max-rows N]
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provenance
from harness import CREDIT, Project
from scale import measure, sizes, synth_file

MODELS = "logistic_regression,xgboost"
CV = ["--cv-folds", "3", "--cv-repeats", "1"]


def train(folder: Path, data: Path, engine: str, master: str) -> dict[str, float | str]:
    args = [CREDIT, "train", "--data", str(data), "-m", MODELS, *CV, "--json"]
    if engine == "spark":
        args += ["--engine", "spark", "--spark-master", master]
    else:
        args += ["--class-weight", "--no-smote"]
    return measure(args, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--pandas-max-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    begun = provenance.start()
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        project = Project(Path(tmp))
        project.init_store()
        say(f"credit train -m {MODELS} (3-fold CV, one repeat), {args.master}")
        say(f"{'rows':>12} {'engine':>7} {'wall s':>9} {'cpu s':>9} {'peak MiB':>9}")
        figures: dict[str, list[tuple[int, float]]] = {"spark": [], "pandas": []}
        for rows in sizes(args.sizes):
            data = synth_file(Path(tmp), rows, "parquet")
            engines = ["spark"] + (["pandas"] if rows <= args.pandas_max_rows else [])
            for engine in engines:
                folder = project.fresh(f"{engine}-{rows}")
                try:
                    got = train(folder, data, engine, args.master)
                except SystemExit as failed:  # a size that does not train is a figure too
                    first = str(failed).strip().splitlines()
                    say(f"{rows:>12,} {engine:>7} failed: {first[-1] if first else failed}")
                    continue
                figures[engine].append((rows, float(got["wall"])))
                line = f"{rows:>12,} {engine:>7} {got['wall']:>9.1f} {got['cpu']:>9.1f}"
                say(f"{line} {got['peak']:>9,.0f}")
        for engine, points in figures.items():
            for (n0, t0), (n1, t1) in itertools.pairwise(points):
                slope = math.log(t1 / t0) / math.log(n1 / n0)
                say(f"{engine}: growth exponent {slope:.2f} from {n0:,} to {n1:,} rows")
    path = provenance.record(
        "spark-train", begun, title="Training on Spark beside pandas", lines=lines
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
