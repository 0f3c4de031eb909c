"""The repository documents itself and stands alone.

- Nothing tracked sends a reader outside the repository: no `../shared/...` path, no outside
  contract or domain page, no hashed seed-file name. The project's contract is `docs/api.md`
  and its domain rules `docs/domain.md`; source documents are cited by their titles.
- `docs/api.md` stays true: every route it names exists in a service's OpenAPI document, and
  every route of every OpenAPI document is named there (a new route must be documented).
- Each service's docs page offers "Authorize" with the password and client-credentials flows
  against auth's token endpoint, and every operation carries a description and an example.

The OpenAPI documents are built in-process from each `create_app` with the test settings (no
database is touched), so these tests are quick and the same on either store.
"""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.settings import SERVICES, TestSettings

ROOT = Path(__file__).resolve().parents[2]
API_DOC = ROOT / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")

# Built from pieces so that this file does not match itself.
OUTSIDE_REFERENCES = {
    "a path above the repository": re.compile(r"\.\./" + "shared"),
    "the outside seed folder": re.compile("shared/" + r"seeds\b"),
    "an outside contract or domain page": re.compile(r"\b(?:API|DOMAIN)" + r"\.md\b"),
    "a hashed seed-file name": re.compile(r"\b\d{3}_[0-9a-f]{16}" + r"\.txt\b"),
}
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".txt", ".sh",
                 ".conf", ".json", ".html", ".j2", ".env", ".example", ".sql", ".mako"}
TEXT_NAMES = {"Makefile", "Dockerfile", "README", ".gitignore", "run"}


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    files = []
    for name in filter(None, names):
        path = ROOT / name
        if path == Path(__file__).resolve() or not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            files.append(path)
    return files


def test_no_tracked_file_sends_a_reader_outside_the_repository():
    files = tracked_text_files()
    assert any(f.name == "README.md" for f in files)  # the scan does see the files
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            for what, pattern in OUTSIDE_REFERENCES.items():
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{lineno}: {what}: {line.strip()}")
    assert not found, "references outside the repository:\n" + "\n".join(found)


def test_the_reference_scan_catches_each_kind_of_outside_reference():
    """A positive control: the patterns above do match what they are meant to."""
    samples = ["see " + "../" + "shared/API.md", "shared/" + "seeds/",
               "(DOMAIN" + ".md §4)", "source: 000_dfac241b" + "5439562b.txt"]
    for sample in samples:
        assert any(p.search(sample) for p in OUTSIDE_REFERENCES.values()), sample
    assert not any(p.search("see docs/api.md and docs/domain.md §4")
                   for p in OUTSIDE_REFERENCES.values())


def source_titles() -> dict[str, str]:
    """docs/domain.md's table of source documents: number → title."""
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| (\d{3}) \| ([^|]+?) \|", text, flags=re.MULTILINE))


def test_each_position_and_duty_cites_its_source_document_by_title():
    titles = set(source_titles().values())
    assert len(titles) == 5
    positions = yaml.safe_load((ROOT / "data" / "catalogue" / "positions.yaml")
                               .read_text(encoding="utf-8"))["positions"]
    cited = [p.get("source") for p in positions]
    cited += [d.get("source") for p in positions for d in p["duties"]]
    assert len([c for c in cited if c is not None]) > 300  # nearly every duty has a source
    wrong = sorted({str(c) for c in cited if c is not None and c not in titles})
    assert not wrong, "sources that are not a source document's title: " + ", ".join(wrong)


MARKDOWN_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def test_every_relative_link_in_the_markdown_pages_reaches_a_file_in_the_repository():
    pages = [p for p in tracked_text_files() if p.suffix == ".md"]
    assert any(p.name == "api.md" for p in pages)
    broken, links = [], 0
    for page in pages:
        for match in MARKDOWN_LINK.finditer(page.read_text(encoding="utf-8")):
            target = match.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            links += 1
            resolved = (page.parent / target).resolve()
            if not resolved.exists() or ROOT not in (resolved, *resolved.parents):
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert links > 10  # the pages do link each other
    assert not broken, "links to nothing in the repository:\n" + "\n".join(broken)


# ---------------------------------------------------------------------------------------------
# OpenAPI documents, built once for the module
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict[str, dict]:
    built = {}
    for name in SERVICES:
        module = importlib.import_module(f"services.{name}.app")
        data_dir = tmp_path_factory.mktemp(f"docs-{name}")
        settings = TestSettings(name, {"HR_DATA_DIR": str(data_dir)},
                                database_url=f"sqlite:///{data_dir}/unused.db")
        app = module.create_app(settings)
        api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
        with app.app_context():
            built[name] = api.spec.to_dict()
        db = app.extensions.get("sqlalchemy")
        if db is not None:
            with app.app_context():
                db.engine.dispose()
    return built


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def normalise(path: str) -> str:
    """`/leave/requests/{request_id}` and `/leave/requests/{id}` name the same route."""
    return re.sub(r"\{[^}/]*\}", "{}", path.rstrip("/") or "/")


#: A route named in docs/api.md: a method, a space, a path in a code span or at a line start.
ROUTE_IN_DOC = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) +(/[A-Za-z0-9_.{}/\-]*)")


def routes_named_in_doc() -> set[tuple[str, str]]:
    text = API_DOC.read_text(encoding="utf-8")
    return {(m.group(1), normalise(m.group(2).rstrip("."))) for m in ROUTE_IN_DOC.finditer(text)}


def test_every_route_docs_api_md_names_exists_in_an_openapi_document(specs):
    documented = {(method, normalise(path)) for spec in specs.values()
                  for method, path, _ in operations(spec)}
    named = routes_named_in_doc()
    assert len(named) > 50  # the parser does find the routes
    unknown = sorted(f"{m} {p}" for m, p in named - documented)
    assert not unknown, "docs/api.md names routes no service has:\n" + "\n".join(unknown)


def test_every_openapi_route_is_named_in_docs_api_md(specs):
    named = routes_named_in_doc()
    missing = sorted(f"{method} {path}" for spec in specs.values()
                     for method, path, _ in operations(spec)
                     if (method, normalise(path)) not in named)
    assert not missing, ("routes missing from docs/api.md (name each, as `METHOD /path` with "
                         "what it does and who may, in its service's section):\n"
                         + "\n".join(missing))


def test_the_readme_and_the_architecture_page_link_the_projects_own_contract():
    for page in (ROOT / "README.md", ROOT / "docs" / "architecture.md"):
        assert re.search(r"\]\((?:\.\./)?docs/api\.md\)|\]\(api\.md\)",
                         page.read_text(encoding="utf-8")), page


# ---------------------------------------------------------------------------------------------
# "Authorize" on the docs page
# ---------------------------------------------------------------------------------------------
def test_every_docs_page_offers_the_password_and_client_credentials_flows(specs):
    issuer = TestSettings("auth").issuer
    for name, spec in specs.items():
        schemes = spec["components"]["securitySchemes"]
        oauth = [s for s in schemes.values() if s["type"] == "oauth2"]
        assert len(oauth) == 1, name
        flows = oauth[0]["flows"]
        assert flows["password"]["tokenUrl"] == f"{issuer}/token", name
        assert flows["clientCredentials"]["tokenUrl"] == f"{issuer}/token", name
        scheme_name = next(k for k, v in schemes.items() if v["type"] == "oauth2")
        # Signed in through "Authorize", the page sends the token with every secured call.
        assert {scheme_name: []} in spec["security"], name
        assert {"bearerAuth": []} in spec["security"], name  # a pasted token still works


# ---------------------------------------------------------------------------------------------
# Descriptions and examples
# ---------------------------------------------------------------------------------------------
def _resolve(spec: dict, obj: dict) -> dict:
    seen = 0
    while isinstance(obj, dict) and "$ref" in obj and seen < 20:
        node: object = spec
        for part in obj["$ref"].removeprefix("#/").split("/"):
            node = node[part]  # type: ignore[index]
        obj, seen = node, seen + 1  # type: ignore[assignment]
    return obj


def _schema_has_example(spec: dict, schema: dict, depth: int = 0) -> bool:
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict) or depth > 6:
        return False
    if "example" in schema or "examples" in schema:
        return True
    children = list((schema.get("properties") or {}).values())
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            children.append(schema[key])
    for key in ("allOf", "oneOf", "anyOf"):
        children.extend(schema.get(key) or [])
    return any(_schema_has_example(spec, child, depth + 1) for child in children)


def _content_has_example(spec: dict, content: dict) -> bool:
    for media in (content or {}).values():
        if "example" in media or "examples" in media:
            return True
        if _schema_has_example(spec, media.get("schema") or {}):
            return True
    return False


def has_example(spec: dict, operation: dict, path: str) -> bool:
    """An example anywhere a reader of the docs page would look: a parameter (the
    operation's or its path's), the request body or a success answer (on the media type,
    the schema or one of its fields)."""
    shared = spec["paths"][path].get("parameters") or []
    for parameter in [*shared, *(operation.get("parameters") or [])]:
        parameter = _resolve(spec, parameter)
        if "example" in parameter or "examples" in parameter \
                or _schema_has_example(spec, parameter.get("schema") or {}):
            return True
    body = _resolve(spec, operation.get("requestBody") or {})
    if _content_has_example(spec, body.get("content") or {}):
        return True
    return any(_content_has_example(spec, _resolve(spec, response).get("content") or {})
               for status, response in (operation.get("responses") or {}).items()
               if str(status).startswith("2"))


def has_description(operation: dict) -> bool:
    """smorest puts a docstring's first line in `summary` and the rest in `description`."""
    return bool((operation.get("description") or "").strip()
                or (operation.get("summary") or "").strip())


def test_every_operation_has_a_description_and_an_example(specs):
    lacking_description, lacking_example = [], []
    for spec in specs.values():
        for method, path, operation in operations(spec):
            key = f"{method} {path}"
            if not has_description(operation):
                lacking_description.append(key)
            if not has_example(spec, operation, path):
                lacking_example.append(key)
    assert not lacking_description, "without a description:\n" + "\n".join(lacking_description)
    assert not lacking_example, "without an example:\n" + "\n".join(sorted(lacking_example))
