"""The kernel, importing no domain: settings, database, clock, money, problems, validation and
the shared API types, actor and roles, guards, the audit trail, blobs, live events (one outbox),
notifications, the lifecycle helper and the chronograph, the working-day calendar."""
