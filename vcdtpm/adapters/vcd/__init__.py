"""The Cloud Director adapter: the `CloudDirector` port over pyvcloud."""

from __future__ import annotations

from vcdtpm.adapters.vcd.adapter import VcdAdapter

__all__ = ["VcdAdapter"]
