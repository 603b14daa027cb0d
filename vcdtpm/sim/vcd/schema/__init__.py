"""Request schemas of the simulated Cloud Director: the table transcribed from the API reference and its validator."""

from vcdtpm.sim.vcd.schema.table import Table, TypeDef, load
from vcdtpm.sim.vcd.schema.validate import SchemaViolation, validate

__all__ = ["SchemaViolation", "Table", "TypeDef", "load", "validate"]
