"""Alembic environment: the same database URL and metadata as the application."""
from alembic import context

from feedback import (
    create_app,
    models,  # noqa: F401  (registers every table on the metadata)
)
from feedback.db import db

config = context.config
connection = config.attributes.get("connection")


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    app = create_app()
    with app.app_context():
        with db.engine.connect() as conn:
            run(conn)
            conn.commit()
