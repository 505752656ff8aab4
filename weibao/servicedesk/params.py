"""Reading ids and other raw values from a request without trusting them: a malformed
value is the caller's mistake (an answer naming the field), never a server error."""

from __future__ import annotations

from django.shortcuts import render

# A database id fits in a signed 64-bit integer (19 digits); longer input is not an id.
MAX_ID_DIGITS = 18


def parse_id(value) -> int | None:
    """The positive integer id in ``value``, or None when it is absent or not one.

    ``str.isdigit`` alone is not enough: it accepts "²" and other Unicode digits that
    ``int`` refuses or the database cannot store.
    """
    text = str(value if value is not None else "").strip()
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number or None


def bad_request(request, message: str):
    """A 400 page that says which field was wrong and how."""
    return render(request, "400.html", {"message": message}, status=400)
