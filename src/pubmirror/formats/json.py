"""The record model as JSON: an array with one object per record (not an NCBI format).

Objects follow :class:`pubmirror.medline.model.Record` field by field, in declaration order (a
stable key order): nested dataclasses become objects, tuples and lists arrays, :class:`Markup`
``{"text": …, "xml": …}``, absent optional parts ``null``. Non-ASCII is written as is (UTF-8).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from pubmirror.formats.registry import Entry, Format, register


def to_plain(value: Any) -> Any:
    """Dataclasses → dicts in field order, tuples → lists, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


def render(entries: Sequence[Entry]) -> str:
    return json.dumps([to_plain(e.record) for e in entries], ensure_ascii=False, indent=1) + "\n"


FORMAT = register(
    Format(
        name="json",
        title="JSON (record model)",
        media_type="application/json",
        extension="json",
        render=render,
    )
)
