"""The data set: its description, checks, tables on disk, fetch, holdout split, synthetic rows."""
