"""ggzy service shell: app factory, settings, database, identities and roles, audit trail, clock, CLI."""
