"""Thin Litestar handlers of joint credit penalties (联合惩戒): credit lists, memoranda, checks of
candidate winners: parse, call one service function, shape the answer; listed in app/routes.py.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
