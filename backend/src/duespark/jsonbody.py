"""JSON bodies read by hand (webhooks verify a signature on the raw bytes first): an object, at most
MAX_DEPTH levels deep, or a 422 naming the body.

A body nested a few thousand levels deep made `json.loads` raise RecursionError (a 500), and one just
under the interpreter's limit parsed, then failed in every recursive step after it (the NUL scrub of
the inbox, the JSON column): both are refused here, at the parse.
"""

from __future__ import annotations

import json
from typing import Any

from duespark.errors import InvalidInput

MAX_DEPTH = 64


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed document nests lists and objects more than `limit` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(text: str | bytes, *, limit: int = MAX_DEPTH) -> Any:
    """`json.loads`, raising ValueError (as for any malformed JSON) when the document nests too deeply."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON nested more than {limit} levels deep") from None
    if depth_exceeds(value, limit):
        raise ValueError(f"JSON nested more than {limit} levels deep")
    return value


def json_object(body: bytes, *, what: str = "a JSON object") -> dict[str, Any]:
    try:
        payload = loads(body)
    except ValueError as exc:
        detail = str(exc) if "nested" in str(exc) else "not JSON"
        raise InvalidInput("body", f"Expected {what} ({detail})") from None
    if not isinstance(payload, dict):
        raise InvalidInput("body", f"Expected {what}")
    return payload
