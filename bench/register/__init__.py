"""Register benchmark: ``python -m bench.register`` (see __main__.py)."""
