from tests.returnees import *  # noqa: F403  (returnee fixtures shared with the payments tests)
