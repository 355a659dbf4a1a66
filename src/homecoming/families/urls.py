"""Staff pages of the families app, mounted at /families/."""

from homecoming.common.routes import urlpatterns_of

from . import views

app_name = "families"
urlpatterns = urlpatterns_of(views)  # each view's address stands above it: @route(...)
