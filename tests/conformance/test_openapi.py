"""Every service documents itself: `/<prefix>/openapi.json` (OpenAPI 3, every route in it)
and `/<prefix>/docs`, an interactive page that works offline (its assets served locally)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import schemathesis

PROBLEM_JSON = "application/problem+json"
#: Routes that are the documentation itself, not part of the API it documents.
#: Not the public API: the docs themselves, and operators' Prometheus metrics (internal
#: network only, refused by the gateway; docs/operations.md documents them).
UNDOCUMENTED_ENDPOINTS = {"static", "docs_assets", "api-docs.openapi_json",
                          "api-docs.openapi_swagger_ui", "metrics"}


def spec_of(service) -> dict:
    resp = service.app.test_client().get(f"{service.prefix}/openapi.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    return resp.get_json()


def openapi_path(rule: str) -> str:
    """Flask's `/x/<int:id>/<path:p>` → OpenAPI's `/x/{id}/{p}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_document_is_valid_openapi_3(service):
    spec = spec_of(service)
    assert spec["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(spec).validate()  # the OpenAPI 3.0 meta-schema
    assert spec["info"]["title"] and spec["info"]["version"]


def test_every_route_under_the_prefix_is_in_the_document(service):
    spec = spec_of(service)
    documented = {(path, method.upper()) for path, item in spec["paths"].items()
                  for method in item if method in {"get", "post", "put", "patch", "delete"}}
    missing = []
    for rule in service.app.url_map.iter_rules():
        if rule.endpoint in UNDOCUMENTED_ENDPOINTS:
            continue
        if not rule.rule.startswith(service.prefix + "/") and rule.rule != service.prefix:
            continue
        path = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (path, method) not in documented:
                missing.append(f"{method} {path} ({rule.endpoint})")
    assert not missing, "routes missing from openapi.json:\n" + "\n".join(missing)


def test_every_route_is_under_the_prefix(service):
    """docs/api.md: every route lives under its prefix, except RFC 8414's metadata location."""
    outside = [r.rule for r in service.app.url_map.iter_rules()
               if not r.rule.startswith(service.prefix + "/")
               and r.endpoint != "static"
               and not r.rule.startswith("/.well-known/oauth-authorization-server")]
    assert not outside


def test_error_answers_are_documented_as_problem_json(service):
    """Schemathesis checks content types against these: problem+json must be documented."""
    spec = spec_of(service)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) or status == "default":
                    content = _resolve(spec, response).get("content", {})
                    if content and not path.startswith("/auth/token") \
                            and not path.startswith(("/auth/introspect", "/auth/revoke")):
                        assert PROBLEM_JSON in content, f"{method.upper()} {path} {status}"


def _resolve(spec: dict, obj: dict) -> dict:
    while "$ref" in obj:
        parts = obj["$ref"].removeprefix("#/").split("/")
        obj = spec
        for part in parts:
            obj = obj[part]
    return obj


class _AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.urls.append(value)


def test_docs_page_uses_only_local_assets_that_load(service):
    client = service.app.test_client()
    page_url = f"{service.prefix}/docs"
    resp = client.get(page_url)
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    remote = re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html)
    assert not [u for u in remote if urlparse(u).hostname not in {None, "127.0.0.1", "localhost"}
                and not u.startswith("//")], f"docs page references other hosts: {remote}"
    parser = _AssetCollector()
    parser.feed(html)
    assets = [u for u in parser.urls if not u.startswith(("#", "data:"))]
    assert assets, "the docs page loads no assets?"
    for asset in assets:
        url = urljoin(page_url, asset)
        assert urlparse(url).netloc == "", f"non-local asset {asset}"
        loaded = client.get(url)
        assert loaded.status_code == 200, f"{url} → {loaded.status_code}"
        assert loaded.get_data(), url
    # The page points Swagger UI at this service's own document.
    assert f"{service.prefix}/openapi.json" in html


def test_integer_path_parameters_are_bounded(service):
    """An id beyond what the store holds is a 404, never a driver error: the spec says so."""
    spec = spec_of(service)
    for path, item in spec["paths"].items():
        params = list(item.get("parameters", []))
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                params += operation.get("parameters", [])
        for param in params:
            param = _resolve(spec, param)
            if param.get("in") == "path" and param.get("schema", {}).get("type") == "integer":
                assert "maximum" in param["schema"], f"{path} {param['name']}"
                huge = path.replace("{" + param["name"] + "}", str(2**64))
                if "{" not in huge:
                    resp = service.app.test_client().get(huge, headers=service.headers())
                    assert resp.status_code in {404, 405}, f"GET {huge} → {resp.status_code}"
