"""Searchable selects: for every kind of choice and every role, the search
endpoint answers with exactly what the form would accept (the registered
queryset, searched), twenty at a time, and nothing to a stranger."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coordination import autocomplete
from coordination.models import Coalition

from ..demo_urls import ROLES, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(autocomplete.KINDS))
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"])
def test_the_endpoint_offers_what_the_form_accepts(world, kind, role, django_assert_max_num_queries):
    user = world["users"][role]
    shasta = Coalition.objects.get(slug="shasta")
    client = Client()
    client.force_login(user)
    url = reverse("autocomplete", args=[shasta.slug, kind])
    client.get(url)  # the session's first request saves it
    with django_assert_max_num_queries(8):
        response = client.get(url, {"q": ""})
    allowed = autocomplete.KINDS[kind].choices(user, shasta)
    if response.status_code == 404:
        # no standing in the coalition: nothing, and the form is never shown to them either
        assert role in {"mem_b", "org_y"}
        return
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == list(allowed.values_list("pk", flat=True)[: autocomplete.LIMIT])
    # a word narrows it, and still within what is allowed
    word = "County" if kind == "agency" else "a"
    narrowed = {r["id"] for r in client.get(url, {"q": word}).json()["results"]}
    assert narrowed <= set(allowed.values_list("pk", flat=True))


@pytest.mark.django_db
def test_an_unknown_kind_is_not_found_and_strangers_get_nothing(world):
    client = Client()
    assert client.get(reverse("autocomplete", args=["shasta", "agency"])).status_code == 302  # to the login
    client.force_login(world["users"]["org_x"])
    assert client.get(reverse("autocomplete", args=["shasta", "users"])).status_code == 404
    client.force_login(world["users"]["org_y"])
    assert client.get(reverse("autocomplete", args=["shasta", "agency"])).status_code == 404
