"""South German Credit: schema, validation, reading/writing, fetch, holdout split, synthetic."""
