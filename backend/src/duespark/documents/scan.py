"""Active content in an uploaded PDF: what a reader could run or open on its own when a client opens
the invoice we send them. Such a file is refused at upload; an invoice needs none of it.

Refused: JavaScript (/JS, /JavaScript, a /S /JavaScript action, also behind /OpenAction), /Launch
actions, embedded files (/EmbeddedFile, /EmbeddedFiles, /EF), XFA forms (/XFA) and additional actions
(/AA: run on opening a page, focusing a field, ...). A plain /OpenAction that shows a page is fine.

Every indirect object the cross-reference table names is read (names are decoded, so "/J#53" is "/JS")
and its dictionaries and arrays walked; streams are never inflated. The work is bounded: at most
`MAX_OBJECTS` objects, `MAX_DEPTH` levels of nesting and `TIME_BUDGET` seconds, past which the file
is refused as too complex to check rather than let through unchecked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_OBJECTS = 50_000
MAX_DEPTH = 48
TIME_BUDGET = 2.0  # seconds

# Keys whose mere presence is active content, and what to tell the user about each.
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "a Launch action (opens a program or file)",
    "/EmbeddedFile": "an embedded file",
    "/EmbeddedFiles": "embedded files",
    "/EF": "an embedded file",
    "/XFA": "an XFA form",
    "/AA": "automatic actions",
}
# Action types (/S) that run or open something.
ACTIVE_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "a Launch action (opens a program or file)"}


class ActiveContent(Exception):
    """The PDF carries active content, or could not be checked within the bounds; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_active_content(reader: PdfReader, *, clock: Callable[[], float] = time.monotonic) -> None:
    """Raise ActiveContent naming the first active content found; return when there is none."""
    deadline = clock() + TIME_BUDGET
    numbers = _object_numbers(reader)
    if len(numbers) > MAX_OBJECTS:
        raise ActiveContent(f"it has {len(numbers):,} objects, more than the {MAX_OBJECTS:,} that are checked")
    _walk(reader.trailer, 0)
    for number, generation in numbers:
        if clock() > deadline:
            raise ActiveContent(f"it could not be checked within {TIME_BUDGET:g} seconds")
        try:
            value = reader.get_object(IndirectObject(number, generation, reader))
        except RecursionError:
            raise ActiveContent("it nests objects too deeply to be checked") from None
        _walk(value, 0)


def _object_numbers(reader: PdfReader) -> list[tuple[int, int]]:
    numbers = [(number, generation) for generation, table in reader.xref.items() for number in table]
    numbers += [(number, 0) for number in reader.xref_objStm]
    return numbers


def _walk(value: object, depth: int) -> None:
    """Look at one object's direct contents; indirect references are visited on their own."""
    if isinstance(value, IndirectObject):
        return
    if depth > MAX_DEPTH:
        raise ActiveContent(f"it nests objects more than {MAX_DEPTH} levels deep")
    if isinstance(value, DictionaryObject):
        for key in value:
            if key in ACTIVE_KEYS:
                raise ActiveContent(f"it contains {ACTIVE_KEYS[key]} ({key})")
        # dict's own methods: DictionaryObject's would resolve references (and read other objects).
        action = dict.get(value, "/S")
        if isinstance(action, NameObject) and action in ACTIVE_ACTIONS:
            raise ActiveContent(f"it contains {ACTIVE_ACTIONS[action]} (/S {action})")
        if dict.get(value, "/Type") == "/EmbeddedFile":
            raise ActiveContent("it contains an embedded file (/Type /EmbeddedFile)")
        for item in dict.values(value):
            _walk(item, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in list.__iter__(value):
            _walk(item, depth + 1)
