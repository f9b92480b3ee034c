"""RFC 7807 problem details: the one error shape of the API.

Every error leaves as `application/problem+json` with `type`, `title`, `status` and `detail`;
a validation failure adds `invalid-params`, naming every bad field at once. Services raise
`Problem` (or one of the named subclasses); Litestar's own HTTP errors are converted here.

The detail speaks the reader's language: a problem raised with `zh=` answers a request whose
first Accept-Language is Chinese (the console's, on a Chinese page) in Chinese, with
`Content-Language: zh-CN`; every other request, and a problem without Chinese words, in English
(`Content-Language: en`), which the Chinese console then leaves out for the type's Chinese title.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.utils.scope.state import ScopeState

from app.core.lifecycle import TransitionRefused
from app.core.validation import FieldError, collect_errors

logger = logging.getLogger("ggzy.problems")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://ggzy.example/problems/"


class Problem(Exception):
    """An error a user should see, with its HTTP status and a stable `type` slug."""

    status = 400
    slug = "bad-request"
    title = "Bad Request"

    def __init__(
        self, detail: str, *, zh: str | None = None, status: int | None = None, slug: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail, self.detail_zh = detail, zh
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        self.extra = extra

    def body(self, chinese: bool = False) -> dict[str, Any]:
        return {
            "type": TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail_zh if chinese and self.detail_zh else self.detail,
            **self.extra,
        }

    def language(self, chinese: bool) -> str:
        return "zh-CN" if chinese and self.detail_zh else "en"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not Found"


class Forbidden(Problem):
    """Signed in and allowed to see the object, but not to do this to it."""

    status, slug, title = 403, "forbidden", "Forbidden"


class ConflictOfInterest(Forbidden):
    """An organization acting on its own object: a tenderee or agency bidding on its tender."""

    slug = "conflict-of-interest"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Unauthorized"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


# At most this many fields are named in one problem: a body of 100,000 unknown keys gets an answer
# of a few kilobytes, and says how many it left out.
MAX_NAMED_FIELDS = 100


class InvalidRequest(Problem):
    status, slug, title = 422, "validation", "Invalid request"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        named = errors[:MAX_NAMED_FIELDS]
        names = ", ".join(error.field for error in named)
        more = f" and {len(errors) - len(named)} more" if len(errors) > len(named) else ""
        omitted = f"等另外 {len(errors) - len(named)} 项" if more else ""
        super().__init__(
            detail or f"{len(errors)} invalid field(s): {names}{more}",
            zh=f"{len(errors)} 项输入有误：{names}{omitted}" if detail is None else None,
        )
        self.extra = {"invalid-params": [error.as_dict() for error in named]}
        if more:
            self.extra["invalid-params-omitted"] = len(errors) - len(named)


def prefers_chinese(accept_language: str) -> bool:
    """Whether the reader's first language is Chinese (Accept-Language: zh, zh-CN, zh-Hans…)."""
    first = accept_language.split(",")[0].split(";")[0].strip().lower()
    return first == "zh" or first.startswith("zh-")


def wants_chinese(request: Request[Any, Any, Any]) -> bool:
    return prefers_chinese(request.headers.get("accept-language", ""))


def _response(body: dict[str, Any], headers: dict[str, str] | None = None, language: str = "en") -> Response[Any]:
    return Response(
        content=msgspec.json.encode(body),
        status_code=body["status"],
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**(headers or {}), "Content-Language": language},
    )


def answer(request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None) -> Response[Any]:
    """The problem as a response in the reader's language."""
    chinese = wants_chinese(request)
    return _response(problem.body(chinese), headers, problem.language(chinese))


def handle_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[Any]:
    return answer(request, exc)


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Litestar stops at the first bad body field; re-check the body to name all of them."""
    params = [item for item in (exc.extra or []) if isinstance(item, dict) and item.get("source") != "body"]
    errors = [FieldError(str(item.get("key")), "invalid", str(item.get("message"))) for item in params]
    data_field = request.route_handler.parsed_data_field
    raw_body = ScopeState.from_scope(request.scope).body
    if data_field is not None and isinstance(raw_body, bytes) and raw_body:
        try:
            raw = msgspec.json.decode(raw_body)
        except msgspec.DecodeError as decode_error:
            return answer(
                request,
                Problem(
                    f"the request body is not valid JSON: {decode_error}",
                    zh=f"请求内容不是有效的 JSON：{decode_error}",
                    slug="bad-request",
                ),
            )
        body_type = data_field.annotation
        if isinstance(body_type, type) and issubclass(body_type, msgspec.Struct):
            errors.extend(collect_errors(body_type, raw))
    elif data_field is not None and data_field.is_optional is False and not raw_body:
        errors.append(FieldError("body", "required", "a JSON request body is required"))
    if not errors:
        errors = [FieldError("request", "invalid", exc.detail)]
    return answer(request, InvalidRequest(errors))


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        return handle_unexpected(request, exc)
    problem = Problem(
        exc.detail, zh=HTTP_DETAIL_ZH.get(exc.status_code), status=exc.status_code, slug=_slug(exc.status_code)
    )
    problem.title = _title(exc.status_code)
    return answer(request, problem, exc.headers)


# Litestar's own errors (a guard, a route that does not exist, a body too large) in Chinese: their
# English detail names nothing the Chinese words leave out.
HTTP_DETAIL_ZH = {
    401: "请先登录",
    403: "您的角色无权执行此操作",
    404: "未找到该页面或对象",
    405: "不支持此请求方法",
    413: "请求内容过大",
    429: "请求过于频繁，请稍后再试",
}


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = Problem("the server could not complete the request", zh="服务器未能完成请求", status=500, slug="internal")
    problem.title = "Internal error"
    return answer(request, problem)


def _slug(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "-")


def _title(status: int) -> str:
    return HTTPStatus(status).phrase


def handle_refused_transition(_request: Request[Any, Any, Any], exc: TransitionRefused) -> Response[Any]:
    """A state module refused a move the service let through: a conflict with the object's state."""
    return handle_problem(_request, Conflict(str(exc), zh="当前状态不允许此操作", slug="transition-refused"))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    Problem: handle_problem,
    TransitionRefused: handle_refused_transition,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    Exception: handle_unexpected,
}
