"""PostgreSQL for the benches: a database of the bench's own on the local server, made when missing."""
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


def create_database_if_missing(url):
    """Create the database `url` names, connecting to its server's `postgres` database to do it."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": parsed.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def answers(url):
    """Whether the server of `url` accepts a connection (the benches skip PostgreSQL when not)."""
    engine = create_engine(make_url(url).set(database="postgres"))
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def reset_schema(url):
    """Empty the database's `public` schema: the migrations then build everything again."""
    from storefront.backup import empty_public_schema
    engine = create_engine(url)
    empty_public_schema(engine)
    engine.dispose()
