"""Masking of personal data on screen and in exports (PIPL art. 51; GB/T 35273-2020).

One place for the rules: phone numbers keep the first 3 and last 4 digits
(138****8000); ID numbers keep the first 6 and last 4 (110101********1234); names keep
their first character (张*); e-mails the first character and the domain
(z***@example.com); addresses their district (北京市东城区****).
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


# ISO 7064 MOD 11-2 (GB 11643-1999): weights 2^(17-i) mod 11, check characters 1 0 X 9 8 7 6 5 4 3 2.
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The check character of an 18-digit resident ID number from its first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: str | None) -> bool:
    """An 18-character resident ID number whose last character is its MOD 11-2 check digit."""
    if not value or len(value) != 18 or not value[:17].isdigit():
        return False
    return value[17].upper() == id_check_digit(value[:17])


def mask_name(value: str | None) -> str:
    """A person's name: the first character kept (张*, 欧阳**, J***)."""
    value = (value or "").strip()
    if not value:
        return ""
    masked = value[0] + "*" * max(len(value) - 1, 1)
    if masked == value:  # a "name" already ending in stars ("0*", "**") must still change
        masked = "*" * (len(value) + 1)
    return masked


def mask_email(value: str | None) -> str:
    """An e-mail address: the first character of the local part and the domain (z***@example.com)."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return mask_name(value)
    return local[0] + "***@" + domain



def mask_address(value: str | None) -> str:
    """An address: kept up to its district (区/县/旗), the rest masked (北京市东城区****).
    The district is what a supervisor needs to route work; street and number identify the
    person. Without a recognisable district, only the first 3 characters are kept."""
    value = (value or "").strip()
    if not value:
        return ""
    match = re.match(r"^.*?(?:区|县|旗)", value)
    keep = match.group(0) if match else value[: min(3, len(value) - 1)]
    return keep + "****"  # even a bare district: what follows is never shown


# The personal-data fields the platform shows, each with its mask: one table for every
# surface (pages, API, exports, notifications, the reveal endpoint).
MASKS = {
    "phone": mask_phone,
    "id_number": mask_id_number,
    "name": mask_name,
    "email": mask_email,
    "address": mask_address,
}


def mask(kind: str, value: str | None) -> str:
    """Mask ``value`` as personal data of ``kind`` (a key of MASKS)."""
    return MASKS[kind](value)
