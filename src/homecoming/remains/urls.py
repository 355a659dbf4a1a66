from homecoming.common.routes import urlpatterns_of

from . import views

app_name = "remains"
urlpatterns = urlpatterns_of(views)  # each view's address stands above it: @route(...)
