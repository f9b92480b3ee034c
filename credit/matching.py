"""Matching subjects against credit-list entries under the memoranda, pure: no web, no database.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
