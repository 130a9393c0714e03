"""A HyperLogLog small enough to keep one per account, window and bucket.

64 one-byte registers (about 13 % standard error) cost 64 bytes, so the five of
an account's buckets (windows.DISTINCT, two buckets) still fit the few-kilobyte
budget of an active account. The hash comes from the caller (already computed
fingerprints), so adding is one shift, one mask and one ``max``.
"""

from __future__ import annotations

import math
from functools import lru_cache

REGISTERS = 64
_INDEX_BITS = 6
_RANK_BITS = 64 - _INDEX_BITS
_INDEX_MASK = REGISTERS - 1
_RANK_PLUS_ONE = _RANK_BITS + 1
_ALPHA = 0.709  # bias correction for m = 64 (Flajolet et al. 2007)
_INVERSE_POWERS = tuple(2.0**-rank for rank in range(_RANK_BITS + 2))


def register_and_rank(hash64: int, offset: int = 0) -> tuple[int, int]:
    """Which register of the block at ``offset`` a hash updates, and the rank it offers."""
    return offset + (hash64 & (REGISTERS - 1)), _RANK_BITS - (
        hash64 >> _INDEX_BITS
    ).bit_length() + 1


def sketch_updates(*hashes: int) -> list[tuple[int, int]]:
    """(register, rank) of each non-zero hash, the k-th hash in the k-th block of 64 registers.

    ``register_and_rank`` inlined: this runs for every event."""
    return [
        (
            k * REGISTERS + (hashed & _INDEX_MASK),
            _RANK_PLUS_ONE - (hashed >> _INDEX_BITS).bit_length(),
        )
        for k, hashed in enumerate(hashes)
        if hashed
    ]


def add(registers: bytearray, offset: int, hash64: int) -> None:
    """Add a 64-bit hash to the registers stored at ``registers[offset:offset + 64]``."""
    index, rank = register_and_rank(hash64, offset)
    if rank > registers[index]:
        registers[index] = rank


def estimate(registers: bytes | bytearray, offset: int) -> float:
    """Estimated number of distinct hashes added to one register block."""
    return _estimate(bytes(registers[offset : offset + REGISTERS]))


@lru_cache(maxsize=16384)
def _estimate(block: bytes) -> float:
    # Cached on the block's bytes (about 3 MB at most): most blocks read again are as they
    # were (a previous bucket, a handful of keys or addresses), and the sum over 64
    # registers is the cost of a full feature vector (7 in 10 reads are repeats).
    zeros = block.count(0)
    if zeros == REGISTERS:
        return 0.0
    raw = _ALPHA * REGISTERS * REGISTERS / sum(map(_INVERSE_POWERS.__getitem__, block))
    if raw <= 2.5 * REGISTERS and zeros:
        # Linear counting: far more accurate than the raw estimate for small sets.
        return REGISTERS * math.log(REGISTERS / zeros)
    return raw
