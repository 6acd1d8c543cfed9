"""Type stub for the splitter's compiled loop (see ``_csplit.pyx``)."""

from typing import Any

def take_records(
    buf: bytes, pos: int, line: int, names: tuple[bytes, ...], out: list[Any], chunk_type: Any,
    limit: int,
) -> tuple[int, int]: ...
