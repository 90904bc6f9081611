"""Speed figures for the issues' targets, printed as a table (`make bench`).

    python benchmarks/run.py [--repeats N] [--only startup,train,...]

Each area is a module of this folder with a function `bench(b, project, data)`; AREAS lists
them. Adding one: a file `benchmarks/<area>.py` and one line in AREAS (in DEFAULT too if
`make bench` should run it, else a `make bench-<area>` target running `--only <area>`).
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
from pathlib import Path

import provenance
from harness import Bench, Project, data_file, render

AREAS: dict[str, str] = {  # area -> module of this folder
    "startup": "startup",
    "train": "train",
    "lifecycle": "lifecycle",
    "predict": "predict",
    "explain": "explain",
    "compare": "compare",
    "remote": "remote",
    "tune": "tune",
    "monitor": "monitor",
    "interrupt": "interrupt",
    "serve": "serve",
    "portable": "portable",
}
DEFAULT = (
    "startup",
    "train",
    "lifecycle",
    "predict",
    "explain",
    "compare",
    "remote",
    "monitor",
    "serve",
    "portable",
)  # `make bench`


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default=",".join(DEFAULT), help=f"any of {', '.join(AREAS)}")
    args = parser.parse_args()
    begun = provenance.start()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in AREAS]
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)} (choose from: {', '.join(AREAS)})")
    b = Bench(repeats=args.repeats)
    with tempfile.TemporaryDirectory(prefix="credit-bench-") as tmp:
        project = Project(Path(tmp))
        migrate = project.init_store()
        b.add(
            "store",
            "first use of an empty sqlite store (schema migration, once)",
            f"{migrate:.1f} s",
        )
        data, kind = data_file(Path(tmp))
        b.raw["data"] = kind
        for name in names:
            importlib.import_module(AREAS[name]).bench(b, project, data)
    render(b, kind)
    tune_only = names == ["tune"]
    path = provenance.record(
        "bench-tune" if tune_only else "bench",
        begun,
        title="Tuning across workers" if tune_only else "Speed: start-up, training, lifecycle",
        rows=[r.__dict__ for r in b.rows],
        data={"raw": b.raw, "repeats": args.repeats, "areas": names},
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
