"""The simulated Cloud Director's route handlers, one module per family of resources."""
