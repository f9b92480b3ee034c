"""SQLAlchemy tables of joint credit penalties (联合惩戒): credit lists, memoranda, checks of candidate
winners (the ORM; the API contract is in schemas.py).

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
