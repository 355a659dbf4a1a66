from homecoming.common.routes import urlpatterns_of

from . import counter_views, views

app_name = "exchanges"
urlpatterns = urlpatterns_of(views, counter_views)  # each view's address stands above it: @route(...)
