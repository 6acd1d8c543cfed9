"""Type stub for the compiled extractor (see ``_cwalk.pyx``)."""

from lxml import etree

from pubmirror.medline.extract import Fields

def search_fields(elem: etree._Element) -> tuple[int, int, Fields]: ...
def scan_fields(data: bytes) -> tuple[int, int, Fields] | None: ...
