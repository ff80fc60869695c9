from django.urls import path

from . import views

app_name = "achievements"

urlpatterns = [
    path("", views.supply_list, name="supply_list"),
    path("new/", views.supply_new, name="supply_new"),
    path("<int:pk>/", views.supply_detail, name="supply_detail"),
    path("<int:pk>/edit/", views.supply_edit, name="supply_edit"),
    path("<int:pk>/status/", views.supply_status, name="supply_status"),
    path("projects/", views.project_list, name="project_list"),
]
