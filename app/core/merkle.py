"""The audit log's Merkle tree as RFC 9162 section 2.1 defines it, pure.

leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right); the tree over n leaves splits
at k, the largest power of two below n. Proofs are computed from a `Nodes` lookup of complete,
aligned subtrees (level, index) — what the sequencer stores as it integrates leaves — so a proof
reads O(log n) hashes, never the whole log: `needed_*` say which, `*_proof` compute with them.
Verification follows RFC 9162 2.1.3.2 and 2.1.4.2, independently of the computation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

Nodes = Callable[[int, int], bytes]  # (level, index) → the hash of leaves [index·2^level, (index+1)·2^level)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _perfect(lo: int, hi: int) -> tuple[int, int] | None:
    size = hi - lo
    if size & (size - 1) == 0 and lo % size == 0:
        level = size.bit_length() - 1
        return level, lo >> level
    return None


def _subtree_keys(lo: int, hi: int, out: set[tuple[int, int]]) -> None:
    perfect = _perfect(lo, hi)
    if perfect is not None:
        out.add(perfect)
        return
    k = _split(hi - lo)
    _subtree_keys(lo, lo + k, out)
    _subtree_keys(lo + k, hi, out)


def subtree_hash(lo: int, hi: int, nodes: Nodes) -> bytes:
    """MTH of leaves [lo, hi) (hi > lo), from the complete subtrees it is made of."""
    perfect = _perfect(lo, hi)
    if perfect is not None:
        return nodes(*perfect)
    k = _split(hi - lo)
    return node_hash(subtree_hash(lo, lo + k, nodes), subtree_hash(lo + k, hi, nodes))


def root(size: int, nodes: Nodes) -> bytes:
    return EMPTY_ROOT if size == 0 else subtree_hash(0, size, nodes)


def _path_ranges(index: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The subtrees whose hashes form the audit path of leaf `index` in [lo, hi), leaf-first."""
    if hi - lo <= 1:
        return []
    k = _split(hi - lo)
    if index < lo + k:
        return [*_path_ranges(index, lo, lo + k), (lo + k, hi)]
    return [*_path_ranges(index, lo + k, hi), (lo, lo + k)]


def _consistency_ranges(m: int, lo: int, hi: int, whole: bool) -> list[tuple[int, int]]:
    """SUBPROOF(m, D[lo:hi], whole) of RFC 9162 2.1.4.1, as subtree ranges."""
    n = hi - lo
    if m == n:
        return [] if whole else [(lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_consistency_ranges(m, lo, lo + k, whole), (lo + k, hi)]
    return [*_consistency_ranges(m - k, lo + k, hi, False), (lo, lo + k)]


def _keys(ranges: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for lo, hi in ranges:
        _subtree_keys(lo, hi, out)
    return out


def needed_for_root(size: int) -> set[tuple[int, int]]:
    return _keys([(0, size)]) if size else set()


def needed_for_inclusion(index: int, size: int) -> set[tuple[int, int]]:
    return _keys(_path_ranges(index, 0, size)) | {(0, index)}


def needed_for_consistency(first: int, second: int) -> set[tuple[int, int]]:
    return _keys(_consistency_ranges(first, 0, second, True)) if 0 < first < second else set()


def inclusion_proof(index: int, size: int, nodes: Nodes) -> list[bytes]:
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    return [subtree_hash(lo, hi, nodes) for lo, hi in _path_ranges(index, 0, size)]


def consistency_proof(first: int, second: int, nodes: Nodes) -> list[bytes]:
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    if first in (0, second):
        return []
    return [subtree_hash(lo, hi, nodes) for lo, hi in _consistency_ranges(first, 0, second, True)]


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if first > second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first root is the first node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def parents(level0: dict[int, bytes], start: int, end: int, nodes: Nodes) -> dict[tuple[int, int], bytes]:
    """The complete subtrees (level ≥ 1) that leaves [start, end) complete, given their hashes and
    the earlier subtrees through `nodes`: what the sequencer stores after integrating a batch."""
    made: dict[tuple[int, int], bytes] = {}

    def get(level: int, index: int) -> bytes:
        if level == 0 and index in level0:
            return level0[index]
        return made[(level, index)] if (level, index) in made else nodes(level, index)

    for leaf in range(start, end):
        level, index = 0, leaf
        while index & 1:  # a right child completes its parent
            made[(level + 1, index >> 1)] = node_hash(get(level, index - 1), get(level, index))
            level, index = level + 1, index >> 1
    return made


def frontier_keys(size: int) -> set[tuple[int, int]]:
    """The complete subtrees on the right edge of a tree of `size`: all a new leaf can need."""
    keys: set[tuple[int, int]] = set()
    lo = 0
    for level in reversed(range(size.bit_length())):
        if size & (1 << level):
            keys.add((level, lo >> level))
            lo += 1 << level
    return keys
