"""Multibase base58btc, the text form of keys and signatures in Data Integrity proofs.

Kept here rather than taken from a package because it is forty lines, has test vectors in
the specs we copy, and every key id and ``proofValue`` we write passes through it.
"""

from __future__ import annotations

from credstack.limits import MAX_BASE58_CHARS

__all__ = ["MultibaseError", "b58decode", "b58encode", "decode_base58btc", "encode_base58btc"]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
BASE58BTC_PREFIX = "z"


class MultibaseError(ValueError):
    """Text that claims to be multibase base58btc but is not."""


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_ALPHABET[rest])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def b58decode(text: str, max_chars: int = MAX_BASE58_CHARS) -> bytes:
    """Decode base58; text longer than ``max_chars`` is refused before any arithmetic.

    The positional arithmetic is quadratic in the length of the text, so the bound (what the
    longest key or signature needs) is what keeps a hostile value from costing seconds.
    """
    if len(text) > max_chars:
        raise MultibaseError(
            f"The base58btc value is {len(text)} characters long; at most {max_chars} are "
            "accepted (a key or signature needs fewer than 100)."
        )
    number = 0
    for char in text:
        try:
            number = number * 58 + _INDEX[char]
        except KeyError:
            raise MultibaseError(f"{char!r} is not a base58btc character.") from None
    leading_ones = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_ones + body


def encode_base58btc(data: bytes) -> str:
    return BASE58BTC_PREFIX + b58encode(data)


def decode_base58btc(text: str, max_chars: int = MAX_BASE58_CHARS) -> bytes:
    if not text.startswith(BASE58BTC_PREFIX):
        raise MultibaseError("Only multibase base58btc (a value starting with 'z') is supported.")
    return b58decode(text[1:], max_chars)
