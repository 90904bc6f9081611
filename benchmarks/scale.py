"""How cost grows with the rows (`make bench-scale`), issue 12's targets beside each figure.

Sections (choose with --only; every size is a flag, so a small run is quick):

- read:    read + validate CSV (space, comma, gzip) and Parquet of --read-rows rows,
           in a fresh process each (the library call, and the whole `credit data validate`)
- synth:   `credit data synth` of --synth-rows rows, CSV and Parquet
- train:   `credit train` per model (--models) at each of --sizes synthetic rows, 5x3 CV,
           logged to a local store: wall, CPU and peak memory of the whole process tree,
           and the growth exponent (log-log slope); with BorderlineSMOTE and with class weights
           instead (--class-weight --no-smote). Above train.smote_max_rows training rows
           `credit train` refuses oversampling: its one-line refusal (with the estimate) is the row
- predict: `credit predict` throughput on --predict-rows rows, logistic regression and xgboost
- spark:   `credit predict --engine spark` on --spark-rows rows beside the pandas engine

Wall time of each command is measured from outside; memory and CPU are sampled from /proc
for the command and every process it starts (CPU also from the kernel's account of the
command and its reaped children; the larger is shown). Medians of --repeats runs.

    python benchmarks/scale.py [--only read,synth,train,predict,spark] [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provenance
from harness import CREDIT, Bench, PeakRSS, Project, clean_env, median, render

TICK = os.sysconf("SC_CLK_TCK")
MODELS = "logistic_regression,decision_tree,random_forest,xgboost,svm,svm-approx"
GROWTH_TARGET = 1.1  # exponent between the last two sizes, for all models but svm
# `credit train` refuses oversampling, and the exact svm alone, above these many training rows
REFUSED = ("train.smote_max_rows", "train.svm_max_rows")
VARIANTS = (
    ("BorderlineSMOTE", []),
    ("class weights", ["--class-weight", "--no-smote"]),
)


class TreeSample(PeakRSS):
    """Peak resident memory (sum over the tree) and CPU seconds of a process and descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(pid)
        self.cpu: dict[int, float] = {}

    @property
    def peak_mib(self) -> float:
        return self.peak_kb / 1024

    def _sample(self, pid: int) -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError):
            pass
        return super()._sample(pid)


def measure(args: list[str], cwd: Path) -> dict[str, float | str]:
    """wall s, cpu s, peak MiB and stdout of one command; a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    with TreeSample(proc.pid) as tree:
        out, err = proc.communicate()
    wall = time.perf_counter() - start
    # a row limit: the refusal line (with its estimate) is the figure
    if proc.returncode == 2 and any(limit in err for limit in REFUSED):
        return {"wall": wall, "cpu": 0.0, "peak": 0.0, "out": "", "refused": err.strip()}
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu = max(reaped, sum(tree.cpu.values()))  # workers nobody reaped are only sampled
    return {"wall": wall, "cpu": cpu, "peak": tree.peak_mib, "out": out}


def repeat(b: Bench, args: list[str], cwd: Path) -> dict[str, float]:
    runs = [measure(args, cwd) for _ in range(b.repeats)]
    return {k: median([float(r[k]) for r in runs]) for k in ("wall", "cpu", "peak")}


def sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s]


def synth_file(folder: Path, rows: int, fmt: str, seed: int = 0) -> Path:
    path = folder / f"synth-{rows}-seed{seed}.{'parquet' if fmt == 'parquet' else 'csv'}"
    if not path.exists():
        measure(
            [
                CREDIT,
                "data",
                "synth",
                "--rows",
                str(rows),
                "--seed",
                str(seed),
                "--output",
                str(path),
                "--format",
                fmt,
            ],
            folder,
        )
    return path


ID_SNIPPET = """
import sys, pandas as pd
frame = pd.read_parquet(sys.argv[1]).drop(columns=["kredit"])
frame.insert(0, "id", [f"A-{i}" for i in range(len(frame))])
frame.to_parquet(sys.argv[2])
"""


def applicants_file(folder: Path, rows: int) -> Path:
    """Applicants to score: synthetic rows without the target, with an id column."""
    path = folder / f"applicants-{rows}.parquet"
    if not path.exists():
        source = synth_file(folder, rows, "parquet", seed=3)
        subprocess.run([sys.executable, "-c", ID_SNIPPET, str(source), str(path)], check=True)
    return path


READ_SNIPPET = """
import sys, time
from pathlib import Path
t = time.perf_counter()
from credit_mlops.data.checks import validate_frame
from credit_mlops.data.formats import read_frame
frame = read_frame(Path(sys.argv[1]))
validate_frame(frame, source=sys.argv[1])
print(time.perf_counter() - t)
"""


def bench_read(b: Bench, folder: Path, args: argparse.Namespace) -> None:
    rows = args.read_rows
    frame_files = {
        "CSV, space-separated": synth_file(folder, rows, "csv"),
        "Parquet": synth_file(folder, rows, "parquet"),
    }
    comma = folder / f"comma-{rows}.csv"
    gz = folder / f"synth-{rows}.csv.gz"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pandas as pd; f = pd.read_csv(sys.argv[1], sep=' ');"
            "f.to_csv(sys.argv[2], index=False); f.to_csv(sys.argv[3], sep=' ', index=False)",
            str(frame_files["CSV, space-separated"]),
            str(comma),
            str(gz),
        ],
        check=True,
    )
    frame_files |= {"CSV, comma-separated": comma, "CSV, gzip": gz}
    for kind, path in frame_files.items():
        target = 5.0 if kind == "Parquet" else 10.0
        lib = repeat(b, [sys.executable, "-c", READ_SNIPPET, str(path)], folder)
        b.add(
            "read",
            f"{kind}, {rows:,} rows: read + validate (process)",
            f"{lib['wall']:.1f} s",
            f"≤ {target:.0f} s",
            lib["wall"] <= target if rows >= 1_000_000 else None,
        )
        b.add(
            "read",
            f"{kind}: peak memory",
            f"{lib['peak']:.0f} MiB",
            "≤ 1,536 MiB",
            lib["peak"] <= 1536 if rows >= 1_000_000 else None,
        )
        cmd = repeat(b, [CREDIT, "data", "validate", str(path)], folder)
        b.add("read", f"{kind}: `credit data validate` whole command", f"{cmd['wall']:.1f} s")


def bench_synth(b: Bench, folder: Path, args: argparse.Namespace) -> None:
    rows = args.synth_rows
    for fmt in ("csv", "parquet"):
        out = folder / f"bench-synth.{fmt}"
        res = repeat(
            b,
            [CREDIT, "data", "synth", "--rows", str(rows), "--output", str(out), "--format", fmt],
            folder,
        )
        b.add(
            "synth",
            f"credit data synth --rows {rows:,} --format {fmt}",
            f"{res['wall']:.1f} s",
            "≤ 20 s",
            res["wall"] <= 20 if rows >= 1_000_000 else None,
        )


def slope(xs: list[int], ys: list[float]) -> float:
    if len(xs) < 2:
        return math.nan
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / den


def model_flags(model: str) -> list[str]:
    """`svm-approx` is the svm key with --svm-approx (Nystroem + linear SVM)."""
    return ["-m", "svm", "--svm-approx"] if model == "svm-approx" else ["-m", model]


def train_point(b: Bench, args: list[str], folder: Path) -> dict[str, float] | str:
    """Medians of one `credit train`, or its one-line refusal (then it is run only once)."""
    first = measure(args, folder)
    if "refused" in first:
        return str(first["refused"])
    runs = [first, *(measure(args, folder) for _ in range(b.repeats - 1))]
    return {k: median([float(r[k]) for r in runs]) for k in ("wall", "cpu", "peak")}


def bench_train(b: Bench, project: Project, args: argparse.Namespace) -> None:
    """Each model with oversampling (refused above train.smote_max_rows: the refusal line is
    the row) and with class weights instead, at each size."""
    data_dir = project.root / "train-data"
    data_dir.mkdir(exist_ok=True)
    table: dict[str, object] = {}
    for variant, extra in VARIANTS:
        if variant != "BorderlineSMOTE" and not args.compare_oversampling:
            continue
        section = f"train · {variant}"
        for model in args.models.split(","):
            points: list[tuple[int, dict[str, float]]] = []
            for n in sizes(args.sizes):
                if model == "random_forest" and n > args.forest_max_rows:
                    b.add(
                        section,
                        f"random_forest, {n:,} rows",
                        f"not run above --forest-max-rows {args.forest_max_rows:,}: hours "
                        "at a million rows; forest_growth.py measures its growth law",
                    )
                    continue
                data = synth_file(data_dir, n, "parquet", seed=1)
                folder = project.fresh(f"train-{model}-{n}")
                cmd = [
                    CREDIT,
                    "train",
                    *model_flags(model),
                    "--data",
                    str(data),
                    "--json",
                    "--no-register",
                ]
                res = train_point(b, [*cmd, *extra], folder)
                if isinstance(res, str):
                    b.add(section, f"{model}, {n:,} rows: refused", res.removeprefix("error: "))
                    continue
                points.append((n, res))
                b.add(
                    section,
                    f"{model}, {n:,} rows",
                    f"{res['wall']:.1f} s wall · {res['cpu']:.1f} s CPU · {res['peak']:.0f} MiB",
                    "≤ 4,096 MiB" if n >= 1_000_000 else "",
                    res["peak"] <= 4096 if n >= 1_000_000 else None,
                )
            growth(b, section, model, points)
            table[f"{variant}/{model}"] = points
    b.raw["train_growth"] = table


def growth(b: Bench, section: str, model: str, points: list[tuple[int, dict[str, float]]]) -> None:
    """The growth exponent of wall time over the sizes that ran (all, and the last two)."""
    ns = [p[0] for p in points]
    walls = [p[1]["wall"] for p in points]
    last = slope(ns[-2:], walls[-2:])
    target = "" if model == "svm" else f"≤ {GROWTH_TARGET} (last two sizes)"
    ok = None if model == "svm" or len(ns) < 2 or ns[-1] < 1_000_000 else last <= GROWTH_TARGET
    b.add(
        section,
        f"{model}: growth exponent (wall, all sizes | last two)",
        f"{slope(ns, walls):.2f} | {last:.2f}" if len(ns) > 1 else "fewer than two sizes ran",
        target,
        ok,
    )


def bench_predict(b: Bench, project: Project, args: argparse.Namespace) -> None:
    rows = args.predict_rows
    folder = project.fresh("predict")
    train = synth_file(folder, 5_000, "parquet", seed=2)
    applicants = applicants_file(folder, rows)
    for model in ("logistic_regression", "xgboost"):
        measure(
            [CREDIT, "train", "-m", model, "--data", str(train), "--no-evaluate", "--json"], folder
        )
        res = [
            measure(
                [
                    CREDIT,
                    "predict",
                    model,
                    "-i",
                    str(applicants),
                    "-o",
                    str(folder / "scored.parquet"),
                    "--json",
                ],
                folder,
            )
            for _ in range(b.repeats)
        ]
        reports = [json.loads(str(r["out"])) for r in res]
        scoring = median([rep["scoring_seconds"] for rep in reports])
        scoring_cpu = median([rep["scoring_cpu_seconds"] for rep in reports])
        wall = median([float(r["wall"]) for r in res])
        peak = median([float(r["peak"]) for r in res])
        b.add(
            "predict",
            f"{model}: scoring throughput, {rows:,} rows (model loaded)",
            f"{rows / scoring:,.0f} rows/s",
            "≥ 250,000 rows/s",
            rows / scoring >= 250_000 if rows >= 1_000_000 else None,
        )
        b.add(
            "predict",
            f"{model}: CPU of scoring (all threads; steadier than wall on a busy machine)",
            f"{rows / scoring_cpu:,.0f} rows per CPU-second",
        )
        b.add(
            "predict",
            f"{model}: whole command · peak memory",
            f"{wall:.1f} s · {peak:.0f} MiB",
            "≤ 1,024 MiB at 10M rows",
            peak <= 1024 if rows >= 10_000_000 else None,
        )
    b.raw["predict_rows"] = rows


def bench_spark(b: Bench, project: Project, args: argparse.Namespace) -> None:
    rows = args.spark_rows
    folder = project.fresh("spark")
    train = synth_file(folder, 5_000, "parquet", seed=2)
    applicants = applicants_file(folder, rows)
    measure(
        [
            CREDIT,
            "train",
            "-m",
            "logistic_regression",
            "--data",
            str(train),
            "--no-evaluate",
            "--json",
        ],
        folder,
    )
    for engine, out in (("pandas", "scored.parquet"), ("spark", "scored-spark")):
        res = repeat(
            b,
            [
                CREDIT,
                "predict",
                "logistic_regression",
                "-i",
                str(applicants),
                "-o",
                str(folder / out),
                "--engine",
                engine,
                "--json",
            ],
            folder,
        )
        b.add(
            "spark",
            f"--engine {engine}, {rows:,} rows, whole command",
            f"{res['wall']:.1f} s · {rows / res['wall']:,.0f} rows/s · {res['peak']:.0f} MiB",
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="read,synth,train,predict,spark")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--models", default=MODELS)
    parser.add_argument(
        "--compare-oversampling", action=argparse.BooleanOptionalAction, default=True
    )
    parser.add_argument(
        "--forest-max-rows",
        type=int,
        default=10_000,
        help="train the random forest whole up to these rows (benchmarks/forest_growth.py "
        "extrapolates the catalogue's 300 trees beyond)",
    )
    parser.add_argument("--read-rows", type=int, default=1_000_000)
    parser.add_argument("--synth-rows", type=int, default=1_000_000)
    parser.add_argument("--predict-rows", type=int, default=10_000_000)
    parser.add_argument("--spark-rows", type=int, default=10_000_000)
    args = parser.parse_args()
    begun = provenance.start()
    b = Bench(repeats=args.repeats)
    with tempfile.TemporaryDirectory(prefix="credit-bench-scale-") as tmp:
        project = Project(Path(tmp))
        project.init_store()
        files = Path(tmp) / "files"
        files.mkdir()
        for name in args.only.split(","):
            if name == "read":
                bench_read(b, files, args)
            elif name == "synth":
                bench_synth(b, files, args)
            else:
                {"train": bench_train, "predict": bench_predict, "spark": bench_spark}[name](
                    b, project, args
                )
    render(b, "synthetic (credit data synth)")
    path = provenance.record(
        "bench-scale",
        begun,
        title="Growth with rows",
        rows=[r.__dict__ for r in b.rows],
        data={"raw": b.raw, "args": vars(args)},
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
