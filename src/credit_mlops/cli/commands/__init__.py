"""One thin module per command, loaded lazily by cli.main."""
