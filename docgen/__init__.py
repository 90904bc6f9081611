"""Pages of the documentation site generated from the code and the benchmark results.

`hooks.py` is the MkDocs hook that adds them at build time; each other module renders one
kind of page as Markdown and is importable by the tests.
"""
