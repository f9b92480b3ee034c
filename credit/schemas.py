"""msgspec Structs of joint credit penalties (联合惩戒): credit lists, memoranda, checks of candidate
winners: the API contract, separate from the ORM tables.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
