"""The web app: the HTTP API, the OpenAI-compatible facade, /widget.js, product photos and the UI.

- ``app``: :func:`create_app` (routers, error mapping, CORS, the UI at ``/``) and :func:`server_config`.
- ``chat``: ``/api/chat`` and ``/api/chat/stream`` (server-sent events).
- ``openai_facade``: ``/v1/chat/completions`` and ``/v1/models``.
- ``catalog``: ``/api/products/{id}`` and its photo.
- ``service``: ``/healthz`` and ``/readyz``.
- ``widget``: ``/widget.js``.
- ``deps``: what the routers share (the app's state as dependencies, admission, published replies).
"""

from stylist.api.app import create_app, server_config

__all__ = ["create_app", "server_config"]
