"""Counter-based random numbers keyed by entity, for a generator that must not depend on batching.

Every draw is a pure function of (seed, stream name, integer key): the key names the entity (a
customer, a contract, an instalment, a customer-month). So a customer's data is the same whether it
is generated alone, in a block of 100 or in one go, and blocks can be built in any order. The hash is
splitmix64 (Steele et al., 2014), whose output passes BigCrush for consecutive inputs.
"""

from __future__ import annotations

import zlib

import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_UNIT = 2.0**-53


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, applied elementwise to uint64 (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))  # a fresh array, so the in-place steps below never alias input
    x *= _MIX1
    x ^= x >> np.uint64(27)
    x *= _MIX2
    x ^= x >> np.uint64(31)
    return x


class KeyedRandom:
    """Random draws addressed by (stream, key) under one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def _bits(self, stream: str, key: np.ndarray) -> np.ndarray:
        tag = zlib.crc32(stream.encode("utf-8"))
        base = _mix(np.array([(self.seed & 0xFFFFFFFF) << 32 | tag], dtype=np.uint64))
        key = np.asarray(key).astype(np.uint64)
        # Consecutive keys walk the splitmix sequence from a stream-specific origin.
        return _mix(base + key * _GAMMA)

    def uniform(self, stream: str, key: np.ndarray) -> np.ndarray:
        """Floats in the open interval (0, 1), one per key."""
        bits = self._bits(stream, key)
        bits >>= np.uint64(11)
        out = bits.astype(np.float64)
        out += 0.5
        out *= _UNIT
        return out

    def normal(self, stream: str, key: np.ndarray) -> np.ndarray:
        """Standard normal draws (Box-Muller on two uniform streams)."""
        u1 = self.uniform(stream + "/r", key)
        u2 = self.uniform(stream + "/t", key)
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def exponential(self, stream: str, key: np.ndarray) -> np.ndarray:
        """Exponential draws with mean 1."""
        return -np.log(self.uniform(stream, key))

    def integers(
        self, stream: str, key: np.ndarray, low: int, high: np.ndarray | int
    ) -> np.ndarray:
        """Integers in [low, high) (high may vary per key)."""
        span = np.asarray(high, dtype=np.int64) - low
        return low + np.floor(self.uniform(stream, key) * span).astype(np.int64)

    def choice(self, stream: str, key: np.ndarray, weights: tuple[float, ...]) -> np.ndarray:
        """Index into `weights` for each key, drawn with those (unnormalised) weights."""
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        cumulative /= cumulative[-1]
        picked = np.searchsorted(cumulative, self.uniform(stream, key), side="right")
        return np.minimum(picked, len(weights) - 1)

    def bernoulli(self, stream: str, key: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """True with probability p (per key)."""
        return self.uniform(stream, key) < p
