"""ggzy. This package is the composition root: `main.create_app` (the app factory), `routes` (the
route table), `wiring` (what the domains plug into the kernel), `scheduler`, the CLI and the demo.
The kernel is `app.core`, identities are `app.identity`; see docs/architecture.md."""
