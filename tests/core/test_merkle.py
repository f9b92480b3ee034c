"""The Merkle tree of RFC 9162 2.1 (`app.core.merkle`): roots against the RFC 6962 test vectors of
certificate-transparency, and every inclusion and consistency proof of trees up to 40 leaves
computed from stored subtrees, checked against a naive implementation of the RFC's definitions
and verified by the RFC's verification algorithms; tampered proofs fail."""

from __future__ import annotations

import hashlib

import pytest

from app.core import merkle

pytestmark = pytest.mark.pure

# certificate-transparency-go's merkle test data: the leaves and the root of all 8.
VECTOR_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
VECTOR_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def naive_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_root(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_root(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_root(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_root(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_root(leaves[:k])]


def stored(leaves: list[bytes]) -> merkle.Nodes:
    """The subtrees as the sequencer stores them: leaves, then the parents each leaf completes."""
    table = {(0, i): h for i, h in enumerate(leaves)}
    for start in range(len(leaves)):  # one leaf per batch, the hardest case
        table |= merkle.parents({}, start, start + 1, lambda level, index, t=table: t[(level, index)])
    return lambda level, index: table[(level, index)]


def test_roots_match_the_rfc_6962_test_vectors() -> None:
    leaves = [merkle.leaf_hash(d) for d in VECTOR_LEAVES]
    nodes = stored(leaves)
    for size, expected in VECTOR_ROOTS.items():
        assert merkle.root(size, nodes).hex() == expected
    assert merkle.root(0, nodes).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_every_proof_matches_the_definitions_and_verifies() -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(40)]
    nodes = stored(leaves)
    for size in range(1, 41):
        tree_root = merkle.root(size, nodes)
        assert tree_root == naive_root(leaves[:size])
        for index in range(size):
            path = merkle.inclusion_proof(index, size, nodes)
            assert path == naive_path(index, leaves[:size])
            assert merkle.verify_inclusion(index, size, leaves[index], path, tree_root)
            assert not merkle.verify_inclusion(index, size, leaves[(index + 1) % 40], path, tree_root) or size == 1
        for first in range(1, size):
            proof = merkle.consistency_proof(first, size, nodes)
            assert proof == naive_subproof(first, leaves[:size], True)
            first_root = merkle.root(first, nodes)
            assert merkle.verify_consistency(first, size, first_root, tree_root, proof)
            assert not merkle.verify_consistency(first, size, tree_root, first_root, proof)
            if proof:
                bent = [proof[0][::-1], *proof[1:]]
                assert not merkle.verify_consistency(first, size, first_root, tree_root, bent)


def test_only_the_needed_subtrees_are_read() -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(1000)]
    table = stored(leaves)
    read: list[tuple[int, int]] = []

    def counting(level: int, index: int) -> bytes:
        read.append((level, index))
        return table(level, index)

    merkle.inclusion_proof(617, 1000, counting)
    assert len(read) <= 2 * 10 and set(read) <= merkle.needed_for_inclusion(617, 1000)
    read.clear()
    merkle.consistency_proof(300, 1000, counting)
    assert set(read) <= merkle.needed_for_consistency(300, 1000)
    assert merkle.frontier_keys(1000) == {(9, 0), (8, 2), (7, 6), (6, 14), (5, 30), (3, 124)}
