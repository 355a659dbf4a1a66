"""Settings of the server under load: the project's own, plus one middleware.

All load comes from 127.0.0.1, which no real family shares: the portal's lock-out per address
would lock the whole test out after five wrong codes. The middleware lets the load generator
say which (synthetic, 10.0.0.0/8) address a simulated family comes from, so the real limits per
address and per reference stay in force and are exercised. It honours the header only on a
loopback connection and exists only in these settings, never in the project's.
"""

from homecoming.settings import *  # noqa: F403
from homecoming.settings import MIDDLEWARE

MIDDLEWARE = ["bench.load.middleware.SimulatedAddress", *MIDDLEWARE]
