"""Every error, including Litestar's own, leaves as RFC 7807 problem details."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient


@pytest.mark.parametrize(
    ("method", "path", "status", "slug"),
    [
        ("GET", "/no/such/page", 404, "not-found"),
        ("DELETE", "/health", 405, "method-not-allowed"),
        ("GET", "/api/v1/users/me", 401, "unauthorized"),
    ],
)
async def test_framework_errors_are_problem_details(
    backend: str, client: AsyncTestClient[Litestar], method: str, path: str, status: int, slug: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["type"].endswith("/" + slug) and body["title"] and body["detail"]


async def test_a_missing_body_is_named(backend: str, client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/api/v1/auth/login", json=["not", "an", "object"])
    assert response.status_code == 422
    assert response.json()["invalid-params"] == [
        {"name": "body", "code": "type", "reason": "the request body must be a JSON object"}
    ]
