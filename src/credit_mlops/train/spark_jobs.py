"""Spark's side of `credit train --engine spark`: the data, its preprocessing and the fits
run as Spark jobs; only statistics, coefficients, the booster and fold scores come back.

Rows are keyed by the id column (or, without one, by a hash of their values); a seeded hash
of the key puts a row in the holdout (its share is train.test_size) and, per repeat, in a
CV fold, so a rerun gives the same split on any cluster. The preprocessing is the
catalogue's (one-hot nominal codes, standardised numeric and ordinal ones), computed from
the statistics of the rows each fit sees. Class weights replace oversampling: balanced
weights for the logistic regression (as scikit-learn's class_weight='balanced'), weight
n_negative / n_positive on bad credits for XGBoost (as its scale_pos_weight).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from credit_mlops.data.schema import COLUMNS, FEATURES, TARGET
from credit_mlops.errors import DataError, some
from credit_mlops.modeling.portable_fit import NOMINAL, SCALED, FeatureStats

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

KEY, LABEL, WEIGHT, VECTOR, P_BAD = "_key", "_bad", "_weight", "_features", "_p_bad"
SPLIT_BUCKETS = 1_000_000


def _bucket(key: Column, seed: int, purpose: str, buckets: int) -> Column:
    from pyspark.sql import functions as F

    return F.pmod(F.xxhash64(F.lit(seed), F.lit(purpose), key), F.lit(buckets))


def training_rows(frame: DataFrame, *, source: str, id_column: str) -> DataFrame:
    """The key, integer codes and the 0/1 bad label; every row checked in one pass."""
    from pyspark.sql import functions as F

    missing = [c for c in [*FEATURES, TARGET] if c not in frame.columns]
    if missing:
        raise DataError(f"{source}: missing column(s) {some(missing)}")
    key = F.col(id_column).cast("string") if id_column in frame.columns else None
    codes = frame.select(
        *[F.col(c).cast("double").alias(c) for c in [*FEATURES, TARGET]],
        (key if key is not None else F.lit(None).cast("string")).alias(KEY),
    )
    rules = {
        spec.name: F.col(spec.name).isNull()
        | (F.col(spec.name) != F.floor(F.col(spec.name)))
        | (F.col(spec.name) < spec.low)
        | (F.col(spec.name) > spec.high)
        for spec in COLUMNS
    }
    rules[TARGET] = ~F.col(TARGET).isin(0.0, 1.0) | F.col(TARGET).isNull()
    counts = codes.agg(*[F.sum(r.cast("long")).alias(n) for n, r in rules.items()]).first()
    for name in rules:
        if counts is not None and counts[name]:
            raise DataError(
                f"{source}: column '{name}' has {counts[name]} values that are missing or "
                "outside its codes; fix those rows (`credit data validate` names them)"
            )
    out = codes.select(
        *[F.col(c).cast("long").alias(c) for c in FEATURES],
        (F.col(TARGET) == 0).cast("double").alias(LABEL),
        F.coalesce(F.col(KEY), F.xxhash64(*FEATURES, TARGET).cast("string")).alias(KEY),
    )
    return out


def training_part(rows: DataFrame, *, seed: int, test_size: float) -> DataFrame:
    """The rows outside the holdout (a seeded hash of the key below test_size keeps a row out)."""
    from pyspark.sql import functions as F

    bucket = _bucket(F.col(KEY), seed, "holdout", SPLIT_BUCKETS)
    return rows.where(bucket >= F.lit(round(test_size * SPLIT_BUCKETS)))


def digest(rows: DataFrame) -> tuple[int, str]:
    """(row count, a digest of the values independent of the row order and partitioning)."""
    from pyspark.sql import functions as F

    hashed = F.xxhash64(*FEATURES, LABEL)
    row = rows.agg(
        F.count(F.lit(1)), F.bit_xor(hashed), F.sum(F.pmod(hashed, F.lit(2**31)))
    ).first()
    if row is None:
        return 0, ""
    return int(row[0]), f"{int(row[1] or 0) & (2**64 - 1):016x}{int(row[2] or 0):x}"[:16]


def fold_of(rows: DataFrame, *, seed: int, repeat: int, folds: int) -> DataFrame:
    """`rows` with column `_fold` (0..folds-1) for this repeat."""
    from pyspark.sql import functions as F

    return rows.withColumn("_fold", _bucket(F.col(KEY), seed + repeat, "fold", folds))


def feature_stats(rows: DataFrame) -> tuple[FeatureStats, int]:
    """The preprocessing's statistics of these rows, and how many of them are bad."""
    from pyspark.sql import functions as F

    aggs = [F.count(F.lit(1)).alias("_n"), F.sum(LABEL).alias("_pos")]
    aggs += [F.array_sort(F.collect_set(c)).alias(c) for c in NOMINAL]
    aggs += [F.avg(F.col(c).cast("double")).alias(f"m_{c}") for c in SCALED]
    aggs += [F.stddev_pop(F.col(c).cast("double")).alias(f"s_{c}") for c in SCALED]
    row = rows.agg(*aggs).first()
    if row is None or not row["_n"]:
        raise DataError("no training rows left after the holdout; lower train.test_size")
    stats = FeatureStats(
        rows=int(row["_n"]),
        categories={c: tuple(int(v) for v in row[c]) for c in NOMINAL},
        mean={c: float(row[f"m_{c}"]) for c in SCALED},
        std={c: float(row[f"s_{c}"]) for c in SCALED},
    )
    return stats, int(row["_pos"] or 0)


def featurize(rows: DataFrame, stats: FeatureStats) -> DataFrame:
    """The ColumnTransformer's output as one vector column, in its order and arithmetic."""
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    parts = [
        (F.col(c) == F.lit(code)).cast("double").alias(f"{c}_{code}")
        for c in NOMINAL
        for code in stats.categories[c]
    ]
    parts += [
        ((F.col(c).cast("double") - F.lit(stats.mean[c])) / F.lit(stats.scale(c))).alias(c)
        for c in SCALED
    ]
    names = [f"{c}_{code}" for c in NOMINAL for code in stats.categories[c]] + list(SCALED)
    frame = rows.select(KEY, LABEL, *parts)
    assembler = VectorAssembler(inputCols=names, outputCol=VECTOR)
    return assembler.transform(frame).select(KEY, LABEL, VECTOR)


def with_weights(rows: DataFrame, key: str, n: int, positives: int) -> tuple[DataFrame, float]:
    """`rows` with the class weight column, and XGBoost's scale_pos_weight (n_neg / n_pos)."""
    from pyspark.sql import functions as F

    negatives = n - positives
    spw = negatives / positives if positives and negatives else 1.0
    if key == "xgboost":
        bad, good = spw, 1.0
    else:  # balanced: n / (2 * class count), as scikit-learn computes it
        bad = n / (2 * positives) if positives else 1.0
        good = n / (2 * negatives) if negatives else 1.0
    weight = F.when(F.col(LABEL) == 1.0, F.lit(bad)).otherwise(F.lit(good))
    return rows.withColumn(WEIGHT, weight), spw


def probabilities(model: object, rows: DataFrame) -> DataFrame:
    """(key, label, P(bad)) of `rows` scored by a fitted Spark model."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    scored = model.transform(rows)  # type: ignore[attr-defined]
    return scored.select(KEY, LABEL, vector_to_array(F.col("probability"))[1].alias(P_BAD))


def collect_scores(scored: DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The labels and P(bad) on the driver (two numbers a row: the metrics are exact)."""
    frame = scored.select(LABEL, P_BAD).toPandas()
    return frame[LABEL].to_numpy(dtype=np.int64), frame[P_BAD].to_numpy(dtype=float)


def sample(rows: DataFrame, limit: int, seed: int) -> tuple[np.ndarray, Mapping[str, np.ndarray]]:
    """Up to `limit` rows, seeded, as (labels, feature columns) for the artifacts."""
    from pyspark.sql import functions as F

    picked = rows.orderBy(F.xxhash64(F.lit(seed), F.lit("sample"), F.col(KEY))).limit(limit)
    frame = picked.select(LABEL, *FEATURES).toPandas()
    return frame[LABEL].to_numpy(dtype=np.int64), {c: frame[c].to_numpy() for c in FEATURES}
