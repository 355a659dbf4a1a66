from homecoming.common.routes import urlpatterns_of

from . import manage

app_name = "accounts"
urlpatterns = urlpatterns_of(manage)  # each view's address stands above it: @route(...)
