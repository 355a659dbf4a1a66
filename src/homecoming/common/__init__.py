"""What every app needs and nothing else (pure Python, no models): see docs/architecture.md."""
