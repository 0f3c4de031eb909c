"""Render the gateway's nginx configuration from `deploy/nginx.conf.template`.

    python deploy/render_gateway.py                       # the http-context snippet
    python deploy/render_gateway.py --standalone --prefix /tmp/gw -o /tmp/gw/nginx.conf
    nginx -c /tmp/gw/nginx.conf -p /tmp/gw -g 'daemon off; pid /tmp/gw/nginx.pid;'

Values come from the environment (`GATEWAY_PORT`, `<SERVICE>_UPSTREAM`), then `--set
NAME=VALUE`; defaults: port 8080, upstreams `127.0.0.1:8001` … `127.0.0.1:8004` (what
`make run` serves), the console's files from this checkout's `console/static`. Only
upper-case `${NAME}` placeholders are replaced — as the official nginx image's envsubst step
does in docker compose — and one left unset is an error, so a typo never reaches nginx. No
dependency beyond the standard library.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
CONSOLE_STATIC = Path(__file__).resolve().parent.parent / "console" / "static"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
DEFAULTS = {
    "GATEWAY_PORT": "8080",
    "AUTH_UPSTREAM": "127.0.0.1:8001",
    "STAFF_UPSTREAM": "127.0.0.1:8002",
    "LEAVE_UPSTREAM": "127.0.0.1:8003",
    "PERFORMANCE_UPSTREAM": "127.0.0.1:8004",
    "CONSOLE_ROOT": str(CONSOLE_STATIC),
}


def placeholders(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


def render(values: Mapping[str, str], template: str | None = None) -> str:
    """The template with every `${NAME}` replaced; KeyError names any that is missing."""
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    missing = sorted(placeholders(text) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def standalone(snippet: str, prefix: Path) -> str:
    """A complete nginx.conf around the snippet, every file under `prefix` (no root paths),
    for `nginx -c <file> -p <prefix> -g 'daemon off; pid <prefix>/nginx.pid;'`."""
    p = Path(prefix).resolve()
    body = "\n".join("    " + line if line else "" for line in snippet.splitlines())
    return f"""# Rendered by deploy/render_gateway.py --standalone; do not edit.
worker_processes 1;
error_log {p}/error.log warn;

events {{
    worker_connections 256;
}}

http {{
    access_log {p}/access.log;
    client_body_temp_path {p}/client_body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;

{body}
}}
"""


def values_from(environ: Mapping[str, str], overrides: list[str]) -> dict[str, str]:
    values = dict(DEFAULTS)
    values.update({k: v for k, v in environ.items() if k in DEFAULTS and v})
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not PLACEHOLDER.fullmatch("${" + name + "}"):
            raise SystemExit(f"--set wants NAME=VALUE, got {item!r}")
        values[name] = value
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--standalone", action="store_true",
                        help="a complete nginx.conf (logs and temp files under --prefix)")
    parser.add_argument("--prefix", type=Path, default=Path("."),
                        help="the nginx prefix directory for --standalone")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        text = render(values_from(os.environ, args.set),
                      args.template.read_text(encoding="utf-8"))
    except KeyError as exc:
        print(f"render_gateway: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.standalone:
        text = standalone(text, args.prefix)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
