"""Models: the catalog of model kinds, estimators, features, building pipelines and models,
cross-validation, metrics, costs, plots."""
