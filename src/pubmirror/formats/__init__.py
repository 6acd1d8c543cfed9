"""Layer 2: one small registered writer per display.

efetch, the CLI and the web UI read one registry.

Importing this package registers every writer. The imports below are in menu order (PubMed's
Save menu: Summary (text), PubMed, PMID list, Abstract (text), CSV; then our XML and JSON; then
the citation exports: RIS, BibTeX, CSL-JSON and the four styles of PubMed's Cite dialog, AMA,
APA, MLA, NLM), which is the order :func:`names` returns. Each writer module's docstring says
what NCBI does and where we deviate.
"""

from __future__ import annotations

from pubmirror.formats import summary  # noqa: F401  (registration order = menu order)
from pubmirror.formats import medline  # noqa: F401
from pubmirror.formats import pmid  # noqa: F401
from pubmirror.formats import abstract  # noqa: F401
from pubmirror.formats import csv  # noqa: F401
from pubmirror.formats import xml  # noqa: F401
from pubmirror.formats import json  # noqa: F401
from pubmirror.formats import ris  # noqa: F401
from pubmirror.formats import bibtex  # noqa: F401
from pubmirror.formats import csljson  # noqa: F401
from pubmirror.formats import ama  # noqa: F401
from pubmirror.formats import apa  # noqa: F401
from pubmirror.formats import mla  # noqa: F401
from pubmirror.formats import nlm  # noqa: F401
from pubmirror.formats.registry import Entry, Format, for_efetch, get, names

__all__ = ["Entry", "Format", "for_efetch", "get", "names"]
