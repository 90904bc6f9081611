"""`credit compare`: query parsing, columns, rows and views."""
