"""WSGI entry point: `gunicorn wsgi:app`. Configuration comes from the environment (EHC_ENV)."""

from ehc_tracker import create_app

app = create_app()
