"""Operating pieces: the local team tracking server."""
