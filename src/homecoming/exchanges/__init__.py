"""Agreements, categories, exchanges (stages), list entries, reconciliation and the communiqué."""
