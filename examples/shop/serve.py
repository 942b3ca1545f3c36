"""A tiny demo shop (static page + products from the sample catalog) with the stylist widget embedded.

    python examples/shop/serve.py --port 8080 --app http://127.0.0.1:7860

The shop runs on its own port (a different origin from the app), as a real shop
would; add its origin (here http://127.0.0.1:8080) to STYLIST_ALLOWED_ORIGINS.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from functools import partial
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

HERE = Path(__file__).resolve().parent
PLAIN = HERE.parent / "plain-html"
sys.path.insert(0, str(HERE.parents[1]))  # run from a checkout without installing

from stylist.catalog import sample_price  # noqa: E402
from stylist.settings import SAMPLE_DATA_DIR  # noqa: E402

SHOWN_TYPES = (
    "Shirts",
    "Tshirts",
    "Jeans",
    "Dresses",
    "Kurtas",
    "Casual Shoes",
    "Sports Shoes",
    "Handbags",
    "Watches",
)


def shop_products(catalog: Path, per_type: int = 2) -> list[dict]:
    """A few products of each shown article type, in catalog order (deterministic)."""
    picked: dict[str, list[dict]] = {t: [] for t in SHOWN_TYPES}
    with (catalog / "styles.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            kind = row.get("articleType", "")
            if (
                kind in picked
                and len(picked[kind]) < per_type
                and (catalog / "images" / f"{row['id']}.jpg").is_file()
            ):
                picked[kind].append(
                    {
                        "id": row["id"],
                        "title": row["productDisplayName"],
                        "price": sample_price(row["id"], kind, row["masterCategory"]),
                        "currency": "INR",
                        "image": f"/images/{row['id']}.jpg",
                    }
                )
    return [p for kind in SHOWN_TYPES for p in picked[kind]]


def csp(app_url: str) -> str:
    """The Content-Security-Policy the plain-HTML example is served with: the widget needs its app's
    origin in script-src, connect-src and img-src, and nothing inline."""
    return (
        f"default-src 'self'; script-src 'self' {app_url}; connect-src 'self' {app_url}; "
        f"img-src 'self' {app_url} data:; style-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


class ShopHandler(SimpleHTTPRequestHandler):
    """Serves index.html (with the app URL filled in), products.json, catalog photos by id, the plain-HTML
    example under a strict Content-Security-Policy at /plain/, and a demo cart page at /cart/add."""

    def __init__(self, *args, app_url: str, catalog: Path, products: bytes, **kwargs) -> None:
        self.app_url, self.catalog, self.products = app_url, catalog, products
        super().__init__(*args, directory=str(HERE), **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            page = (HERE / "index.html").read_text(encoding="utf-8").replace("{{APP_URL}}", self.app_url)
            return self._send(page.encode(), "text/html; charset=utf-8")
        if path == "/products.json":
            return self._send(self.products, "application/json")
        if path in ("/plain", "/plain/", "/plain/index.html"):
            page = (PLAIN / "index.html").read_text(encoding="utf-8").replace("{{APP_URL}}", self.app_url)
            return self._send(
                page.encode(), "text/html; charset=utf-8", {"Content-Security-Policy": csp(self.app_url)}
            )
        if path in ("/plain/shop.js", "/plain/shop.css"):
            kind = "text/javascript" if path.endswith(".js") else "text/css"
            return self._send((PLAIN / path.rsplit("/", 1)[1]).read_bytes(), kind)
        if path == "/cart/add":
            # Where the demo's cart link template points (STYLIST_CART_URL_TEMPLATE=http://SHOP/cart/add?...).
            query = {k: v[0] for k, v in parse_qs(self.path.partition("?")[2]).items()}
            lines = "".join(
                f"<li id='{escape(k)}'>{escape(k)}: {escape(v)}</li>" for k, v in sorted(query.items())
            )
            page = f"<!doctype html><title>Cart</title><h1>Added to your cart</h1><ul>{lines}</ul>"
            return self._send(page.encode(), "text/html; charset=utf-8")
        match = re.fullmatch(r"/images/(\d+)\.jpg", path)  # ids only: no other file can be named
        if match and (self.catalog / "images" / f"{match[1]}.jpg").is_file():
            return self._send((self.catalog / "images" / f"{match[1]}.jpg").read_bytes(), "image/jpeg")
        self.send_error(404)

    def _send(self, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def origin_allowed(app_url: str, origin: str, timeout: float = 60.0) -> bool | None:
    """Whether the app lets a page on ``origin`` call its API (a CORS preflight, as a browser sends
    it); None when the app did not answer within ``timeout`` seconds."""
    request = urllib.request.Request(
        app_url.rstrip("/") + "/api/chat/stream",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                allowed = response.headers.get("Access-Control-Allow-Origin")
        except urllib.error.HTTPError as exc:  # a refused preflight is a 400 without the header
            allowed = exc.headers.get("Access-Control-Allow-Origin")
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                return None
            time.sleep(1.0)
            continue
        return allowed in ("*", origin)


def warn_unless_allowed(app_url: str, origin: str) -> None:
    """Say so on the console when the widget on this shop will be refused by the app (a shopper only
    sees "cannot be reached")."""
    if origin_allowed(app_url, origin) is False:
        print(
            f"warning: the stylist app at {app_url} does not allow this shop's origin {origin}, so the "
            f"widget cannot reach it; start the app with STYLIST_ALLOWED_ORIGINS='[\"{origin}\"]' "
            "(or add it to the list)",
            file=sys.stderr,
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--app", default="http://127.0.0.1:7860", help="URL of the stylist app")
    parser.add_argument(
        "--catalog", type=Path, default=SAMPLE_DATA_DIR / "catalog", help="sample catalog folder"
    )
    args = parser.parse_args()
    products = json.dumps(shop_products(args.catalog)).encode()
    handler = partial(ShopHandler, app_url=args.app.rstrip("/"), catalog=args.catalog, products=products)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    print(f"demo shop on http://{args.host}:{server.server_port} (stylist app: {args.app})", flush=True)
    origin = f"http://{args.host}:{server.server_port}"
    threading.Thread(target=warn_unless_allowed, args=(args.app, origin), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
