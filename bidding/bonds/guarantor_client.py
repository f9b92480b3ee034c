"""The guarantor's JSON API as the platform calls it (the adapter of bidding.bonds): one signed
message POSTed to `{endpoint}/messages`, the guarantor's signed answer back. The reference
guarantor (`ggzy guarantor serve`, bidding.bonds.reference_guarantor) answers the same way."""

from __future__ import annotations

from typing import Any, Protocol

import httpx


class GuarantorUnreachable(Exception):
    """The guarantor did not answer, or answered with an error: try again later."""


class GuarantorClient(Protocol):
    async def send(self, endpoint: str, message: dict[str, Any]) -> dict[str, Any]: ...


class HttpGuarantorClient:
    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    async def send(self, endpoint: str, message: dict[str, Any]) -> dict[str, Any]:
        url = endpoint.rstrip("/") + "/messages"
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                response = await http.post(url, json=message)
        except httpx.HTTPError as exc:
            raise GuarantorUnreachable(f"{url}: {exc.__class__.__name__}") from exc
        if response.status_code >= 300:
            raise GuarantorUnreachable(f"{url}: HTTP {response.status_code} {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise GuarantorUnreachable(f"{url}: not JSON") from exc
        if not isinstance(answer, dict):
            raise GuarantorUnreachable(f"{url}: not a JSON object")
        return answer
