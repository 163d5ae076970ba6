"""What every source shares: codes (and, below, encodings, numbers, dates, headers)."""

from __future__ import annotations

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a unit code."""
    if len(first17) != 17:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = 0
    for ch, w in zip(first17, USCC_WEIGHTS, strict=True):
        idx = USCC_CHARSET.find(ch)
        if idx < 0:
            raise ValueError(f"character {ch!r} is not allowed in a unit code")
        total += idx * w
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when `code` is 18 characters of the charset with a correct check character."""
    if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]
