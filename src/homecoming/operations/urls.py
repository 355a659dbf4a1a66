from homecoming.common.routes import urlpatterns_of

from . import views

app_name = "operations"
urlpatterns = urlpatterns_of(views)
