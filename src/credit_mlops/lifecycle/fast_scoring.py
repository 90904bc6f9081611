"""P(bad) without scikit-learn's per-call overhead lives in the scoring runtime
(`credit_runtime.fast_scoring`), so that a logged model scores as fast as `credit predict`."""

from credit_runtime.fast_scoring import CHECK_ROWS, CheckedProba, Proba, compile_proba, model_proba

__all__ = ["CHECK_ROWS", "CheckedProba", "Proba", "compile_proba", "model_proba"]
