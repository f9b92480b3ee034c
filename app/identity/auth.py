"""Authentication and authorization: password hashing, JWT login, role guards, org visibility.

Passwords are hashed with scrypt (memory-hard; the cost is stored with each hash so it can be
raised later) in a worker thread, so a login never stalls the event loop. Tokens are Litestar
JWTs, accepted from the `Authorization: Bearer` header or, for browser pages, a cookie.

Every route declares who may call it, next to the route: `guards=[requires(Role.admin)]`, or
`opt={"public": True}` for the few routes anyone may call. Objects private to an organization
are looked up through `ensure_visible`, which answers 404 for another org's object, so a
stranger cannot even learn that it exists.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import os
import uuid
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AuthenticationResult
from litestar.security.jwt import JWTCookieAuth, JWTCookieAuthenticationMiddleware, Token
from sqlalchemy.ext.asyncio import AsyncSession

from app.identity.models import RevokedToken, User

_SCRYPT_R, _SCRYPT_P, _KEY_LEN = 8, 1, 32


def _scrypt(password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=_KEY_LEN, n=2**log_n, r=r, p=p).derive(password.encode())


def hash_password_sync(password: str, log_n: int) -> str:
    salt = os.urandom(16)
    digest = _scrypt(password, salt, log_n, _SCRYPT_R, _SCRYPT_P)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${log_n}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password_sync(password: str, stored: str) -> bool:
    scheme, log_n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    b64d = base64.urlsafe_b64decode
    candidate = _scrypt(password, b64d(salt), int(log_n), int(r), int(p))
    return hmac.compare_digest(candidate, b64d(digest))


async def hash_password(password: str, log_n: int) -> str:
    return await asyncio.to_thread(hash_password_sync, password, log_n)


async def verify_password(password: str, stored: str | None, log_n: int) -> bool:
    """Check `password`; with no stored hash, or one no password matches (an imported expert not
    yet given one), spend the same time as a real check and say no: the answer's time tells
    nobody whether the account exists or has a password."""
    if stored is None or not stored.startswith("scrypt$"):
        await asyncio.to_thread(_scrypt, password, b"0" * 16, log_n, _SCRYPT_R, _SCRYPT_P)
        return False
    return await asyncio.to_thread(verify_password_sync, password, stored)


class BearerOrCookieMiddleware(JWTCookieAuthenticationMiddleware):
    """The token from `Authorization: Bearer <token>` (no other scheme) or the sign-in cookie."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get(self.auth_header)
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthorizedException("use Authorization: Bearer <token>")
            return await self.authenticate_token(encoded_token=token.strip(), connection=connection)
        cookie = connection.cookies.get(self.auth_cookie_key, "")
        if not cookie:
            raise NotAuthorizedException("sign in first")
        return await self.authenticate_token(encoded_token=cookie.split(" ")[-1], connection=connection)


def make_jwt_auth(
    secret_key: str, ttl_minutes: int, session_provider: Any, *, secure_cookie: bool = True
) -> JWTCookieAuth[User, Token]:
    """JWT auth whose tokens name a user id, the user's token generation and a unique id; the
    user is reloaded per request and must be active, of the same generation, and the token not
    revoked (logout)."""

    async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
        session: AsyncSession = session_provider(connection)
        try:
            user_id = uuid.UUID(token.sub)
        except ValueError:
            return None
        user = await session.get(User, user_id)
        if user is None or not user.is_active or token.extras.get("gen") != user.token_generation:
            return None
        if not isinstance(token.jti, str) or await session.get(RevokedToken, token.jti) is not None:
            return None
        return user

    return JWTCookieAuth[User, Token](
        retrieve_user_handler=retrieve_user,
        token_secret=secret_key,
        default_token_expiration=timedelta(minutes=ttl_minutes),
        key="ggzy_token",
        samesite="strict",
        secure=secure_cookie,
        exclude=["^/health", "^/schema"],
        exclude_opt_key="public",
        authentication_middleware_class=BearerOrCookieMiddleware,
    )


def issue_token(auth: JWTCookieAuth[User, Token], user: User) -> str:
    return auth.create_token(
        identifier=str(user.id), token_unique_jwt_id=uuid.uuid4().hex, token_extras={"gen": user.token_generation}
    )
