"""What the chronograph runs for joint credit penalties (联合惩戒): credit lists, memoranda, checks of
candidate winners (app.core.chronograph Steps), gathered by app/wiring.py.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
