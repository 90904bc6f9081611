"""`credit train`: prepare, fit and log (train.py), its run spec, the outbox and sync."""
