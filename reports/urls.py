from django.urls import include, path

from . import views

coalition_patterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_form, name="activity_create"),
    path("activities/<int:pk>/", views.activity_form, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("reports/", views.report, name="report"),
    path("reports/engagement/", views.engagement, name="engagement"),
]

urlpatterns = [
    path("c/<slug:coalition_slug>/", include(coalition_patterns)),
]
