"""Why a model scored an applicant as it did: attributions per original column, read as reasons.

Importing this package does nothing; shap is imported only by the explainers that need it.
"""
