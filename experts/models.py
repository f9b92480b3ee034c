"""SQLAlchemy tables of the evaluation (评标): the expert pool, the draw, the committee, scoring (the
ORM; the API contract is in schemas.py).

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
