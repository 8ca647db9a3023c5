"""The OpenAPI schema documents every route of the API, each operation with a description and its errors,
in English and French; the documentation page runs on vendored files under the Content Security Policy."""

import re

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from tests.api.conftest import api_client
from tests.test_api_role_access import api_routes

DOCUMENTATION_ROUTES = {"api:root", "api:schema", "api:docs"}  # the documentation itself


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _template(route_name):
    """The route's path as the schema writes it: /api/v1/officers/{id}/ (drf-spectacular names a pk "id")."""
    from django.urls import get_resolver

    (bits, *_rest), *_others = get_resolver().namespace_dict["api"][1].reverse_dict.getlist(route_name.split(":")[1])
    template, _params = bits[0]
    return "/api/" + re.sub(r"%\((\w+)\)s", r"{\1}", template).replace("{pk}", "{id}")


def test_every_route_and_method_of_the_api_is_in_the_schema(schema):
    documented = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    missing = []
    for name, method in api_routes():
        if name in DOCUMENTATION_ROUTES:
            continue
        if (_template(name), method) not in documented:
            missing.append((name, method, _template(name)))
    assert not missing, f"undocumented API routes: {missing}"
    assert len(documented) == len([r for r in api_routes() if r[0] not in DOCUMENTATION_ROUTES])


def test_every_operation_has_a_description_and_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert str(operation.get("description", "")).strip(), f"{method.upper()} {path} has no description"
            codes = set(operation["responses"])
            assert {"400", "401", "403", "429"} <= codes, (path, method, codes)
            if "{" in path:
                assert "404" in codes, (path, method)
            if method != "get":
                assert "409" in codes, (path, method)


def test_the_schema_is_served_in_french_too(db):
    client = api_client()
    english = client.get(reverse("api:schema") + "?format=json").json()
    french = client.get(reverse("api:schema") + "?format=json&lang=fr").json()
    assert english["info"]["title"] == "Deployment roster API"
    assert english["paths"].keys() == french["paths"].keys()
    assert english["info"]["description"] != ""


def test_the_documentation_page_runs_vendored_files_with_no_inline_script(db):
    client = api_client()
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(src.startswith("/") for src in sources), sources  # nothing from elsewhere
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources)
    assert "script-src 'self'" in page["Content-Security-Policy"]
    init = client.get(reverse("api:docs") + "?script=")
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in init.content.decode()
