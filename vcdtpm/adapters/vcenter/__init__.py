"""The pyvmomi adapter: the only place pyvmomi appears."""

from vcdtpm.adapters.vcenter.adapter import About, PyVmomiVCenter
from vcdtpm.adapters.vcenter.config import VCenterConfig

__all__ = ["About", "PyVmomiVCenter", "VCenterConfig"]
