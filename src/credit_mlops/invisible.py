"""Characters that are not shown as themselves, defined once: what a typed name is refused
for (`names.invisible`) and what every output layer shows as an escape (`escaping.shown`).

Controls, format characters (direction overrides and isolates, zero-width spaces, a byte
order mark), line and paragraph separators, private-use and lone surrogate code points, and
Unicode's default-ignorable code points that are letters or marks by category but render as
nothing (Hangul fillers, the combining grapheme joiner, Khmer inherent vowels, variation
selectors). Standard library only.
"""

from __future__ import annotations

import re

_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})
# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) outside the categories above
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_NON_ASCII = re.compile(r"[^\x00-\x7e]")


def hidden(c: str) -> bool:
    """Whether the one character `c` is not shown as itself."""
    import unicodedata

    code = ord(c)
    if code < 0x20 or code == 0x7F:
        return True
    return code > 0x7E and (unicodedata.category(c) in _CATEGORIES or bool(_IGNORABLE.match(c)))


def any_hidden(text: str) -> bool:
    if not _NON_ASCII.search(text):
        return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)
    return any(hidden(c) for c in text)
