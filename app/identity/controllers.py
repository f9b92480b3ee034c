"""HTTP handlers of identity: sign-in and sign-out, organizations, users."""

from __future__ import annotations

import uuid
from typing import Any

from advanced_alchemy.service import OffsetPagination
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.core.actor import Role
from app.core.deps import ActorDep, ClockDep, DbSession, Limit, Offset, SettingsDep
from app.core.guards import requires, signed_in
from app.core.problems import Unauthorized
from app.identity import service as identity
from app.identity.auth import issue_token
from app.identity.schemas import (
    LoginRequest,
    LoginResponse,
    OrgCreate,
    OrgOut,
    PasswordChange,
    PasswordReset,
    UserCreate,
    UserOut,
)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ("auth",)

    @post("/login", opt={"public": True}, status_code=HTTP_200_OK)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        db_session: DbSession,
        clock: ClockDep,
        settings: SettingsDep,
    ) -> Response[LoginResponse]:
        """Sign in; the token comes back in the body (for API clients) and as a cookie (for pages)."""
        client_ip = request.client.host if request.client else None
        user = await identity.authenticate(
            db_session, clock, data.username, data.password, client_ip, settings.scrypt_log_n
        )
        if user is None:
            raise Unauthorized("wrong username or password", zh="用户名或密码错误")
        auth = request.app.state.jwt_auth
        token = issue_token(auth, user)
        expires_in = int(auth.default_token_expiration.total_seconds())
        cookie = Cookie(
            key=auth.key,
            value=token,
            path="/",
            httponly=True,
            secure=auth.secure,
            max_age=expires_in,
            samesite=auth.samesite,
        )
        return Response(LoginResponse(token, "bearer", expires_in, UserOut.of(user)), cookies=[cookie])

    @post("/logout", guards=[signed_in], status_code=HTTP_200_OK)
    async def logout(
        self, request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> Response[None]:
        """End this token now (bearer or cookie) and forget the browser cookie."""
        token = request.auth
        await identity.revoke_token(db_session, clock, actor, str(token.jti), token.exp)
        return Response(None, cookies=[Cookie(key=request.app.state.jwt_auth.key, value="", max_age=0, path="/")])


class OrgController(Controller):
    path = "/api/v1/orgs"
    tags = ("organizations",)

    @post("/", guards=[requires(Role.admin)])
    async def create(
        self, data: JSONBody[OrgCreate], db_session: DbSession, clock: ClockDep, actor: ActorDep, settings: SettingsDep
    ) -> OrgOut:
        """Register an organization under its USCC (check character verified), with its legal
        representative (the resident ID is verified, kept only as a keyed hash, never shown)."""
        return OrgOut.of(await identity.create_org(db_session, clock, actor, data, settings.person_id_key))

    @get("/", guards=[requires(Role.admin, Role.supervisor)])
    async def list_all(self, db_session: DbSession, limit: Limit = 50, offset: Offset = 0) -> OffsetPagination[OrgOut]:
        orgs, total = await identity.list_orgs(db_session, limit=limit, offset=offset)
        return OffsetPagination([OrgOut.of(org) for org in orgs], limit, offset, total)

    @get("/{uscc:str}", guards=[signed_in])
    async def show(self, uscc: FromPath[str], db_session: DbSession, actor: ActorDep) -> OrgOut:
        """An organization's record: its own members, supervisors and admins only."""
        return OrgOut.of(await identity.get_org(db_session, actor, uscc))


class UserController(Controller):
    path = "/api/v1/users"
    tags = ("users",)

    @post("/", guards=[requires(Role.admin)])
    async def create(
        self, data: JSONBody[UserCreate], db_session: DbSession, clock: ClockDep, actor: ActorDep, settings: SettingsDep
    ) -> UserOut:
        return UserOut.of(await identity.create_user(db_session, clock, actor, data, settings.scrypt_log_n))

    @get("/", guards=[signed_in])
    async def list_visible(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> OffsetPagination[UserOut]:
        """Users the caller may see: everyone for admins and supervisors, else the caller's org."""
        users, total = await identity.list_users(db_session, actor, limit=limit, offset=offset)
        return OffsetPagination([UserOut.of(user) for user in users], limit, offset, total)

    @post("/me/password", guards=[signed_in], status_code=HTTP_200_OK)
    async def change_password(
        self,
        data: JSONBody[PasswordChange],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> UserOut:
        """Change your password; every token issued before stops working (sign in again)."""
        user = await identity.change_password(
            db_session, clock, actor, data.current_password, data.new_password, settings.scrypt_log_n
        )
        return UserOut.of(user)

    @post("/{user_id:uuid}/password", guards=[requires(Role.admin)], status_code=HTTP_200_OK)
    async def reset_password(
        self,
        user_id: FromPath[uuid.UUID],
        data: JSONBody[PasswordReset],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> UserOut:
        """Set a user's password; every token issued to them before stops working."""
        user = await identity.reset_password(
            db_session, clock, actor, user_id, data.new_password, settings.scrypt_log_n
        )
        return UserOut.of(user)

    @post("/{user_id:uuid}/deactivate", guards=[requires(Role.admin)], status_code=HTTP_200_OK)
    async def deactivate(
        self, user_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> UserOut:
        """Deactivate a user: signing in is refused and every token stops working."""
        return UserOut.of(await identity.set_active(db_session, clock, actor, user_id, False))

    @post("/{user_id:uuid}/activate", guards=[requires(Role.admin)], status_code=HTTP_200_OK)
    async def activate(
        self, user_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> UserOut:
        return UserOut.of(await identity.set_active(db_session, clock, actor, user_id, True))

    @post("/{user_id:uuid}/unlock", guards=[requires(Role.admin)], status_code=HTTP_200_OK)
    async def unlock(
        self, user_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> UserOut:
        """Lift the sign-in lock of an account locked by failed attempts."""
        return UserOut.of(await identity.unlock(db_session, clock, actor, user_id))

    @get("/me", guards=[signed_in])
    async def me(self, db_session: DbSession, actor: ActorDep) -> UserOut:
        return UserOut.of(await identity.get_user(db_session, actor, actor.user_id))

    @get("/{user_id:uuid}", guards=[signed_in])
    async def show(self, user_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> UserOut:
        return UserOut.of(await identity.get_user(db_session, actor, user_id))
