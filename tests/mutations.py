"""Seeded byte mutations for the verifier's fuzz tests (the same sequence every run)."""

from __future__ import annotations

import random

__all__ = ["mutate_bytes"]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """One of: a flipped bit, a replaced, inserted or deleted byte, a truncation, a repeat."""
    at = rng.randrange(len(data))
    match rng.randrange(6):
        case 0:
            return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
        case 1:
            return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        case 2:
            return data[:at] + bytes([rng.randrange(32, 127)]) + data[at:]
        case 3:
            return data[:at] + data[at + 1 :]
        case 4:
            return data[:at]
        case _:
            end = min(len(data), at + rng.randrange(1, 16))
            return data[:end] + data[at:end] + data[end:]
