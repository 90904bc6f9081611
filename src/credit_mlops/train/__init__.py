"""The train workflow (prepare, fit, log), its run spec, the outbox and sync."""
