"""credit-mlops: train, track, register, promote and compare credit-risk models on MLflow."""

__version__ = "0.1.0"
