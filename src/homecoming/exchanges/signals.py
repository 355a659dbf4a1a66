"""Signals the exchanges app sends so that apps above it can react without being imported here.

``person_returned`` is sent once for every person of our side who came home in a reconciled
exchange, INSIDE the reconciliation's transaction: a receiver that raises rolls the whole
reconciliation back, and whatever a receiver writes is committed together with it.

Keyword arguments:

* ``person``      – the ``registry.Person`` who came home
* ``exchange``    – the ``exchanges.Exchange`` (the stage) being reconciled
* ``returned_on`` – ``datetime.date`` of the return (the exchange's date)
* ``actor``       – the user who reconciled the exchange

Connect in your AppConfig.ready()::

    from homecoming.exchanges.signals import person_returned
    person_returned.connect(open_case, dispatch_uid="aftercare.open_case")
"""

from django.dispatch import Signal

person_returned = Signal()

#: Sent once per reconciled exchange after every ``person_returned``, inside the same transaction.
#: Keyword arguments: ``exchange``, ``report`` (the reconciliation report as a dict), ``actor``.
exchange_reconciled = Signal()
