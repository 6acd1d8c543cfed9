"""Dates as NLM writes them, read into ``YYYYMMDD`` integers (``00`` for an unknown month or
day, so that ``2005[dp]`` is the range 20050000–20051299).

Kept apart from :mod:`pubmirror.medline.extract` because the compiled walker (``_cwalk.pyx``)
reads these rules when it is imported, and ``extract`` imports the walker: with the rules in
``extract``, whichever of the two was imported first decided whether ``extract`` got the compiled
functions or silently fell back to the Python ones (a worker process that imported the walker
first ran ingest ten times slower).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# PubMed: "winter = January, spring = April, summer = July and fall = October".
SEASONS = {"winter": 1, "spring": 4, "summer": 7, "fall": 10, "autumn": 10}
_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")
_WORD = re.compile(r"[A-Za-z]+")


def month_number(value: str) -> int:
    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    return MONTHS.get(value[:3], 0)


def date_of_parts(parts: Iterable[tuple[str, str]]) -> int:
    """``date_int`` from a date element's ``(tag, text)`` children, in order."""
    year = month = day = 0
    for tag, value in parts:
        if tag == "Year" and value.isdigit():
            year = int(value)
        elif tag == "Month":
            month = month_number(value)
        elif tag == "Day" and value.isdigit():
            day = int(value)
        elif tag == "Season":
            # A season, or a month range such as "Jan-Mar" (PubMed: the first month).
            month = SEASONS.get(value.strip().lower(), 0) or month_number(value)
        elif tag == "MedlineDate":
            return medline_date_int(value)
    return year * 10000 + month * 100 + day if year else 0


def medline_date_int(value: str) -> int:
    """``1998 Dec-1999 Jan`` → 19981200: the start of a free-text date range."""
    year = _YEAR.search(value)
    if not year:
        return 0
    # The first month or season anywhere: "1998 Dec-1999 Jan", "Summer 1998", "2000-2001 Fall".
    words = (w.lower() for w in _WORD.findall(value))
    month = next((m for w in words if (m := MONTHS.get(w[:3], 0) or SEASONS.get(w, 0))), 0)
    return int(year.group(1)) * 10000 + month * 100
