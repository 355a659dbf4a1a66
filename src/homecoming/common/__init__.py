"""What every app needs and nothing else: the client's address behind trusted proxies, safe
spreadsheet cells, one validator of names, the confirmation of irreversible steps against what was
shown, the registry of invariants between modules. Imports no app of the project (only Django's
settings and translation), so every app may import it."""
