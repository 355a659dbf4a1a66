"""The pytest plugin that switches Homecoming's test mode on (``-p homecoming.common.testmode``
in the pytest options of pyproject.toml).

Test mode is chosen by the environment variable ``HOMECOMING_TESTING``, never guessed from what
is imported; settings.py lists everything it changes (the "test mode" block at its end). A
plugin named with ``-p`` is imported before pytest-django reads the settings, so the switch is
set in time; subprocesses a test starts inherit it unless the test says otherwise.
"""

import os

os.environ["HOMECOMING_TESTING"] = "1"
