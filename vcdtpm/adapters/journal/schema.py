"""The journal's tables, and engines for SQLite (one process, WAL) or PostgreSQL (many replicas)."""

from __future__ import annotations

import importlib.util
import threading
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from vcdtpm.adapters.journal.sealing import private_dir, private_file
from vcdtpm.ports import OperationStatus, StepStatus

SQLITE_BUSY_SECONDS = 30.0
SCHEMA_LOCK_KEY = 0x76636474  # a fixed PostgreSQL advisory lock id for creating the tables


class UtcDateTime(sa.TypeDecorator):
    """A timestamp stored as naive UTC on every backend and read back as an aware UTC datetime."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("journal timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def _json() -> sa.JSON:
    return sa.JSON(none_as_null=True)


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})")


metadata = sa.MetaData()

operations = sa.Table(
    "journal_operations",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("org", sa.String(255), nullable=False),
    sa.Column("username", sa.String(255), nullable=False),
    sa.Column("operation", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), _one_of("status", tuple(OperationStatus)), nullable=False),
    sa.Column("request", _json(), nullable=False),
    sa.Column("request_sha256", sa.String(64), nullable=False),
    sa.Column("plan", _json(), nullable=False),
    sa.Column("result", _json()),
    sa.Column("error", _json()),
    sa.Column("idempotency_key", sa.String(255)),
    sa.Column("token", sa.Text),
    sa.Column("owner", sa.String(255)),
    sa.Column("lease_expires", UtcDateTime()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),  # claims so far
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("org", "idempotency_key", name="uq_journal_operations_org_key"),
    sa.Index("ix_journal_operations_org_seq", "org", "seq"),
    sa.Index("ix_journal_operations_claim", "status", "lease_expires"),
)

steps = sa.Table(
    "journal_steps",
    metadata,
    sa.Column("op_id", sa.String(36), sa.ForeignKey(operations.c.id, ondelete="CASCADE"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("params", _json(), nullable=False),
    sa.Column("status", sa.String(16), _one_of("status", tuple(StepStatus)), nullable=False),
    sa.Column("task", sa.Text),
    sa.Column("progress", sa.Integer, nullable=False, default=0),
    sa.Column("result", _json()),
    sa.Column("error", _json()),
    sa.Column("started_at", UtcDateTime()),
    sa.Column("finished_at", UtcDateTime()),
)

# every column but the token: what views are built from
VIEW_COLUMNS = tuple(column for column in operations.c if column.name != "token")


def sqlite_url(data_dir: str | Path) -> str:
    """The default journal: a SQLite file in the service's data directory."""
    return f"sqlite:///{Path(data_dir).expanduser().resolve() / 'journal.db'}"


def make_engine(url: str) -> tuple[sa.Engine, threading.RLock | None]:
    """An engine for `url`, and a lock to serialise on when the database cannot do it itself."""
    parsed = sa.make_url(_with_driver(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True), None


# columns added after the first release: (table, column, its DDL) for journals made before them
ADDED_COLUMNS = (("journal_operations", "attempts", "INTEGER NOT NULL DEFAULT 0"),)


def create_tables(engine: sa.Engine) -> None:
    """Create missing tables and add columns a journal from an earlier release lacks; on PostgreSQL
    under an advisory lock, so replicas may start together."""
    with engine.connect().execution_options(journal_write=True) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        metadata.create_all(conn)
        _add_missing_columns(conn)


def _add_missing_columns(conn: sa.Connection) -> None:
    """ALTER TABLE ... ADD COLUMN, which SQLite and PostgreSQL both take with a constant default."""
    inspector = sa.inspect(conn)
    for table, column, ddl in ADDED_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))


def _with_driver(url: str) -> str:
    """Plain postgres(ql):// URLs use psycopg 3 when it is installed (SQLAlchemy's default is psycopg2)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is not None:
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_engine(url: sa.URL) -> tuple[sa.Engine, threading.RLock | None]:
    memory = url.database in (None, "", ":memory:")
    options: dict = {
        "hide_parameters": True,
        "connect_args": {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
    }
    if memory:
        options["poolclass"] = StaticPool  # one shared connection, so one shared database
    else:
        database = Path(url.database or ".")
        private_dir(database.parent, ours=False)
        for path in (database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))):
            if path == database or path.exists():
                private_file(path)  # SQLite makes -wal and -shm with the database file's mode
    engine = sa.create_engine(url, **options)
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    sa.event.listen(engine, "begin", _sqlite_on_begin)
    return engine, threading.RLock() if memory else None


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_on_begin
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        f"busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}",
        "foreign_keys=ON",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE): no lock upgrades, no deadlocks."""
    write = conn.get_execution_options().get("journal_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def utcnow() -> datetime:
    return datetime.now(UTC)
