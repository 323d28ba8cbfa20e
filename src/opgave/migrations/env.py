"""Alembic environment: runs migrations on the engine that opgave.store passes in.

On SQLite, ALTERs are done by copying tables ("batch" mode); foreign-key enforcement is
switched off for the duration, since copying a parent table would otherwise trip it (on the
driver's connection, outside any transaction: inside one the pragma does nothing).
"""

from alembic import context

from opgave.model import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
