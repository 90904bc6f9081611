"""`credit tune`: Optuna hyperparameter search over a model's space, shared by many workers.

Cheap to import: Optuna and scikit-learn are imported inside the functions that use them.
The plain search for benchmarks is `credit_mlops.tune.search.best_params`.
"""
