"""Alembic migrations, shipped inside the package so that an installed qudao can migrate."""
