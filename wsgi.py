"""WSGI entry point: ``gunicorn wsgi:app`` or ``FLASK_APP=wsgi flask …``."""

from roadshow import create_app

app = create_app()
