"""Use cases of joint credit penalties (联合惩戒): credit lists, memoranda, checks of candidate
winners: transactions, the audit trail, the only writer of status (through states.py).

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
