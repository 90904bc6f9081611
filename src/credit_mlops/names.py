"""Names the user gives, checked before any work: a name the store would refuse after
training (or one that would break a listing) is refused up front, in one line, exit 2.

The rules follow what the tracking store accepts, plus one of our own: no control
characters anywhere (a newline in a run name would forge a heading in every report that
shows it). Display escaping (`credit_mlops.escaping`) still protects names that reached the
store by other means; these checks keep new ones clean. Standard library only.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from credit_mlops.errors import InputError, cut

REGISTERED_MODEL_MAX = 250
EXPERIMENT_MAX = 500
RUN_NAME_MAX = 200  # the store's limit is 250; leave room for the per-model suffix
STUDY_MAX = 200
ALIAS = re.compile(r"[\w-]{1,255}")
RUN_ID = re.compile(r"[\w-]{1,64}")  # MLflow's are 32 hex digits; other stores differ
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def invisible(value: str) -> bool:
    """Whether `value` holds a character that is not shown as itself: a control character
    (C0, DEL, C1 such as NEL), a formatting one (direction overrides, zero-width spaces, a
    byte order mark), a line or paragraph separator, or one that renders as nothing (a
    Hangul filler): see `credit_mlops.invisible`."""
    from credit_mlops.invisible import any_hidden

    return any_hidden(value)


def _refused(flag: str, message: str) -> InputError:
    return InputError(f"{flag}: {message}" if flag else message)


def setting(rule: Callable[..., str], value: str | None) -> str | None:
    """`rule` as a settings validator: the loader names the key, so no flag here."""
    if value is None:
        return None
    try:
        return rule(value, flag="")
    except InputError as exc:
        raise ValueError(str(exc)) from None


def _text(value: str, *, what: str, flag: str, limit: int) -> str:
    if not value or not value.strip():
        raise _refused(flag, f"{what} is empty; give a name")
    if value != value.strip():
        raise _refused(flag, f"{what} {value!r} starts or ends with spaces; remove them")
    if invisible(value):
        raise _refused(
            flag,
            f"{what} {value!r} holds a control character or an invisible one (newline, tab, "
            "a direction override, a zero-width space...); use printable characters only",
        )
    if len(value) > limit:
        raise _refused(flag, f"{what} is {len(value)} characters long; the limit is {limit}")
    return value


def registered_model(name: str, *, flag: str = "model name") -> str:
    """A name the model registry accepts (no '/' or ':'), that every target form can name
    (no '@', which starts an alias: `NAME@production`; no '?', '#', '%' or '\\', which a
    `models:/NAME/1` URI reads otherwise; no quotes, which MLflow's search filters cannot
    hold, so a version registered under one could never be found), and not a path in
    disguise."""
    _text(name, what="registered model name", flag=flag, limit=REGISTERED_MODEL_MAX)
    bad = next((c for c in "/:@?#%\\'\"`" if c in name), None)
    if bad:
        refuses = {
            "/": "the registry refuses",
            ":": "the registry refuses",
            "@": "starts an alias in a target",
            "'": "the registry's searches cannot name",
            '"': "the registry's searches cannot name",
            "`": "the registry's searches cannot name",
        }.get(bad, "a models:/ URI reads as a query, a fragment or an escape")
        raise _refused(
            flag,
            f"registered model name {name!r} contains {bad!r}, which {refuses}; use "
            "letters, digits, '-', '_' or '.'",
        )
    if name.startswith("..") or name == "." or posixpath.normpath(name) != name:
        # MLflow keeps a name as a path: one that could read as a step up is refused there
        raise _refused(flag, f"registered model name {name!r} is not a plain name")
    return name


def run_name(name: str, *, flag: str = "--mlflow-run-name") -> str:
    return _text(name, what="run name", flag=flag, limit=RUN_NAME_MAX)


def experiment(name: str, *, flag: str = "tracking.experiment") -> str:
    return _text(name, what="experiment name", flag=flag, limit=EXPERIMENT_MAX)


def study(name: str, *, flag: str = "tune.study") -> str:
    return _text(name, what="study name", flag=flag, limit=STUDY_MAX)


TAG_KEY = re.compile(r"[/\w.\- :]{1,250}")
TAG_VALUE_MAX = 8000
# the tags every training run carries, computed by the tool (the scripts' contract; project
# and team are settings a user's tag may override), and the prefixes MLflow and the tool keep
# for their own: a user's tag of these names would overwrite or clash with them
RESERVED_TAGS = frozenset(
    {
        "script",
        "model_version",
        "model_name",
        "model_display_name",
        "model_key",
        "git_commit",
        "timestamp",
        "profile",
        "svm_variant",
    }
)
RESERVED_TAG_PREFIXES = ("mlflow.", "credit.")


def tags(
    value: dict[str, str], *, flag: str = "tracking.tags", own: bool = False
) -> dict[str, str]:
    """Run tags the store accepts: keys of letters, digits, '_', '-', '.', ' ', ':' and '/'
    (at most 250), values of at most 8,000 characters; a user's may not take the names the
    tool and MLflow set (`own`: the tags of a run the tool itself wrote, read back)."""
    for key, text in value.items():
        shown = cut(repr(key), 60)
        if not own and (key in RESERVED_TAGS or key.lower().startswith(RESERVED_TAG_PREFIXES)):
            raise _refused(
                flag,
                f"tag {shown} is one the tool or MLflow sets on every run; choose another name "
                "(the model version comes from MODEL_VERSION or --model-version)",
            )
        parts = key.split("/")
        as_path = key.startswith("/") or any(p in ("", ".", "..") for p in parts)
        if not TAG_KEY.fullmatch(key) or key != key.strip() or as_path:
            raise _refused(
                flag,
                f"tag name {shown} is not valid; use 1-250 letters, digits, '_', '-', '.', "
                "':', '/' or inner spaces, with no empty, '.' or '..' part between slashes",
            )
        if len(text) > TAG_VALUE_MAX:
            raise _refused(flag, f"tag {shown} is {len(text)} characters long; the limit is 8000")
    return value


def alias(name: str, *, flag: str = "alias") -> str:
    if not ALIAS.fullmatch(name):
        raise _refused(flag, f"alias {name!r} is not valid; use 1-255 letters, digits, '_' or '-'")
    return name


def run_id(value: str, *, flag: str = "run id") -> str:
    if not RUN_ID.fullmatch(value):
        raise _refused(
            flag,
            f"{value!r} is not a run id (letters, digits, '_' or '-', as "
            "`credit compare` shows them)",
        )
    return value


def artifact_path(path: str, *, flag: str = "artifact path") -> str:
    """A path inside a run's artifacts: relative, no '..' step, no empty step, and no '%'
    (MLflow decodes percent escapes, so '%2e%2e' would be a '..' step after this check)."""
    parts = path.split("/")
    stepping = any(p in ("", ".", "..") for p in parts) or "\\" in path or "%" in path
    if path.startswith("/") or stepping or _CONTROL.search(path):
        raise _refused(
            flag,
            f"{path!r} is not a plain path inside the run (no leading '/', no '.' or '..' "
            "steps, no '%' escapes or backslashes)",
        )
    return path


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_component(text: str, *, limit: int = 60) -> str:
    """Any user string as one path component that stays where it is put.

    The only way a name (run, model, experiment, study...) becomes part of a path: letters,
    digits, '.', '_' and '-' are kept, every other run of characters becomes '_' (so '/',
    '\\', '..' and control characters cannot climb out or nest a folder), no leading dot (no
    hidden file, no '..'), at most `limit` characters. A name that had to change gets a
    short digest of the original, so two different names never share a folder.
    """
    cleaned = _UNSAFE.sub("_", text).lstrip(".")[:limit] or "unnamed"
    if cleaned == text:
        return cleaned
    import hashlib

    return f"{cleaned}-{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def key_part(text: str) -> str:
    """Any user string (a data column's name) as part of a metric or tag key the store takes:
    `safe_component`'s rule (no '/', so no '..' path; no character the store refuses), short
    enough for its 250-character keys, and two different names never one key."""
    return safe_component(text, limit=150)
