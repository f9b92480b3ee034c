"""What the chronograph runs for the evaluation (评标): the expert pool, the draw, the committee,
scoring (app.core.chronograph Steps), gathered by app/wiring.py.

Scaffolded by the restructure (issue 9); the evaluation and credit issues fill it."""
