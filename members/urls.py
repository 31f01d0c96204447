from django.urls import path

from . import views

coalition_patterns = [
    path("", views.member_list, name="member_list"),
]

agency_patterns = [
    path("<int:pk>/", views.agency_detail, name="agency"),
]
