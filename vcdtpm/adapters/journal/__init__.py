"""Durable operations and idempotency keys: the journal workers resume from (SQLite or PostgreSQL)."""

from vcdtpm.adapters.journal.errors import IdempotencyKeyReused, LeaseLost, StepOutOfOrder
from vcdtpm.adapters.journal.schema import sqlite_url
from vcdtpm.adapters.journal.store import Journal

__all__ = ["IdempotencyKeyReused", "Journal", "LeaseLost", "StepOutOfOrder", "sqlite_url"]
