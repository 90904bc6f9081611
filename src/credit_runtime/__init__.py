"""credit_runtime: what a logged credit model needs to decide and explain, and nothing else.

Shipped inside every model `credit train` logs (the model's `code/` folder) and installed with
credit-mlops. It imports numpy, pandas, scikit-learn (and xgboost, optbinning or shap when the
model needs them); never mlflow at import time, never credit_mlops.

The contract (stable; the `reasons` parameter and the output columns do not change meaning):

    model = mlflow.pyfunc.load_model("models:/scorecard@champion")
    out = model.predict(applicants, params={"reasons": 4})

- `applicants`: a pandas DataFrame, one row per applicant, with the data description's
  columns (German or English names; other columns are ignored). Values are numbers; coded
  columns take integer codes (an integer-valued float such as 2.0 is accepted).
- `out`: a DataFrame with one row per applicant, in the input's order and index:
    p_bad     float   the probability of a bad credit
    decision  str     "accept" or "reject" (reject when p_bad >= the model's threshold)
    score     float   points on the scorecard scale (base_score at base_odds good:bad,
                      +pdo per doubling of the odds; a scorecard's own points)
    reason_1 .. reason_K   str or None: the columns that pushed P(bad) up most, worded with
                      the code table ("status: no checking account"); None where fewer
                      than K columns pushed it up. K from `params["reasons"]`
                      (default: the model's, 4), 0 = no reason columns.
- Invalid input raises `InvalidInput` (a ValueError) whose message names the first offending
  row (0-based position in `applicants`) and column; `.row` and `.column` hold them. Under
  `mlflow models serve` it is an HTTP 400 with that message. A `reasons` value that is not a
  whole number between 0 and the number of columns is InvalidInput too.
- Loading raises `credit_runtime.errors.DamagedModel` (a ValueError) naming the file and the
  field when a file logged beside the model (`credit/decision.json`, `description.json`,
  `background.json`) does not hold what its writer writes (a NaN or zero `pdo`, a `reasons`
  beyond the columns): it was changed after logging, and the model is trained again.
- `mlflow.sklearn.load_model` on the same model gives the plain estimator: `predict` = the
  decision (1 = bad = reject), `predict_proba[:, 1]` = P(bad).
"""

from credit_runtime.errors import CreditModelError, ExplanationUnavailable, InvalidInput

CONTRACT = 1  # bumped only if the output columns or the `reasons` parameter change meaning

__all__ = ["CONTRACT", "CreditModelError", "ExplanationUnavailable", "InvalidInput"]
