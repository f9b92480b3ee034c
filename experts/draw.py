"""The verifiable random draw of experts with recusal, pure: no web, no database.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
