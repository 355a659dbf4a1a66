"""What every app needs and nothing else: the actor of a request, permission checks with one
meaning each, a service's errors on a form, the localised name of a reference row, a view's
address beside it (``routes``), the client's address behind trusted proxies, safe spreadsheet
cells, one validator of names, the confirmation of irreversible steps against what was shown, the
registry of invariants between modules. Imports no app of the project (only Django), so every app
may import it."""
