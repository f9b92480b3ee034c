"""The OpenAPI document says which problems (RFC 7807) each route really gives, so clients and
the schema-conformance checks know them: 401 where a sign-in is needed, 403 where roles are,
404 where the path names an object, 400/415/422 where a body or parameters are read, 409 where a
state can refuse the change, 413 for uploads, 429 where a limit applies."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi import ResponseSpec

from app.core.problems import PROBLEM_MEDIA_TYPE


class InvalidParam(msgspec.Struct):
    name: str
    code: str
    reason: str


class ProblemDetails(msgspec.Struct):
    """RFC 7807 problem details; a problem may carry more members (e.g. `code`, `retry_after`)."""

    type: str
    title: str
    status: int
    detail: str
    invalid_params: list[InvalidParam] | None = msgspec.field(default=None, name="invalid-params")
    # how many more invalid fields there were than the first ones named
    invalid_params_omitted: int | None = msgspec.field(default=None, name="invalid-params-omitted")


DESCRIPTIONS = {
    400: "Malformed request (the JSON cannot be read)",
    401: "Not signed in, or the token is revoked or expired",
    403: "The caller's role may not do this",
    404: "No such object, or not visible to the caller",
    409: "The object's state refuses this now",
    413: "The upload is larger than allowed",
    415: "The body is not application/json",
    422: "Invalid request: every bad field is named in invalid-params",
    429: "Too many attempts: try again later",
}
# A GET that can still refuse by state: a custody share is handed out once.
STATEFUL_READS = {("GET", "/api/v1/tenders/{tender_id:uuid}/custody/share")}
# Routes about the caller's own record, which may be missing (an expert login not in the pool).
# (a credit-repair application names an entry about the caller's own organization).
OWN_RECORDS = {
    ("GET", "/api/v1/experts/me"),
    ("PUT", "/api/v1/experts/me/unavailability"),
    ("POST", "/api/v1/credit/repairs"),
}
# Reads of something that may not exist yet (no tree head signed, an event not yet in the log).
NOT_YET = {
    ("GET", "/api/v1/transparency/heads/latest"),
    ("POST", "/api/v1/transparency/heads"),
    ("GET", "/api/v1/transparency/proofs/inclusion"),
}
# Reads that take an opaque cursor, refused as a bad request when it is not one they gave.
CURSORED = {("GET", "/api/v1/ocds/releases")}
RATE_LIMITED = {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/service-requests/{request_id:uuid}/auction/bids")}


def problem_statuses(
    method: str, path: str, *, public: bool, role_guarded: bool, reads_json: bool, signed: bool = False
) -> set[int]:
    """The 4xx statuses a route can answer, from what it declares (pure: tested on its own).
    `signed`: a route without sign-in whose message carries its sender's signature (the settlement
    bank's, a guarantor's): 401 when it does not verify, 404 when it names an unknown object."""
    statuses = {422}  # a parameter or a rule between values can always be wrong
    if not public or path == "/api/v1/auth/login" or signed:  # login: wrong credentials
        statuses.add(401)
    if signed:
        statuses.add(404)
    if role_guarded:
        statuses.add(403)
    if "{" in path or (method, path) in OWN_RECORDS | NOT_YET:
        statuses.add(404)
    if reads_json:
        statuses |= {400, 415}
    if (method, path) in CURSORED:
        statuses.add(400)
    if (method in ("POST", "PUT", "DELETE") and path != "/api/v1/auth/login") or (method, path) in STATEFUL_READS:
        statuses.add(409)
    if path.endswith(("/documents", "/bids")) and method == "POST":
        statuses.add(413)
    if (method, path) in RATE_LIMITED:
        statuses.add(429)
    return statuses


def document_problems(app: Litestar) -> None:
    """Add the problem responses to every API route handler of `app` (before the schema is built)."""
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = handler.http_methods - {"OPTIONS", "HEAD"}
            if not methods:
                continue
            guards: list[Any] = list(handler.guards or [])
            statuses = set().union(
                *(
                    problem_statuses(
                        method,
                        route.path,
                        public=handler.opt.get("public") is True,
                        role_guarded=any(hasattr(guard, "required_roles") for guard in guards),
                        reads_json=handler.parsed_data_field is not None,
                        signed=handler.opt.get("signed") is True,
                    )
                    for method in methods
                )
            )
            handler.responses = {
                status: ResponseSpec(ProblemDetails, description=DESCRIPTIONS[status], media_type=PROBLEM_MEDIA_TYPE)
                for status in sorted(statuses)
            } | dict(handler.responses or {})
