"""Load test: the application under gunicorn on PostgreSQL, driven over loopback by locust."""
