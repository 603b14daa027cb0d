"""What the simulated Cloud Director enforces and does: access, placement, composition items."""
