"""Signals the exchanges app sends so that apps above it can react without being imported here.

All are sent INSIDE the reconciliation's transaction: a receiver that raises rolls the whole
reconciliation back, and whatever a receiver writes is committed together with it.

``persons_returned`` is sent ONCE per reconciled exchange with every person of our side who came
home in it, so that a receiver can do its work for all of them in a few queries (the apps of this
project listen to it: aftercare opens the cases, payments notes the returns). Keyword arguments:

* ``returns``     – list of ``(person, returned_on)``: the ``registry.Person`` who came home and the
  ``datetime.date`` of the return (the exchange's date), in the order of the crossings
* ``exchange``    – the ``exchanges.Exchange`` (the stage) being reconciled
* ``actor``       – the user who reconciled the exchange

``person_returned`` is then sent once for every one of those persons, for a receiver that reacts to
one person at a time (none of this project's apps do: a receiver of both would do its work twice).
Keyword arguments: ``person``, ``exchange``, ``returned_on``, ``actor`` as above.

Connect in your AppConfig.ready()::

    from homecoming.exchanges.signals import persons_returned
    persons_returned.connect(open_cases, dispatch_uid="aftercare.open_cases")
"""

from django.dispatch import Signal

persons_returned = Signal()

person_returned = Signal()

#: Sent once per reconciled exchange after ``persons_returned`` and every ``person_returned``, inside
#: the same transaction. Keyword arguments: ``exchange``, ``report`` (the reconciliation report as a
#: dict), ``actor``.
exchange_reconciled = Signal()

#: Sent inside the transaction of a change to list entries that writes no status event (confirmed,
#: contested, proposed again), since what a family is told depends on where their relative stands on
#: the lists too. Keyword arguments: ``person_ids``.
entries_changed = Signal()
