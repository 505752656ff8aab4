"""Masking of personal data on screen and in exports (PIPL art. 51; GB/T 35273-2020).

One place for the rules: phone numbers keep the first 3 and last 4 digits
(138****8000); ID numbers keep the first 6 and last 4 (110101********1234).
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_phone(value: str | None) -> str:
    """Mask a phone number; short or unusual values keep only their last 4 characters."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) >= 11 and digits[-11:].isdigit():
        return digits[:-8] + "****" + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(value: str | None) -> str:
    """Mask a resident ID number (18 characters): 110101********1234."""
    if not value:
        return ""
    value = value.strip()
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


def mask_text(text: str | None) -> str:
    """Mask every mobile number and ID number found inside free text."""
    if not text:
        return ""
    text = _ID.sub(lambda m: m.group(1) + "*" * 8 + m.group(3)[-4:], text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
