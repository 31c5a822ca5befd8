"""Persistence: the database (SQLAlchemy 2 Core, Alembic migrations) and the blob store."""
