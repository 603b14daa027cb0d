"""The command line: serve, sim, matrix and openapi here; plan, run and status over REST."""
