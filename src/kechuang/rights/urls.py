from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("", views.figures, name="figures"),
    path("empowerments/", views.empowerment_list, name="empowerments"),
    path("empowerments/<int:pk>/", views.empowerment_detail, name="empowerment"),
    path("valuations/", views.valuation_list, name="valuations"),
    path("valuations/<int:pk>/", views.valuation_detail, name="valuation"),
    path("listings/", views.listing_list, name="listings"),
    path("listings/<int:pk>/deal/", views.listing_deal, name="listing_deal"),
]
