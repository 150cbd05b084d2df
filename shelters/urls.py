app_name = "shelters"
urlpatterns = []
