"""The South German Credit code table (Grömping 2019, `codetable.txt`), shipped with the package.

Readable names for reasons and group labels come from here, never from a data folder read at
run time. Numeric columns carry their unit instead of codes.
"""

from __future__ import annotations

from collections.abc import Mapping

ENGLISH: dict[str, str] = {
    "laufkont": "status",
    "laufzeit": "duration",
    "moral": "credit_history",
    "verw": "purpose",
    "hoehe": "amount",
    "sparkont": "savings",
    "beszeit": "employment_duration",
    "rate": "installment_rate",
    "famges": "personal_status_sex",
    "buerge": "other_debtors",
    "wohnzeit": "present_residence",
    "verm": "property",
    "alter": "age",
    "weitkred": "other_installment_plans",
    "wohn": "housing",
    "bishkred": "number_credits",
    "beruf": "job",
    "pers": "people_liable",
    "telef": "telephone",
    "gastarb": "foreign_worker",
    "kredit": "credit_risk",
}

UNITS: dict[str, str] = {"laufzeit": "months", "hoehe": "DM", "alter": "years"}

CODES: dict[str, dict[int, str]] = {
    "laufkont": {
        1: "no checking account",
        2: "... < 0 DM",
        3: "0<= ... < 200 DM",
        4: "... >= 200 DM / salary for at least 1 year",
    },
    "moral": {
        0: "delay in paying off in the past",
        1: "critical account/other credits elsewhere",
        2: "no credits taken/all credits paid back duly",
        3: "existing credits paid back duly till now",
        4: "all credits at this bank paid back duly",
    },
    "verw": {
        0: "others",
        1: "car (new)",
        2: "car (used)",
        3: "furniture/equipment",
        4: "radio/television",
        5: "domestic appliances",
        6: "repairs",
        7: "education",
        8: "vacation",
        9: "retraining",
        10: "business",
    },
    "sparkont": {
        1: "unknown/no savings account",
        2: "... < 100 DM",
        3: "100 <= ... < 500 DM",
        4: "500 <= ... < 1000 DM",
        5: "... >= 1000 DM",
    },
    "beszeit": {
        1: "unemployed",
        2: "< 1 yr",
        3: "1 <= ... < 4 yrs",
        4: "4 <= ... < 7 yrs",
        5: ">= 7 yrs",
    },
    "rate": {1: ">= 35", 2: "25 <= ... < 35", 3: "20 <= ... < 25", 4: "< 20"},
    "famges": {
        1: "male : divorced/separated",
        2: "female : non-single or male : single",
        3: "male : married/widowed",
        4: "female : single",
    },
    "buerge": {1: "none", 2: "co-applicant", 3: "guarantor"},
    "wohnzeit": {1: "< 1 yr", 2: "1 <= ... < 4 yrs", 3: "4 <= ... < 7 yrs", 4: ">= 7 yrs"},
    "verm": {
        1: "unknown / no property",
        2: "car or other",
        3: "building soc. savings agr./life insurance",
        4: "real estate",
    },
    "weitkred": {1: "bank", 2: "stores", 3: "none"},
    "wohn": {1: "for free", 2: "rent", 3: "own"},
    "bishkred": {1: "1", 2: "2-3", 3: "4-5", 4: ">= 6"},
    "beruf": {
        1: "unemployed/unskilled - non-resident",
        2: "unskilled - resident",
        3: "skilled employee/official",
        4: "manager/self-empl./highly qualif. employee",
    },
    "pers": {1: "3 or more", 2: "0 to 2"},
    "telef": {1: "no", 2: "yes (under customer name)"},
    "gastarb": {1: "yes", 2: "no"},
    "kredit": {0: "bad", 1: "good"},
}


def english(column: str) -> str:
    """The English name of a column (German or English given); unknown names unchanged."""
    return ENGLISH.get(column, column)


def value_label(column: str, value: object, codes: Mapping[str, Mapping[int, str]] = CODES) -> str:
    """What a value of a column means: a code's label, a number with its unit, or the value."""
    number = _as_number(value)
    if column in codes and number is not None and float(number).is_integer():
        label = codes[column].get(int(number))
        if label is not None:
            return label
    if column in UNITS and number is not None:
        shown = int(number) if float(number).is_integer() else round(float(number), 4)
        return f"{shown} {UNITS[column]}"
    if number is not None:
        return f"{number:g}"
    return str(value)


def describe(column: str, value: object) -> str:
    """`status: no checking account`, `duration: 48 months`; other columns `name: value`."""
    return f"{english(column)}: {value_label(column, value)}"


def _as_number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
