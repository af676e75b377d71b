"""Many rows at once (the demo history: millions of ratings) through the session's connection, in its
transaction: PostgreSQL's COPY, executemany straight to the driver elsewhere.

``Writer`` buffers the rows of one table and writes them in batches, so memory stays bounded whatever
the count. ``tuned()`` adapts the connection's settings to a bulk load; ``loading(*tables)`` sets the tables' secondary indexes (and on PostgreSQL their foreign
keys and unique constraints) aside while they fill and builds them again at the end: one sort per
index and one validating join per foreign key instead of a B-tree insertion and a look-up per row.
"""
import contextlib
import datetime as dt
import itertools

from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, UniqueConstraint, event, insert, select
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from .db import db

# SQLite's page cache during a bulk load, and its whole heap (soft_heap_limit): a sorter keeps up to
# the cache's size per thread before it spills (5 M ratings: 256 MB gave 963 MB peak RSS, 64 MB 552 MB
# for 8 % more CPU).
CACHE_KIB = 64 * 1024
SQLITE_ROWS_PER_INSERT = 20  # rows per INSERT statement on SQLite: fewer statement steps per row


class Writer:
    """Rows for one table, as tuples of ``columns``; written in batches of ``batch``. Columns not
    given get their Python-side defaults. ``after``: the writer (or writers) whose rows these refer to
    (flushed first). ``close()`` writes what is left."""

    def __init__(self, model, columns: tuple[str, ...], batch: int = 20_000,
                 after: "Writer | tuple[Writer, ...] | None" = None):
        self.table, self.columns, self.batch = model.__table__, columns, batch
        self.after = after if isinstance(after, tuple) else (after,) if after is not None else ()
        self.rows, self.count = [], 0
        self.defaults = {}
        for column in self.table.columns:
            if column.name not in columns and column.default is not None and not column.primary_key:
                arg = column.default.arg
                self.defaults[column.name] = arg(None) if callable(arg) else arg
        self.names = (*self.columns, *self.defaults)
        self.extra = tuple(self.defaults.values())
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        # SQLite stores times and dates as SQLAlchemy does, as text (times in UTC); only these columns
        # need converting.
        self.times = [i for i, name in enumerate(self.names) if isinstance(self.table.c[name].type, DateTime)]
        self._time = self._text = None
        self.dates = [i for i, name in enumerate(self.names) if isinstance(self.table.c[name].type, Date)]
        # Booleans as the integers SQLite stores (the driver's adapter look-up per value costs more).
        self.booleans = [i for i, name in enumerate(self.names) if isinstance(self.table.c[name].type, Boolean)]

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def extend(self, rows) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        for writer in self.after:
            writer.flush()  # the rows these refer to go first
        if not self.rows:
            return
        quoted = ", ".join(f'"{name}"' for name in self.names)
        if self.dialect == "postgresql":
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f'COPY "{self.table.name}" ({quoted}) FROM STDIN') as copy:
                for row in self.rows:
                    copy.write_row(row + self.extra)
            cursor.close()
        elif self.dialect == "sqlite":
            cursor = self.connection.connection.driver_connection.cursor()
            marks = "(" + ", ".join("?" * len(self.names)) + ")"
            statement = f'INSERT INTO "{self.table.name}" ({quoted}) VALUES '  # noqa: S608 - names from the models
            if self.times or self.dates or self.booleans:
                rows = list(map(self._sqlite_row, self.rows))
            else:  # nothing to convert (criterion scores): the rows as they are
                rows = [row + self.extra for row in self.rows] if self.extra else self.rows
            many = SQLITE_ROWS_PER_INSERT
            whole = len(rows) - len(rows) % many
            if whole:  # several rows per statement, their values in one flat list
                cursor.executemany(statement + ", ".join([marks] * many),
                                   (list(itertools.chain.from_iterable(rows[i:i + many])) for i in range(0, whole, many)))
            if whole < len(rows):
                cursor.executemany(statement + marks, rows[whole:])
            cursor.close()
        else:
            self.connection.execute(insert(self.table), [dict(zip(self.names, row + self.extra, strict=True))
                                                         for row in self.rows])
        self.count += len(self.rows)
        self.rows = []

    def _sqlite_row(self, row: tuple) -> tuple:
        row = list(row + self.extra)
        for i in self.times:
            value = row[i]
            if value is self._time:  # a row's times are often one value (created, updated)
                row[i] = self._text
            elif value is not None:
                self._time, self._text = value, value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
                row[i] = self._text
        for i in self.dates:
            if row[i] is not None:
                row[i] = row[i].isoformat()
        for i in self.booleans:
            if row[i] is not None:
                row[i] = int(row[i])
        return row

    def close(self) -> None:
        self.flush()


def next_id(model) -> int:
    """The first id free for rows whose ids are assigned here."""
    return (db.session.scalar(select(db.func.max(model.id))) or 0) + 1


def stream_progress(model, progress=None, steps: int = 1000):
    """For a stream read in the order of ``model``'s ids: a function of the id just read that calls
    ``progress(done, steps)`` as the ids advance from the smallest to the largest (rarely: about
    ``steps`` times in all)."""
    if progress is None:
        return lambda _id: None
    low, high = db.session.execute(select(db.func.min(model.id), db.func.max(model.id))).one()
    low, span, last = low or 0, max(1, (high or 0) - (low or 0) + 1), [-1]
    progress(0, steps)

    def report(row_id: int) -> None:
        done = (row_id - low + 1) * steps // span
        if done != last[0]:
            last[0] = done
            progress(done, steps)
    return report


def fix_sequences(*models) -> None:
    """Ids were assigned here: move PostgreSQL's sequences past them (SQLite continues from the max)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM \"{table}\"))")  # noqa: S608 - table names from the models


@contextlib.contextmanager
def tuned():
    """Settings for one bulk load's transaction. PostgreSQL: its commit does not wait for the disk (a
    crash loses the load, never what others committed); index builds, sorts and hash joins get more
    memory. SQLite: a larger page cache (which also bounds a sort's memory before it spills to a
    temporary file) and a second thread for large sorts (the aggregates' GROUP BYs); the
    connection's own settings come back at the end.

    SQLite, when the load is its transaction's first work (``flask demo seed``; not inside a
    savepoint): the settings SQLite changes only between transactions too — a rollback journal instead
    of the write-ahead log (new pages go to the file once, not to the log and then to the file; a
    rollback still undoes the load), no fsync, and no foreign-key look-up per row (the load's rows
    refer to rows it wrote or to reference data). They come back when that transaction ends."""
    fresh = not db.session().in_transaction()
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    elif dialect == "sqlite":
        saved = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                 for name in ("cache_size", "threads", "soft_heap_limit")}
        connection.exec_driver_sql(f"PRAGMA cache_size = {-CACHE_KIB}")
        connection.exec_driver_sql("PRAGMA threads = 2")  # helper threads for large sorts
        # All of SQLite's memory in this process (the page cache and the sorters, which otherwise
        # keep up to cache_size each, per thread, before spilling).
        connection.exec_driver_sql(f"PRAGMA soft_heap_limit = {CACHE_KIB * 1024}")
        if fresh and not connection.in_nested_transaction():
            _sqlite_between_transactions(connection)
    try:
        yield
    finally:
        if dialect == "sqlite":
            for name, value in saved.items():
                connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")


def _sqlite_between_transactions(connection) -> None:
    """The SQLite settings that only change outside a transaction: the transaction just begun (nothing
    written in it) ends, the settings change, it begins again; the session's end (commit or rollback)
    puts the connection's own settings back."""
    raw = connection.connection.driver_connection
    saved = {name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "synchronous", "foreign_keys")}
    raw.execute("COMMIT")
    try:
        raw.execute("PRAGMA journal_mode = DELETE")  # stays WAL when another connection has the file open
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("PRAGMA foreign_keys = OFF")
    finally:
        raw.execute("BEGIN IMMEDIATE")
    done = []

    def restore(*_):
        if done or raw.in_transaction:  # a savepoint's end: the transaction goes on
            return
        done.append(True)
        for name, value in saved.items():
            raw.execute(f"PRAGMA {name} = {value}")

    for name in ("after_commit", "after_rollback"):
        event.listen(db.session(), name, restore)


@contextlib.contextmanager
def loading(*models, progress=None):
    """Set the tables' secondary indexes aside (PostgreSQL: their foreign keys and unique constraints
    too) and build them again afterwards, in the same transaction: one sort per index and one
    validating join per constraint instead of work on every row. Tables are locked meanwhile: for
    bulk loads only. ``progress(done, total)`` after each index, constraint and table analysed."""
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    tables = [model.__table__ for model in models]
    indexes = [index for table in tables for index in table.indexes]
    constraints = [constraint for table in tables for constraint in table.constraints
                   if postgresql and isinstance(constraint, ForeignKeyConstraint | UniqueConstraint)]
    for constraint in constraints:
        connection.execute(DropConstraint(constraint))
    for index in indexes:
        connection.execute(DropIndex(index))
    yield
    steps = [*(CreateIndex(index) for index in indexes), *(AddConstraint(constraint) for constraint in constraints)]
    if postgresql:  # the planner's statistics still describe the tables before the load
        steps += [f'ANALYZE "{table.name}"' for table in tables]
    for done, step in enumerate(steps):
        if progress is not None:
            progress(done, len(steps))
        if isinstance(step, str):
            connection.exec_driver_sql(step)
        else:
            connection.execute(step)
    if progress is not None:
        progress(len(steps), len(steps))
