"""The blob store: uploaded files kept content-addressed by SHA-256, written as a stream.

An upload is hashed and written chunk by chunk to a temporary file, synced, then moved into
place under its digest (`ab/cd/abcd…`); the same content uploaded twice is stored once. No
file is ever held whole in memory, and a file over the size limit is refused and removed. This
local-directory backend serves one machine; an S3-compatible backend can take its place
behind the same two methods (`put`, `path`) when web workers run on several hosts.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from app.problems import Problem

# The framework-level ceiling on streamed uploads; the store enforces the configured limit.
UPLOAD_CEILING_BYTES = 8 * 1024**3


class BlobTooLarge(Problem):
    status, slug, title = 413, "too-large", "Content Too Large"


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int


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
        temporary = self.root / "tmp" / uuid.uuid4().hex
        digest, size = hashlib.sha256(), 0
        try:
            with temporary.open("wb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLarge(f"the file is larger than the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                await asyncio.to_thread(os.fsync, handle.fileno())
            sha256 = digest.hexdigest()
            final = self.path(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, final)  # same content, same bytes: replacing a twin is harmless
            return StoredBlob(sha256, size)
        finally:
            temporary.unlink(missing_ok=True)
