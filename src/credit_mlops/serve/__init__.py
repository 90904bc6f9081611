"""`credit serve`: the decision API over a registered model that follows its alias."""
