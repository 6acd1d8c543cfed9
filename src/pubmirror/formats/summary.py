"""PubMed's Summary (text) export: a numbered list of citations, one block of four lines each.

The User Guide only says Summary (text) saves "a list of citations in NLM style"; the layout
below is that of the file PubMed's Save → Summary (text) writes::

    1. High-dose intravenous immunoglobulins: an option in the treatment of ... erythematosus.
    Toubi E, Kessel A, Shoenfeld Y.
    Hum Immunol. 2005 Apr;66(4):395-402.
    PMID: 15866703

One blank line separates entries. The last line adds ``Free PMC article.`` when the record has a
PMCID and ``Review.`` for Review publication types, as PubMed's results list does. Deviations:
no snippets, no "Free article" (we cannot know publisher free access), no "Item in Clipboard".
A record without authors keeps its block of four lines minus the author line.
"""

from __future__ import annotations

from collections.abc import Sequence

from pubmirror.formats import common
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Record


def render(entries: Sequence[Entry]) -> str:
    blocks = [f"{i}. {entry_text(e.record)}" for i, e in enumerate(entries, 1)]
    return "\n".join(blocks)


def entry_text(rec: Record) -> str:
    lines = [common.title(rec), common.author_list(rec.authors), common.source(rec), pmid_line(rec)]
    return "\n".join(line for line in lines if line) + "\n"


def pmid_line(rec: Record) -> str:
    line = f"PMID: {rec.pmid}"
    if rec.article_id("pmc"):
        line += " Free PMC article."
    if any(pt.name in ("Review", "Systematic Review") for pt in rec.publication_types):
        line += " Review."
    return line


FORMAT = register(
    Format(
        name="summary",
        title="Summary (text)",
        media_type="text/plain; charset=utf-8",
        extension="txt",
        render=render,
    )
)
