from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import endpoints as e
from . import views

v1 = [
    path("me/", e.Me.as_view(), name="me"),
    path("coalitions/", e.CoalitionList.as_view(), name="coalitions"),
    path("coalitions/<slug:slug>/", e.CoalitionDetail.as_view(), name="coalition"),
    path("coalitions/<slug:slug>/committees/", e.CommitteeList.as_view(), name="committees"),
    path("coalitions/<slug:slug>/agencies/", e.AgencyList.as_view(), name="agencies"),
    path("coalitions/<slug:slug>/meetings/", e.MeetingList.as_view(), name="meetings"),
    path("coalitions/<slug:slug>/actions/", e.ActionList.as_view(), name="actions"),
    path("coalitions/<slug:slug>/activities/", e.ActivityList.as_view(), name="activities"),
    path("committees/<int:pk>/", e.CommitteeDetail.as_view(), name="committee"),
    path("agencies/<int:pk>/", e.AgencyDetail.as_view(), name="agency"),
    path("roles/<int:pk>/", e.RoleDetail.as_view(), name="role"),
    path("roles/<int:pk>/confirm/", e.RoleConfirm.as_view(), name="role_confirm"),
    path("meetings/<int:pk>/", e.MeetingDetail.as_view(), name="meeting"),
    path("meetings/<int:pk>/minutes/", e.MinutesDetail.as_view(), name="minutes"),
    path("actions/<int:pk>/", e.ActionDetail.as_view(), name="action"),
    path("actions/<int:pk>/updates/", e.ActionUpdates.as_view(), name="action_updates"),
    path("activities/<int:pk>/", e.ActivityDetail.as_view(), name="activity"),
]

api = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # (the split view serves its script as a file: the site's CSP allows no inline script)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # (last: an address of no endpoint, a negative id, answers a JSON 404, not the site's page)
    re_path(r"^", e.NoSuchEndpoint.as_view()),
]

# The pages of tokens (outside the api namespace: they are pages of the site).
pages = [
    path("accounts/api-tokens/", views.my_tokens, name="api_tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", views.my_token_revoke, name="api_token_revoke"),
    path("c/<slug:coalition_slug>/api-tokens/", views.coalition_tokens, name="coalition_tokens"),
    path(
        "c/<slug:coalition_slug>/api-tokens/<int:pk>/revoke/",
        views.coalition_token_revoke,
        name="coalition_token_revoke",
    ),
]

urlpatterns = [*pages, path("api/", include((api, "api")))]
