"""Thin Litestar handlers of the evaluation (评标): the expert pool, the draw, the committee,
scoring: parse, call one service function, shape the answer; listed in app/routes.py.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
