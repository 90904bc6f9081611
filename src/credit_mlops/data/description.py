"""A data set described by one TOML file: target, columns with kinds, codes, ranges, missing
values allowed or not, and the protected attributes `credit fairness` compares.

    name = "my-portfolio"
    [target]
    column = "status"
    bad = ["bad"]
    good = ["good"]
    [columns.income]
    label = "monthly income"
    kind = "numeric"          # numeric | ordinal | nominal | binary
    range = [0, 100000]
    missing = true            # missing values allowed (imputed inside each CV fold)
    [columns.housing]
    label = "housing"
    kind = "nominal"
    codes = { rent = "rents", own = "owns a home" }   # code -> label; keys 1, 2 are integer codes
    [protected.age]
    bands = [25, 35, 50]

The file is validated as a whole; the first problem is one line naming the file and the key.
Column order is the order of the file. `to_json()` gives plain JSON (travels with a model).
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from credit_mlops.data.description_codes import BadCodes, code_key, is_int, normalised
from credit_mlops.errors import DataError

ARTIFACT = "data/description.json"  # beside every logged model: what it was trained on
Kind = Literal["numeric", "ordinal", "nominal", "binary"]
KINDS: tuple[str, ...] = ("numeric", "ordinal", "nominal", "binary")
Code = int | str


class _Strict(BaseModel):
    """A part of a description: unknown keys refused, values never converted (`missing =
    "yes"`, `range = [true, 9]`, `bands = ["25"]`, `nan` or `inf` are refused, not read)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _unconverted(cls, value: Any, info: ValidationInfo) -> Any:
        from credit_mlops.strictness import checked

        return checked(cls, value, info, text_for_numbers=False)


def _printable(text: str | None, what: str) -> str | None:
    """Words a report, a reason or a chart shows: no control or invisible characters."""
    from credit_mlops.names import invisible

    if text is not None and invisible(text):
        raise ValueError(
            f"{what} {text!r} holds a control character or an invisible one; use printable "
            "characters only"
        )
    return text


class Target(_Strict):
    column: str
    bad: list[Code] = Field(min_length=1)  # values of the target column that mean bad
    good: list[Code] = Field(min_length=1)
    label: str | None = None

    @field_validator("label")
    @classmethod
    def _shown_label(cls, text: str | None) -> str | None:
        return _printable(text, "label")

    @model_validator(mode="after")
    def _disjoint(self) -> Target:
        both = sorted({str(v) for v in self.bad} & {str(v) for v in self.good})
        if both:
            raise ValueError(f"value(s) {', '.join(both)} listed as both bad and good")
        return self


class Column(_Strict):
    label: str = ""  # plain words for reasons and reports; defaults to the column name
    kind: Kind
    codes: dict[str, str] = Field(default_factory=dict)  # code -> label, in order (ordinal)
    range: tuple[float, float] | None = None  # numeric: plausible low, high
    integer: bool = False  # numeric: whole numbers only
    unit: str | None = None  # numeric: "months", "EUR"
    missing: bool = False  # missing values allowed (else refused with the row)
    aliases: list[str] = Field(default_factory=list)  # other accepted names of the column
    review: str | None = None  # a drafted column a person should check, and why

    @field_validator("label", "unit")
    @classmethod
    def _shown_text(cls, text: str | None) -> str | None:
        return _printable(text, "label or unit")

    @field_validator("codes")
    @classmethod
    def _shown_codes(cls, codes: dict[str, str]) -> dict[str, str]:
        for code, label in codes.items():
            _printable(code, "code")
            _printable(label, f"the label of code {code!r}")
        return codes

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, kind: object) -> object:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        return kind

    @field_validator("range")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and bounds[0] > bounds[1]:
            raise ValueError(f"range low {bounds[0]:g} is above high {bounds[1]:g}")
        return bounds

    @model_validator(mode="after")
    def _codes_fit_kind(self) -> Column:
        if self.kind == "numeric" and self.codes:
            raise ValueError("a numeric column has a range, not codes (or make it ordinal)")
        if self.kind != "numeric" and not self.codes:
            raise ValueError(f"a {self.kind} column needs its codes (code = label)")
        if self.kind == "binary" and len(self.codes) != 2:
            raise ValueError(f"a binary column has exactly 2 codes, found {len(self.codes)}")
        if self.kind != "numeric" and self.range is not None:
            raise ValueError(f"a {self.kind} column has codes, not a range")
        return self

    @property
    def integer_codes(self) -> bool:
        """Codes written as whole numbers (1 = "...") are integer codes in the data."""
        return bool(self.codes) and all(is_int(k) for k in self.codes)

    @property
    def code_values(self) -> list[Code]:
        return [int(k) if self.integer_codes else k for k in self.codes]

    def code_label(self, value: object) -> str | None:
        key = code_key(value)
        return self.codes.get(key) if key is not None else None


class Protected(_Strict):
    """A protected attribute: how its rows are grouped for `credit fairness`."""

    label: str | None = None  # shown instead of the column's label ("sex" for famges)

    @field_validator("label")
    @classmethod
    def _shown_label(cls, text: str | None) -> str | None:
        return _printable(text, "label")

    bands: list[float] | None = None  # numeric: cut points [25, 35, 50]
    groups: dict[str, list[Code]] | None = None  # group name -> codes
    unidentified: list[Code] = Field(default_factory=list)  # codes that identify no group

    @field_validator("bands")
    @classmethod
    def _increasing(cls, bands: list[float] | None) -> list[float] | None:
        if bands is not None and (not bands or any(b <= a for a, b in itertools.pairwise(bands))):
            raise ValueError(f"bands must be strictly increasing cut points, got {bands}")
        return bands


class Description(_Strict):
    name: str
    title: str | None = None
    file: str | None = None  # the data file's usual name (what `credit data fetch` extracts)
    source: str | None = None  # where the data comes from (URL), shown in the model card
    target: Target
    id: str | None = None  # an id column: carried, never a feature
    columns: dict[str, Column] = Field(min_length=1)
    protected: dict[str, Protected] = Field(default_factory=dict)
    # named scenarios for `credit data drift` (data/shifts.py); not part of what a model carries
    shifts: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("name", "title", "file", "source")
    @classmethod
    def _shown(cls, text: str | None, info: ValidationInfo) -> str | None:
        return _printable(text, str(info.field_name))

    @model_validator(mode="after")
    def _consistent(self) -> Description:
        from credit_mlops.data import shifts

        for name, specs in self.shifts.items():
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", name) or name == shifts.NONE:
                raise ValueError(f"shift name {name!r}: a word of letters, digits, - and _")
            for spec in specs:
                shifts.parse(spec, self)
        names = set(self.columns)
        if self.id is not None and self.id == self.target.column:
            raise ValueError(f"the id column {self.id!r} is also the target column")
        taken = [a for c in self.columns.values() for a in c.aliases if a == self.target.column]
        if taken:
            raise ValueError(f"alias {taken[0]!r} is the target column's name")
        for role, column in (("target", self.target.column), ("id", self.id)):
            if column is not None and column in names:
                raise ValueError(f"the {role} column {column!r} is also listed under columns")
        for attribute, rule in self.protected.items():
            if attribute not in names:
                raise ValueError(
                    f"protected attribute {attribute!r} is not a column "
                    f"(columns: {', '.join(self.columns)})"
                )
            kind = self.columns[attribute].kind
            if kind == "numeric" and rule.bands is None:
                raise ValueError(f"protected attribute {attribute!r} is numeric: give its bands")
            if rule.groups is not None:
                self._check_groups(attribute, rule)
        aliases = [a for c in self.columns.values() for a in c.aliases]
        clash = sorted({a for a in aliases if aliases.count(a) > 1 or a in names})
        if clash:
            raise ValueError(f"alias(es) {', '.join(clash)} name more than one column")
        same = self.same_name(list(self.protected))
        if same:
            raise ValueError(f"protected attributes {same}")
        return self

    def attribute_label(self, column: str) -> str:
        """What `credit fairness` calls a protected attribute (its figure, metric and tag
        names are made of it): the protected label, else the column's label."""
        rule = self.protected.get(column)
        return (rule.label if rule is not None else None) or self.label(column)

    def same_name(self, columns: list[str]) -> str | None:
        """Two of `columns` whose labels give one figure, metric or tag name (`grp a` and
        `grp_a`, `Sex` and `sex`), said in words; None when each has its own."""
        seen: dict[str, str] = {}
        for column in columns:
            label = self.attribute_label(column)
            for name in (f"metric {metric_part(label)}", f"figure {file_part(label)}"):
                other = seen.setdefault(name, column)
                if other != column:
                    kind, part = name.split(" ", 1)
                    return (
                        f"{other!r} (label {self.attribute_label(other)!r}) and {column!r} "
                        f"(label {label!r}) would share the {kind} name {part!r}, one "
                        "overwriting the other: give one of them another label"
                    )
        return None

    def _check_groups(self, attribute: str, rule: Protected) -> None:
        known = set(self.columns[attribute].codes)
        listed = [str(c) for codes in (rule.groups or {}).values() for c in codes]
        listed += [str(c) for c in rule.unidentified]
        twice = sorted({c for c in listed if listed.count(c) > 1})
        if twice:
            raise ValueError(f"protected {attribute!r}: code(s) {', '.join(twice)} listed twice")
        unknown = sorted(set(listed) - known)
        if unknown:
            raise ValueError(f"protected {attribute!r}: unknown code(s) {', '.join(unknown)}")

    @property
    def features(self) -> list[str]:
        return list(self.columns)

    def of_kind(self, *kinds: str) -> list[str]:
        return [n for n, c in self.columns.items() if c.kind in kinds]

    def label(self, column: str) -> str:
        if column == self.target.column:
            return self.target.label or column
        spec = self.columns.get(column)
        return (spec.label or column) if spec else column

    def aliases(self) -> dict[str, str]:
        """Other accepted names -> the column's name."""
        return {a: n for n, c in self.columns.items() for a in c.aliases}

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (str keys, lists): what a logged model carries."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"shifts"})

    def digest(self) -> str:
        """A digest of the content (not of the file's comments or layout)."""
        import hashlib
        import json

        text = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse(data: dict[str, object], *, source: str) -> Description:
    """A description from parsed TOML/JSON, or one DataError naming the file and the key."""
    try:
        return Description.model_validate(normalised(data))
    except BadCodes as exc:
        raise DataError(f"data description {source}: {exc}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        at = f" at {where}" if where else ""
        raise DataError(f"data description {source}{at}: {message}{more}; fix the file") from None


def metric_part(label: str) -> str:
    """A label as part of a metric or tag name: MLflow takes letters, digits, '_', '-' and
    '.' there, so anything else (a space, '<', '&', and '/', which could make a '..' path
    the store refuses) becomes '_'."""
    return re.sub(r"[^\w\-.]", "_", label)[:200] or "_"


def file_part(label: str) -> str:
    """A label as part of a file name: lower case, each run of other characters one '_'."""
    return re.sub(r"[^\w-]+", "_", label.lower())[:100] or "_"
