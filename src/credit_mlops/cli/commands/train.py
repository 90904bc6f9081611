"""`credit train`: cross-validate, fit, log and register credit-risk models."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from credit_mlops.cli.options import (
    DataPath,
    Json,
    MlflowExperiment,
    MlflowUri,
    Profile,
    Quiet,
    given_path,
)
from credit_mlops.cli.values import seed_option, whole_number
from credit_mlops.modeling.catalog import ALL_KEYS

if TYPE_CHECKING:
    from credit_mlops.train.train import TrainReport


def engine_of(value: str) -> str:
    """--engine: pandas or spark (anything else is bad input)."""
    from credit_mlops.errors import InputError

    engine = value.strip().lower()
    if engine not in ("pandas", "spark"):
        raise InputError(f"unknown engine '{value}' (choose from: pandas, spark)")
    return engine


def train(
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help=f"Model key, repeatable or comma-separated: {', '.join(ALL_KEYS)}, "
            "or all (the five seed models).",
            show_default=False,
        ),
    ] = None,
    profile: Profile = None,
    data: DataPath = None,
    x_train: Annotated[
        Path | None, typer.Option("--X-train", help="Seed-style features CSV.", dir_okay=False)
    ] = None,
    y_train: Annotated[
        Path | None, typer.Option("--y-train", help="Seed-style target CSV.", dir_okay=False)
    ] = None,
    preprocessor: Annotated[
        Path | None,
        typer.Option(
            "--preprocessor",
            help="A joblib transformer (a ColumnTransformer or one transformer) to use "
            "instead of ours. Loading it runs the code the file holds, so it needs "
            "train.trust_preprocessor_code = true (env CREDIT_TRAIN__TRUST_PREPROCESSOR_CODE).",
            parser=given_path,
        ),
    ] = None,
    test_size: Annotated[
        float | None,
        typer.Option("--test-size", help="Holdout share kept out (0.3); 0 keeps none."),
    ] = None,
    calibrate: Annotated[
        str | None,
        typer.Option("--calibrate", help="P(bad) calibration: none (default), sigmoid, isotonic."),
    ] = None,
    cv_folds: Annotated[
        int | None,
        typer.Option("--cv-folds", help="CV folds (5).", parser=whole_number, metavar="<int>"),
    ] = None,
    cv_repeats: Annotated[
        int | None,
        typer.Option("--cv-repeats", help="CV repeats (3).", parser=whole_number, metavar="<int>"),
    ] = None,
    seed: Annotated[int | None, seed_option("Random seed (42).")] = None,
    n_jobs: Annotated[
        int | None,
        typer.Option(
            "--n-jobs",
            help="Parallel folds; -1 uses every core.",
            parser=whole_number,
            metavar="<int>",
        ),
    ] = None,
    smote_method: Annotated[
        str | None,
        typer.Option("--smote-method", help="SMOTE, BorderlineSMOTE (default) or ADASYN."),
    ] = None,
    no_smote: Annotated[bool, typer.Option("--no-smote", help="No oversampling.")] = False,
    class_weight: Annotated[
        bool | None,
        typer.Option(
            "--class-weight/--no-class-weight",
            help="Balanced class weights (XGBoost: scale_pos_weight) instead of oversampling; "
            "give --no-smote with it.",
            show_default=False,
        ),
    ] = None,
    svm_approx: Annotated[
        bool,
        typer.Option(
            "--svm-approx",
            help="svm as Nystroem RBF features + a linear SVM: linear in the rows, no row limit.",
        ),
    ] = False,
    no_evaluate: Annotated[
        bool, typer.Option("--no-evaluate", help="Skip cross-validation (faster).")
    ] = False,
    mlflow_disable: Annotated[
        bool, typer.Option("--mlflow-disable", help="Train without tracking.")
    ] = False,
    mlflow_uri: MlflowUri = None,
    mlflow_experiment: MlflowExperiment = None,
    mlflow_run_name: Annotated[
        str | None, typer.Option("--mlflow-run-name", help="Run name (suffixed per model).")
    ] = None,
    mlflow_reg_name: Annotated[
        str | None, typer.Option("--mlflow-reg-name", help="Registered model name (one model).")
    ] = None,
    mlflow_tags: Annotated[
        str | None, typer.Option("--mlflow-tags", help="Extra tags as a JSON object.")
    ] = None,
    model_version: Annotated[
        str | None,
        typer.Option("--model-version", help="Semantic version logged with the run (0.1.0)."),
    ] = None,
    no_register: Annotated[
        bool, typer.Option("--no-register", help="Log the model without registering it.")
    ] = False,
    params_from: Annotated[
        str | None,
        typer.Option("--params-from", help="Use the best parameters of a `credit tune` run."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="pandas (this machine) or spark (Spark's learners on spark.master; "
            "logistic_regression, xgboost).",
        ),
    ] = "pandas",
    spark_master: Annotated[
        str | None,
        typer.Option("--spark-master", help="Spark master URL (spark.master, local[*])."),
    ] = None,
    quiet: Quiet = False,
    json_out: Json = False,
) -> None:
    """Cross-validate, fit, log and register credit-risk models.

    Cross-validation and the final fit never see the holdout; each model is logged to
    MLflow and registered under its key (or --mlflow-reg-name).
    """
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import train as render
    from credit_mlops.processes import interrupts
    from credit_mlops.train.inputs import TrainInputs
    from credit_mlops.train.interrupted import TrainingInterrupted
    from credit_mlops.train.train import TrainingNotLoggedError
    from credit_mlops.train.train import train as run_train

    settings = settings_from(
        profile,
        model=model,
        data=data,
        test_size=test_size,
        calibrate=calibrate,
        cv_folds=cv_folds,
        cv_repeats=cv_repeats,
        seed=seed,
        n_jobs=n_jobs,
        smote_method=smote_method,
        no_smote=no_smote,
        class_weight=class_weight,
        svm_approx=svm_approx,
        no_evaluate=no_evaluate,
        model_version=model_version,
        mlflow_disable=mlflow_disable,
        mlflow_uri=mlflow_uri,
        mlflow_experiment=mlflow_experiment,
        no_register=no_register,
        mlflow_tags=mlflow_tags,
        spark_master=spark_master,
    )
    inputs = TrainInputs(
        x_train=x_train,
        y_train=y_train,
        preprocessor=preprocessor,
        run_name=mlflow_run_name,
        reg_name=mlflow_reg_name,
        params_from=params_from,
    )
    try:
        if engine_of(engine) == "spark":
            from credit_mlops.train.spark_engine import train_on_spark

            report = train_on_spark(settings, inputs)
        else:
            with render.train_progress(enabled=not (quiet or json_out)) as (on_stage, progress):
                report = run_train(settings, inputs, on_stage=on_stage, progress=progress)
    except TrainingInterrupted as exc:  # what was kept; then exit 130 as any Ctrl-C
        from credit_mlops.cli.render import console

        for line in exc.kept:
            console.note(f"note: {line}")
        raise
    except TrainingNotLoggedError as exc:
        interrupts.settle()
        show(exc.report, json_out=json_out, quiet=quiet)
        kept_note(exc.report)
        raise exc.cause from None  # the tracking error's message and exit code
    interrupts.settle()  # trained and logged: a Ctrl-C from here on changes nothing
    show(report, json_out=json_out, quiet=quiet)


def show(report: TrainReport, *, json_out: bool, quiet: bool) -> None:
    """The report on stdout (JSON or panels); its notes on stderr whatever the format."""
    from credit_mlops.cli.render import console
    from credit_mlops.cli.render import train as render

    for line in report.notes:  # e.g. svm left out above train.svm_max_rows
        console.note(f"note: {line}")
    if json_out:
        console.emit_json(report)
    else:
        render.train_report(report, quiet=quiet)


def kept_note(report: TrainReport) -> None:
    """Before the tracking error's line: how many trained runs the outbox kept, where, and
    that `credit sync` sends them (nothing trained is lost when the store fails)."""
    from credit_mlops.cli.render import console

    kept = [Path(r.outbox) for r in report.results if r.outbox]
    if kept:
        folder = kept[0].parent
        console.note(
            f"note: {len(kept)} trained run(s) were kept in the outbox {folder}; "
            "`credit sync` sends them to the tracking store once it is back"
        )
