"""How the platform hands back a stored file (a tender document, a filing's papers, an opened
bid's documents): always as an attachment of type application/octet-stream, whatever type its
uploader claimed, so a browser saves it and never renders it in the platform's origin (an
uploaded HTML or SVG file cannot run script as the platform); every response also says nosniff."""

from __future__ import annotations

from pathlib import Path

from litestar.response import File

MEDIA_TYPE = "application/octet-stream"


def download(path: Path, filename: str) -> File:
    return File(path=path, filename=filename, media_type=MEDIA_TYPE, content_disposition_type="attachment")
