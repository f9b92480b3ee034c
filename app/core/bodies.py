"""Requests checked before Litestar decodes them. No parameter (query or path) may carry a NUL
character (PostgreSQL cannot compare with it; no name needs it): 422 naming each. Request
bodies of JSON routes: a JSON route takes only
a JSON media type (415 otherwise), and a body that is not UTF-8, not JSON, or nested deeper than
any request of this API needs gets a 400 problem instead of reaching the decoder's edge cases.
Raw-body routes (file uploads) have no `data` field and are left alone."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from app.core.problems import InvalidRequest, Problem
from app.core.validation import nul_error

MAX_JSON_DEPTH = 32


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported Media Type"


class MalformedBody(Problem):
    status, slug, title = 400, "bad-request", "Bad Request"


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (a linear scan, no recursion)."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


async def check_request(request: Request[Any, Any, Any]) -> None:
    """Litestar `before_request` hook for every route."""
    with_nul = [name for name, value in request.query_params.multi_items() if "\x00" in name + str(value)]
    with_nul += [name for name, value in request.path_params.items() if isinstance(value, str) and "\x00" in value]
    if with_nul:
        raise InvalidRequest([nul_error(name) for name in with_nul])
    await check_json_body(request)


async def check_json_body(request: Request[Any, Any, Any]) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return
    handler = request.route_handler
    if getattr(handler, "parsed_data_field", None) is None:
        return
    body = await request.body()
    if not body:
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"send the body as application/json, not {media_type or 'no media type'}",
            zh="请以 application/json 格式提交",
        )
    if json_depth_exceeds(body, MAX_JSON_DEPTH):
        raise MalformedBody(
            f"the JSON is malformed: nested deeper than {MAX_JSON_DEPTH} levels",
            zh=f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层",
        )
    try:
        body.decode("utf-8")
        msgspec.json.decode(body)
    except UnicodeDecodeError as exc:
        raise MalformedBody(
            f"the JSON is malformed: not UTF-8 at byte {exc.start}", zh=f"JSON 不是 UTF-8 编码（第 {exc.start} 字节）"
        ) from exc
    except msgspec.DecodeError as exc:
        raise MalformedBody(f"the JSON is malformed: {exc}", zh="JSON 格式错误") from exc
