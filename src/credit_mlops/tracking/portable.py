"""Logging a model that carries its whole decision: one logged model, two flavours.

The model is saved by MLflow's sklearn flavour (skops), with the scoring runtime
(`credit_runtime`) shipped as its code (`code_paths`) and the pyfunc flavour's loader pointed at
`credit_runtime.pyfunc`. `mlflow.sklearn.load_model` still gives the plain estimator
(`predict` = the decision 0/1, `predict_proba` = P(bad)); `mlflow.pyfunc.load_model` gives
P(bad), the decision, the score and reasons, validated against the data description, in any
environment built from the model's own requirements.

Why `code_paths` and not a wheel logged with the model: MLflow puts the model's `code/` on the
path wherever it loads the model - in-process, `mlflow models serve` with any environment
manager, `spark_udf`, `build-docker` - with no package index and no build step; a logged wheel
is installed only when MLflow creates the environment itself (virtualenv/conda managers), so
`--env-manager local` and Spark executors would miss it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credit_mlops.tracking.records import RunSpec

LOADER = "credit_runtime.pyfunc"
MODEL_FOLDER = "credit"  # inside the logged model: description, decision, background
FILES = {  # the model's credit/ file -> the run artifact it is copied from
    "description.json": "model/description.json",
    "decision.json": "model/decision.json",
    "background.json": "explain/background.json",
}
# top-level modules of the types a model holds -> the package that provides them
PACKAGE_OF = {"xgboost": "xgboost", "optbinning": "optbinning"}


def extra_packages(
    types: Sequence[str], listed: Sequence[str] = (), *, shap: bool = False
) -> list[str]:
    """What the model needs beyond the base set: the catalog's list for its kind, plus any
    package its stored types come from, plus shap when its explainer uses shap; complete even
    for a kind whose entry forgets one."""
    names = list(listed)
    for t in types:
        package = PACKAGE_OF.get(t.split(".", 1)[0])
        if package and package not in names:
            names.append(package)
    if shap and "shap" not in names:  # scikit-learn trees are explained by shap's TreeExplainer
        names.append("shap")
    return names


def needs_shap(pipeline: Any, key: str | None, columns: Sequence[str]) -> bool:
    from credit_runtime.explain.attribution import factory_for
    from credit_runtime.explain.vote import member_factories

    factory = factory_for(pipeline, key, columns)
    factories = [factory, *(member_factories(pipeline, columns) or [])]
    return any(getattr(f, "__name__", "") == "TreeExplainer" for f in factories)


def signature(reasons: int) -> Any:
    """The whole decision as outputs and the `reasons` parameter; no input schema.

    The runtime checks the input against the data description it carries (and names the row).
    An input schema would make MLflow check it first: declared long or double it refuses 2.0
    or int64 codes without naming the row, and declared of any type it checks every value in
    Python (ten times the cost of scoring a batch).
    """
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema

    outputs = Schema(
        [
            ColSpec("double", "p_bad"),
            ColSpec("string", "decision"),
            ColSpec("double", "score"),
            *[ColSpec("string", f"reason_{i}", required=False) for i in range(1, reasons + 1)],
        ]
    )
    params = ParamSchema([ParamSpec("reasons", "long", reasons)])
    return ModelSignature(inputs=None, outputs=outputs, params=params)


def model_files(artifacts: Mapping[str, object]) -> dict[str, object]:
    """The files the runtime reads from the model's credit/ folder, from the run's artifacts."""
    return {name: artifacts[path] for name, path in FILES.items() if path in artifacts}


@contextmanager
def runtime_code() -> Iterator[Path]:
    """A clean copy of the installed `credit_runtime` package (no bytecode caches)."""
    import credit_runtime

    source = Path(credit_runtime.__file__).parent
    with tempfile.TemporaryDirectory(prefix="credit-runtime-") as tmp:
        target = Path(tmp) / source.name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        yield target


class PortableFlavor:
    """A flavour module for `Model.log`: the sklearn flavour's files, plus the runtime's
    loader and the credit/ files. `Model.log` passes its own options through, some of which
    (validate_serving_input) the sklearn flavour does not take."""

    __name__ = "sklearn"

    def __init__(self, files: Mapping[str, object]) -> None:
        self.files = dict(files)

    def save_model(self, path: str, mlflow_model: Any, **kwargs: Any) -> None:
        import mlflow.sklearn
        from mlflow.models.model import MLMODEL_FILE_NAME

        kwargs.pop("validate_serving_input", None)
        mlflow.sklearn.save_model(path=path, mlflow_model=mlflow_model, **kwargs)
        mlflow_model.flavors["python_function"]["loader_module"] = LOADER
        folder = Path(path) / MODEL_FOLDER
        folder.mkdir()
        for name, content in self.files.items():
            (folder / name).write_text(json.dumps(content, indent=2, default=str))
        mlflow_model.save(str(Path(path) / MLMODEL_FILE_NAME))


def log_portable(
    pipeline: Any,
    *,
    name: str,
    files: Mapping[str, object],
    reasons: int,
    input_example: Any,
    pip_requirements: list[str],
    trusted_types: list[str],
) -> Any:
    """Log `pipeline` as one model with both flavours; returns MLflow's ModelInfo."""
    from mlflow.models import Model

    with runtime_code() as code:
        return Model.log(
            artifact_path=None,
            name=name,
            flavor=PortableFlavor(files),
            sk_model=pipeline,
            code_paths=[str(code)],
            serialization_format="skops",
            skops_trusted_types=trusted_types,
            signature=signature(reasons),
            input_example=input_example,
            pip_requirements=pip_requirements,
            # the example is checked by our own tests; MLflow's check would load and run the
            # runtime in this process (its code folder put on sys.path)
            validate_serving_input=False,
        )


def log_spec_model(
    spec: RunSpec, name: str, types: list[str], pinned: Callable[[Sequence[str]], list[str]]
) -> Any:
    """The training run's model, with the files the runtime reads and complete requirements
    (`pinned(extra)` pins the base set plus `extra`)."""
    key = str(spec.params.get("model_key") or "") or None
    files = model_files(spec.artifacts)
    columns = [str(c) for c in spec.input_example.columns]
    decision = files.get("decision.json")
    reasons = int(decision.get("reasons", 4)) if isinstance(decision, dict) else 4
    extra = extra_packages(types, spec.pip_packages, shap=needs_shap(spec.pipeline, key, columns))
    return log_portable(
        spec.pipeline,
        name=name,
        files=files,
        reasons=reasons,
        input_example=spec.input_example,
        pip_requirements=pinned(extra),
        trusted_types=types,
    )
