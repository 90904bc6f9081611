"""Population stability: the reference taken at training time and the PSI of new data."""
