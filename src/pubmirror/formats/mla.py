"""PubMed's Cite → MLA, rendered by citeproc-py from a small CSL style (:data:`STYLE`).

PubMed's "MLA" is not the layout of the MLA Handbook (nor of the official CSL style
``modern-language-association``, MLA 9th: ``Human Immunology, vol. 66, no. 4, Apr. 2005, pp.
395–402.``): it is NCBI's own layout, with the NLM journal title and ``vol. 66,4 (2005): pages``.
No published CSL style produces it, so this module carries one; citeproc-py still does the names,
``et al.``, dates and punctuation. The seed as PubMed's Cite dialog shows it (and as printed
here)::

    Toubi, Elias et al. “High-dose intravenous immunoglobulins: an option in the treatment of
    systemic lupus erythematosus.” Human immunology vol. 66,4 (2005): 395-402.

The layout, read from PubMed's citations of many records:

* authors: ``Family, Given.`` for one; ``Family, Given, and Given Family.`` for two; ``Family,
  Given et al.`` for more (the given name as NLM has it: ``Price, Morgan N et al.``);
* the title in curly quotes with its closing punctuation inside: ``“Title.”``;
* the journal's full NLM title, then ``vol. V,I`` (``vol. 6`` without issue);
* print articles: `` (year): pages.``, then `` doi:X`` without a closing period;
* articles published electronically only (``PublicationStatus`` epublish, ``PubModel``
  Electronic or Electronic-eCollection): `` pages. D Mon. YYYY, doi:X`` with the electronic
  date and NCBI's month abbreviations (``May.``, ``Jun.``, ``Sep.``): ``PloS one vol. 9,4
  e94587. 11 Apr. 2014, doi:10.1371/journal.pone.0094587``.

Not verified against PubMed (no sample seen): the electronic form without a DOI (ends with the
date and a period), and books and chapters (``“Title.” Book title, Place: Publisher, year.``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pubmirror.formats import citedata, common, styled
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Record

STYLE = b"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"
       default-locale="en-US">
  <info>
    <title>PubMed Cite: MLA (NCBI's layout)</title>
    <id>https://github.com/pubmirror/pubmirror/styles/pubmed-mla</id>
    <updated>2025-01-01T00:00:00+00:00</updated>
  </info>
  <locale xml:lang="en">
    <terms>
      <term name="et-al">et al.</term>
      <term name="and">and</term>
      <term name="page-range-delimiter">-</term>
      <term name="month-01" form="short">Jan.</term>
      <term name="month-02" form="short">Feb.</term>
      <term name="month-03" form="short">Mar.</term>
      <term name="month-04" form="short">Apr.</term>
      <term name="month-05" form="short">May.</term>
      <term name="month-06" form="short">Jun.</term>
      <term name="month-07" form="short">Jul.</term>
      <term name="month-08" form="short">Aug.</term>
      <term name="month-09" form="short">Sep.</term>
      <term name="month-10" form="short">Oct.</term>
      <term name="month-11" form="short">Nov.</term>
      <term name="month-12" form="short">Dec.</term>
    </terms>
  </locale>
  <macro name="author">
    <names variable="author">
      <name and="text" delimiter=", " delimiter-precedes-last="always"
            delimiter-precedes-et-al="never" et-al-min="3" et-al-use-first="1"
            name-as-sort-order="first" sort-separator=", "/>
    </names>
  </macro>
  <macro name="volume">
    <group delimiter=",">
      <text variable="volume" prefix="vol. "/>
      <text variable="issue"/>
    </group>
  </macro>
  <macro name="print">
    <group delimiter=": " suffix=".">
      <date variable="issued" prefix="(" suffix=")">
        <date-part name="year"/>
      </date>
      <text variable="page"/>
    </group>
    <text variable="DOI" prefix=" doi:"/>
  </macro>
  <macro name="electronic">
    <group delimiter=", ">
      <group delimiter=". ">
        <text variable="page"/>
        <date variable="issued">
          <date-part name="day" suffix=" "/>
          <date-part name="month" form="short" suffix=" "/>
          <date-part name="year"/>
        </date>
      </group>
      <text variable="DOI" prefix="doi:"/>
    </group>
    <choose>
      <if variable="DOI" match="none">
        <text value="."/>
      </if>
    </choose>
  </macro>
  <macro name="book">
    <group delimiter=", " suffix=".">
      <text variable="container-title"/>
      <group delimiter=": ">
        <text variable="publisher-place"/>
        <text variable="publisher"/>
      </group>
      <date variable="issued">
        <date-part name="year"/>
      </date>
    </group>
    <text variable="DOI" prefix=" doi:"/>
  </macro>
  <citation>
    <layout>
      <text variable="title"/>
    </layout>
  </citation>
  <bibliography>
    <layout>
      <group delimiter=" ">
        <text macro="author" suffix="."/>
        <text variable="title" prefix="\xe2\x80\x9c" suffix="\xe2\x80\x9d"/>
        <choose>
          <if type="book chapter" match="any">
            <text macro="book"/>
          </if>
          <else>
            <text variable="container-title"/>
            <text macro="volume"/>
            <choose>
              <if variable="status">
                <text macro="electronic"/>
              </if>
              <else>
                <text macro="print"/>
              </else>
            </choose>
          </else>
        </choose>
      </group>
    </layout>
  </bibliography>
</style>
"""


@cache
def style() -> Any:
    return styled.load(STYLE)


def item(rec: Record) -> dict[str, Any]:
    """The CSL-JSON item, shaped for the layout: the title keeps its closing punctuation, an
    electronic-only article is marked (``status``) and dated by its electronic date."""
    data = styled.item(rec)
    title = data.get("title", "")
    data["title"] = title if title[-1:] in ".?!" else title + "."
    if citedata.cited_electronically(rec):
        data["status"] = "epublish"
        epub = citedata.epub_date(rec)
        if epub is not None and epub.year.isdigit():
            month = common.month_number(epub.month)
            day = int(epub.day) if month and epub.day.isdigit() else 0
            data["issued"] = {"date-parts": [[int(epub.year)] + [p for p in (month, day) if p]]}
    return data


def citation(rec: Record) -> str:
    return styled.render_item(style(), item(rec))


def render(entries: Sequence[Entry]) -> str:
    return styled.render(entries, citation)


FORMAT = register(
    Format(
        name="mla",
        title="MLA",
        media_type="text/plain; charset=utf-8",
        extension="txt",
        render=render,
    )
)
