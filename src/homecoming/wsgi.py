import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
application = get_wsgi_application()

# Build the name tables (transliteration and equivalence, ~1.5 s) now, in the server's master
# process before it forks its workers (`homecoming serve` preloads), not on the first search.
from homecoming.names import search_keys  # noqa: E402

search_keys("Олександр")
