"""World files: the YAML description of a simulated cloud and its checks."""
