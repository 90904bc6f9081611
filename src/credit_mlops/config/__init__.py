"""Settings: one model per section; loading from defaults, profile file, environment, flags."""
