"""PubMed XML (efetch ``retmode=xml``): a ``PubmedArticleSet`` holding the stored elements verbatim.

NCBI's current efetch output (``shared/data/biopython/Entrez/pubmed1.xml``) is::

    <?xml version="1.0" ?>
    <!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "…">
    <PubmedArticleSet>
    <PubmedArticle>…</PubmedArticle><PubmedArticle>…</PubmedArticle></PubmedArticleSet>

with a final newline; we write exactly that, each stored element's bytes unchanged. The DOCTYPE
names the 2025 DTD, which Biopython bundles, so ``Bio.Entrez.read`` validates offline.
Deviation: a bare ``MedlineCitation`` from a pre-2017 ``MedlineCitationSet`` is wrapped in
``<PubmedArticle>`` so the set stays valid (it then lacks the optional ``PubmedData``).
"""

from __future__ import annotations

from collections.abc import Sequence

from pubmirror.formats.registry import Entry, Format, register

HEADER = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    "<PubmedArticleSet>\n"
)
FOOTER = "</PubmedArticleSet>\n"


def element_text(xml: bytes) -> str:
    """One stored element as text, wrapped in ``PubmedArticle`` when it is a bare citation."""
    text = xml.decode("utf-8").strip()
    if text.startswith("<MedlineCitation"):
        return f"<PubmedArticle>{text}</PubmedArticle>"
    return text


def render(entries: Sequence[Entry]) -> str:
    return HEADER + "".join(element_text(e.xml) for e in entries) + FOOTER


FORMAT = register(
    Format(
        name="xml",
        title="PubMed XML",
        media_type="application/xml",
        extension="xml",
        render=render,
        efetch=(("", "xml"), ("xml", "xml")),
    )
)
