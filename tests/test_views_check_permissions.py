"""Views check permissions one way: coordination.pages' @permission_required
(or require() where the object is known only mid-view), never by hand, so that
a new view can neither forget the check nor restate it differently.

Reading every views module (ast), a view refuses by hand when it
- raises PermissionDenied, or imports it (an alias would hide the raise);
- builds a 403 response itself (HttpResponseForbidden, status=403);
- branches on a permission (a has_perm call, or a name bound to one in the
  same function) to a raise: `if not user.has_perm(...): raise ...`.
A has_perm that only computes a flag for the template (`can_change`,
`is_organizer`) is fine, and so is branching on it to build the page.
"""

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("coordination", "members", "meetings", "tasks", "reports", "public_site", "dashboard", "api")
PERMISSION_CALLS = {"has_perm", "has_perms"}


def view_modules() -> list[Path]:
    """Each app's views.py and any other module of views (export_views.py),
    or every module of its views package."""
    paths = []
    for app in APPS:
        package = ROOT / app / "views"
        paths += sorted(package.rglob("*.py")) if package.is_dir() else sorted((ROOT / app).glob("*views*.py"))
    return paths


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _asks_permission(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and _name(n) in PERMISSION_CALLS for n in ast.walk(node))


def _permission_names(function: ast.AST) -> set[str]:
    """Names the function binds to the result of a permission check."""
    names = set()
    for node in ast.walk(function):
        binds = isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value is not None
        if binds and _asks_permission(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name)}
    return names


def _consults_permission(test: ast.AST, names: set[str]) -> bool:
    return _asks_permission(test) or any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(test))


def _raises(statements: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Raise) for statement in statements for n in ast.walk(statement))


def hand_checks(source: str) -> list[str]:
    """Where a views module refuses by hand, as "line N: what"."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None and _name(node.exc) == "PermissionDenied":
            found.append(f"line {node.lineno}: raises PermissionDenied")
        elif isinstance(node, ast.ImportFrom) and any(a.name == "PermissionDenied" for a in node.names):
            found.append(f"line {node.lineno}: imports PermissionDenied")
        elif isinstance(node, ast.Name | ast.Attribute) and _name(node) == "HttpResponseForbidden":
            found.append(f"line {node.lineno}: builds an HttpResponseForbidden")
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "status"
            and isinstance(node.value, ast.Constant)
            and node.value.value == 403
        ):
            found.append(f"line {node.value.lineno}: answers status=403")
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = _permission_names(function)
        for node in ast.walk(function):
            if isinstance(node, ast.If) and _consults_permission(node.test, names) and _raises(node.body + node.orelse):
                found.append(f"line {node.lineno}: branches on a permission to a raise")
            elif isinstance(node, ast.Assert) and _consults_permission(node.test, names):
                found.append(f"line {node.lineno}: asserts a permission")
    return sorted(set(found), key=lambda line: int(line.split(":")[0].split()[1]))


def test_every_app_has_its_views_read():
    for path in view_modules():
        assert path.is_file(), f"{path.relative_to(ROOT)} is gone: read the module that holds the app's views"


@pytest.mark.parametrize("path", view_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_views_check_permissions_only_through_coordination_pages(path):
    found = hand_checks(path.read_text())
    assert not found, (
        f"{path.relative_to(ROOT)} refuses by hand; use @permission_required or require() "
        "from coordination.pages:\n" + "\n".join(found)
    )


# --- The checker itself ---------------------------------------------------------

HAND_CHECKS = {
    "raise": """
        from django.core import exceptions

        def view(request):
            raise exceptions.PermissionDenied("Only organizers.")
        """,
    "import": """
        from django.core.exceptions import PermissionDenied as Refused

        def view(request):
            raise Refused
        """,
    "if-not-has-perm": """
        def view(request, pk):
            meeting = get_meeting_for_user(request, pk)
            if not request.user.has_perm("meetings.change_meeting", meeting):
                raise Http404("No such meeting.")
        """,
    "flag-then-raise": """
        def view(request, slug):
            coalition = get_coalition_for_user(request, slug)
            is_organizer = request.user.has_perm("members.manage_response_areas", coalition)
            if request.method == "POST" and not is_organizer:
                raise SuspiciousOperation("Not yours.")
        """,
    "else-raise": """
        def view(request, pk):
            item = get_item_for_user(request, pk)
            can_manage = request.user.has_perm("tasks.manage_actionitem", item)
            if request.POST.get("form") == "manage" and can_manage:
                return redirect(item)
            elif request.POST.get("form") == "update":
                return redirect(item)
            else:
                raise Refusal("You cannot change this item.")
        """,
    "forbidden-response": """
        def view(request):
            return HttpResponseForbidden("Only organizers.")
        """,
    "status-403": """
        def view(request):
            return render(request, "403.html", status=403)
        """,
    "assert": """
        def view(request, coalition):
            assert request.user.has_perm("reports.view_reports", coalition)
        """,
}


@pytest.mark.parametrize("source", HAND_CHECKS.values(), ids=HAND_CHECKS.keys())
def test_checker_finds_a_view_that_refuses_by_hand(source):
    assert hand_checks(textwrap.dedent(source))


def test_checker_lets_template_flags_and_the_one_way_pass():
    source = """
        from coordination.pages import organizers_only, permission_required, require

        @permission_required("meetings.approve_minutes", get_meeting_for_user, "pk", message="Only leads.")
        def approve(request, meeting):
            return redirect(meeting)

        @organizers_only
        def invite(request, coalition):
            return render(request, "invite.html", {"coalition": coalition})

        def detail(request, slug, pk=None):
            coalition = get_coalition_for_user(request, slug)
            is_organizer = request.user.has_perm("coordination.manage_coalition", coalition)
            if request.method == "POST":
                require(request, "members.manage_response_areas", coalition, "Only organizers.")
            if is_organizer:
                extra = {"invitations": coalition.invitations.all()}
            form = AreaForm() if is_organizer else None
            try:
                year = int(request.GET.get("year"))
            except ValueError:
                raise Http404("No such year.") from None
            return render(
                request,
                "detail.html",
                {"can_change": request.user.has_perm("coordination.change_committee", coalition), "form": form},
            )
        """
    assert hand_checks(textwrap.dedent(source)) == []
