"""The blob store: uploaded files kept content-addressed by SHA-256, written as a stream.

An upload is hashed and written chunk by chunk to a temporary file, synced, then moved into
place under its digest (`ab/cd/abcd…`); the same content uploaded twice is stored once. No
file is ever held whole in memory, and a file over the size limit is refused and removed. This
local-directory backend serves one machine; an S3-compatible backend can take its place
behind the same methods (`put`, `stage`/`keep`/`discard`, `path`) when web workers run on
several hosts. Uploads that may be refused (sealed bids) are staged apart from the store and
moved in only once accepted, so a refused upload can never remove a blob another record uses.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from app.core.problems import Problem

# The framework-level ceiling on streamed uploads; the store enforces the configured limit.
UPLOAD_CEILING_BYTES = 8 * 1024**3


class BlobTooLarge(Problem):
    status, slug, title = 413, "too-large", "Content Too Large"


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class StagedBlob:
    """An upload kept apart from the store until it is accepted: refusing it removes only this
    file, never a stored blob that another record references under the same digest."""

    sha256: str
    size: int
    path: Path

    @property
    def stored(self) -> StoredBlob:
        return StoredBlob(self.sha256, self.size)


class BlobWriter:
    """A blob written piece by piece from synchronous code (e.g. a decryption worker thread).
    The caller already knows the content's SHA-256 (a verified digest), so it is not recomputed."""

    def __init__(self, store: LocalBlobStore) -> None:
        self.store = store
        self.temporary = store.root / "tmp" / uuid.uuid4().hex
        self.handle = self.temporary.open("wb")
        self.size = 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.size += len(data)
        return len(data)

    def finish(self, sha256: str) -> StoredBlob:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        final = self.store.path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.temporary, final)
        return StoredBlob(sha256, self.size)

    def discard(self) -> None:
        self.handle.close()
        self.temporary.unlink(missing_ok=True)


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "tmp").mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def writer(self) -> BlobWriter:
        return BlobWriter(self)

    async def put(self, chunks: AsyncIterator[bytes], max_bytes: int) -> StoredBlob:
        """Store the stream; raise BlobTooLarge (storing nothing) past `max_bytes`."""
        staged = await self.stage(chunks, max_bytes)
        return self.keep(staged)

    async def stage(self, chunks: AsyncIterator[bytes], max_bytes: int) -> StagedBlob:
        """Write the stream to a staging file (synced), outside the store; raise BlobTooLarge
        (keeping nothing) past `max_bytes`. The caller keeps or discards it."""
        temporary = self.root / "tmp" / uuid.uuid4().hex
        digest, size = hashlib.sha256(), 0
        try:
            with temporary.open("wb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLarge(
                            f"the file is larger than the limit of {max_bytes} bytes",
                            zh=f"文件超过 {max_bytes} 字节的上限",
                        )
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                await asyncio.to_thread(os.fsync, handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return StagedBlob(digest.hexdigest(), size, temporary)

    def keep(self, staged: StagedBlob) -> StoredBlob:
        """Move an accepted upload into the store under its digest."""
        final = self.path(staged.sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, final)  # same content, same bytes: replacing a twin is harmless
        return staged.stored

    @staticmethod
    def discard(staged: StagedBlob) -> None:
        """Forget a refused upload: only its staging file goes."""
        staged.path.unlink(missing_ok=True)

    def clean_staging(self, older_than_seconds: float = 3600) -> int:
        """Remove staging files nobody has written for a while (left by a process killed
        mid-upload). Uploads in progress keep their files fresh, so they are left alone."""
        cutoff, removed = time.time() - older_than_seconds, 0
        for leftover in (self.root / "tmp").iterdir():
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
