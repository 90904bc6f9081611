"""Everything the CLI writes to the terminal."""
