"""The only package that imports mlflow; everything else uses its facade."""
