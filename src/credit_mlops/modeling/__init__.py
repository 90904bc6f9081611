"""Catalog, estimators, features, pipeline assembly, cross-validation, metrics, costs, plots."""
