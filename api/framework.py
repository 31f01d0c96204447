"""What every endpoint shares: who is asking (a personal token or the browser's
session), what a token's scope allows, the rate limit per token, cursor pages,
the pages' own FilterSets, ETags, and writes validated by the pages' own forms.

Writes go through the same Django forms and service functions as the pages:
one set of rules (the privacy guard, the assignee's agency, the committees a
person may see), whichever way a change comes in."""

import hashlib
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.cache import get_conditional_response
from django_filters import filters as django_filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, pagination, permissions, throttling, views
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from coordination.backends import client_ip
from coordination.text import without_controls

from . import tokens
from .models import ApiToken

# --- Who is asking -----------------------------------------------------------------


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer rt_…`, a personal token from the API tokens page."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as “Authorization: Bearer rt_…”, with no spaces in it."
            )
        try:
            token = tokens.authenticate(header[1])
        except tokens.Refused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        # (a 401 with this header, rather than a 403, for a request without a token)
        return f'{self.keyword} realm="Roundtable API"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (rt_…), made on your API tokens page.",
        }


class TokenScope(permissions.BasePermission):
    """A token with the read scope reads; writing needs the write scope. The
    browser's session may do what its person may."""

    message = "This token may only read. Make a token with the write scope to change anything."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS or not isinstance(request.auth, ApiToken):
            return True
        return request.auth.writes


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """API_RATE_LIMIT requests per token (or per signed-in person, or per
    address), counted in the cache: Redis in production, shared by every worker."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            who = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            who = f"user-{request.user.pk}"
        else:
            who = f"address-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": who}


# --- Pages of results ------------------------------------------------------------


class CursorPage(pagination.CursorPagination):
    """Pages that hold still while rows are added: `next` and `previous` carry
    an opaque cursor. The order is each endpoint's `ordering`, whose first field
    (never null) places the cursor, read through the index its list filters by;
    rows that share its value are told apart by an offset, and the last field
    (the key) keeps them in one order."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        return view.ordering

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except DjangoValidationError:  # a cursor made by hand, its position no value of the field
            raise exceptions.NotFound(self.invalid_cursor_message) from None


# --- Filtering with the pages' FilterSets ------------------------------------------


class FilterSetBackend:
    """The endpoint's `filterset_class`, the one its page uses, built with the
    endpoint's `filterset_kwargs()` (the coalition, the user). A value it
    refuses is a 400 naming the parameter, never an empty list: a restricted
    committee's id is refused exactly as an id that does not exist."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return queryset
        filterset = filterset_class(request.query_params, queryset=queryset, **view.filterset_kwargs())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return filterset.qs

    def get_schema_operation_parameters(self, view) -> list[dict]:
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return []
        return [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": str(filter_.label or name),
                "schema": parameter_schema(filter_),
                **(
                    {"style": "form", "explode": True}
                    if isinstance(filter_, django_filters.MultipleChoiceFilter)
                    else {}
                ),
            }
            for name, filter_ in filterset_class.base_filters.items()
        ]


MULTIPLE = django_filters.MultipleChoiceFilter


def parameter_schema(filter_) -> dict:
    """A FilterSet filter's value, in OpenAPI's words."""
    if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.NumberFilter):
        return {"type": "integer", "minimum": 1}
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        return {"type": "array", "items": {"type": "string", "enum": choices_of(filter_)}}
    if isinstance(filter_, django_filters.ChoiceFilter):
        return {"type": "string", "enum": choices_of(filter_)}
    if isinstance(filter_, django_filters.BooleanFilter):
        return {"type": "boolean"}
    if isinstance(filter_, django_filters.DateFilter):
        return {"type": "string", "format": "date"}
    return {"type": "string", "maxLength": 200}


def choices_of(filter_) -> list[str]:
    choices = filter_.extra.get("choices") or filter_.field.choices
    return [str(value) for value, _ in (choices() if callable(choices) else choices) if value != ""]


# --- ETags ---------------------------------------------------------------------


def etag_of(data) -> str:
    """The ETag of a representation: its JSON's hash, whichever renderer answered."""
    return '"' + hashlib.sha256(JSONRenderer().render(data)).hexdigest()[:32] + '"'


class ETagged:
    """GET answers carry an ETag; `If-None-Match` with it answers 304 Not
    Modified (a poller reads nothing new). A change sent with `If-Match`
    is refused with 412 when the object changed since it was read."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and hasattr(response, "data"):
            etag = response["ETag"] = etag_of(response.data)
            answer = get_conditional_response(request._request, etag=etag, response=response)
            if answer.status_code == 304:
                return self.finalize_response(request, Response(status=304, headers={"ETag": etag}))
            if answer.status_code == 412:  # (If-Match on a read)
                return self.finalize_response(request, Response({"detail": PreconditionFailed.default_detail}, 412))
        return response

    def check_unchanged(self, request, current: dict) -> None:
        """Refuse a write whose `If-Match` names another version than `current`
        (Django's reading of the conditional headers)."""
        if get_conditional_response(request._request, etag=etag_of(current)) is not None:
            raise PreconditionFailed()


def lock(model, pk) -> None:
    """Hold the row until the change commits (call inside the change's
    transaction): of two changes sent with the same If-Match, the second
    waits, then finds the row changed and is refused."""
    list(model.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "It changed since you read it (If-Match): read it again, then send your change."
    default_code = "precondition_failed"


# --- Writes through the pages' forms ---------------------------------------------


def form_data(data, fields: dict | None = None) -> dict:
    """A request's JSON (or form) body as a page's form reads it: one value per
    field (no form the API writes through takes several), without control
    characters; `fields` are the current values, for a partial change."""
    if not isinstance(data, Mapping):
        raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object: the fields and their values."]})
    merged = dict(fields or {})
    for name, value in data.lists() if hasattr(data, "lists") else data.items():
        if hasattr(data, "lists") and len(value) == 1:
            value = value[0]  # (a form post's one value)
        if isinstance(value, list | dict):
            raise exceptions.ValidationError({name: ["Send one value, not a list or an object."]})
        merged[name] = "" if value is None else without_controls(value) if isinstance(value, str) else value
    return merged


def valid(form):
    """The form, validated, or a 400 with its errors by field (`non_field_errors`
    for the whole); the privacy guard's findings are listed with it."""
    if form.is_valid():
        return form
    errors = {("non_field_errors" if name == "__all__" else name): list(msgs) for name, msgs in form.errors.items()}
    findings = getattr(form, "findings", None)
    if findings:
        errors["privacy_findings"] = [
            {"field": flag.where, "kind": flag.finding.what, "text": flag.finding.text} for flag in findings
        ]
    raise exceptions.ValidationError(errors)


def exception_handler(exc, context):
    """DRF's handler, which also answers a service's refusal (Django's
    ValidationError, the pages' way of saying no) with a 400 of its messages."""
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(messages)
    return views.exception_handler(exc, context)


# --- The schema's error answers ------------------------------------------------------

ERROR = {
    "type": "object",
    "description": "`detail` says why; a refused change lists its messages by field "
    "(`non_field_errors` for the whole, `privacy_findings` for what the privacy guard flagged).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "A filter value or a change was refused: the messages say which and why.",
    "401": "No token, or one that is unknown, expired, revoked, or whose person no longer stands anywhere.",
    "403": "Seen, but not yours to change (or a read-only token): the detail says who may.",
    "404": "Nothing there for you: it does not exist, or you may not see it.",
    "429": "Too many requests for this token: wait the seconds of Retry-After.",
}
WRITE_ERRORS = {"412": "It changed since you read it (If-Match)."}


def document_errors(result, generator, request, public):
    """drf-spectacular's post-processing hook: every operation lists the errors it may answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            errors = ERRORS | (WRITE_ERRORS if method in ("patch", "put") else {})
            for code, description in errors.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
            if method == "get":
                operation["responses"].setdefault("304", {"description": "Not modified since the ETag you sent."})
    return result
