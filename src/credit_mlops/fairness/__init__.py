"""Group metrics and disparities of a model's decisions (fairlearn), and the promotion gate.

Importing this package does nothing; fairlearn is imported only where metrics are computed.
"""
