"""The PMID list (web "PMID" format, efetch ``rettype=uilist&retmode=text``): one PMID a line."""

from __future__ import annotations

from collections.abc import Sequence

from pubmirror.formats.registry import Entry, Format, register


def render(entries: Sequence[Entry]) -> str:
    return "".join(f"{e.pmid}\n" for e in entries)


FORMAT = register(
    Format(
        name="pmid",
        title="PMID list",
        media_type="text/plain; charset=utf-8",
        extension="txt",
        render=render,
        efetch=(("uilist", "text"),),
    )
)
