"""Content fingerprints: sha1 of the normalised text, 64-bit SimHash, a bounded seen-set."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import OrderedDict

import numpy as np

_WORD = re.compile(r"\w+")
SHINGLE = 3


def normalise(text: str) -> str:
    """Case-folded NFKC words separated by single spaces: what the hash is taken over."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def sha1(normalised: str) -> str:
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()


def content_hash(text: str) -> str:
    return sha1(normalise(text))


def _word_hashes(words: list[str]) -> np.ndarray:
    table: dict[str, bytes] = {}
    for word in words:
        if word not in table:
            table[word] = hashlib.blake2b(word.encode(), digest_size=8).digest()
    return np.frombuffer(b"".join(table[w] for w in words), dtype="<u8")


def _rotl(values: np.ndarray, bits: int) -> np.ndarray:
    if bits == 0:
        return values
    return (values << np.uint64(bits)) | (values >> np.uint64(64 - bits))


def _shingle_hashes(words: list[str]) -> np.ndarray:
    """One 64-bit hash per overlapping word 3-shingle (position-aware XOR of word hashes)."""
    if len(words) < SHINGLE:  # a short text is one shingle
        return _word_hashes([" ".join(words)] if words else [])
    hashes = _word_hashes(words)
    count = len(hashes) - SHINGLE + 1
    combined = hashes[:count].copy()
    for offset in range(1, SHINGLE):
        combined ^= _rotl(hashes[offset : offset + count], offset * 21)
    return combined


def simhash(text: str) -> str:
    """64-bit SimHash over word 3-shingles, as 16 hex digits (all zeros for empty text)."""
    return simhash_normalised(normalise(text))


def simhash_normalised(normalised: str) -> str:
    hashes = _shingle_hashes(normalised.split())
    if hashes.size == 0:
        return "0" * 16
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    majority = bits.sum(axis=0, dtype=np.int64) * 2 > hashes.size
    value = int.from_bytes(np.packbits(majority, bitorder="little").tobytes(), "little")
    return f"{value:016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


class SeenHashes:
    """A bounded LRU set of content hashes."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """Record ``key``; True when it was already there (then it becomes most recent)."""
        if key in self._seen:
            self._seen.move_to_end(key)
            return True
        self._seen[key] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._seen)
