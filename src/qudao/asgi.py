"""The ASGI entry point for uvicorn: ``qudao.asgi:app``."""

from qudao.app import create_app

app = create_app()
