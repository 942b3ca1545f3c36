"""A part that is down is named in the shopper's message: the language model, the catalog store, the photo search.

Scripted fakes stand in for the model server and the Chroma server; the typed errors come from the
real code that calls them (``store_errors`` in the retriever and the image service, the agent's
model-call middleware), and the tests assert what the shopper reads.
"""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import openai
import pytest
from PIL import Image

from stylist.agent import Stylist
from stylist.errors import (
    LLMUnavailable,
    PhotoSearchUnavailable,
    ServiceUnavailable,
    StoreUnavailable,
)
from stylist.retrieval import Retriever
from stylist.settings import Settings
from stylist.vision.service import ImageService
from tests.fakes import CatalogFake, product, scripted
from vectorstore.client import store_errors

REFUSED = "[Errno 111] Connection refused"


class DownChroma:
    """A Chroma client whose server is gone: every call fails to connect, as chromadb's HttpClient does."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        def call(*_args: Any, **_kwargs: Any) -> Any:
            self.calls.append(name)
            raise httpx.ConnectError(REFUSED)

        return call


class StoreDownCatalog(CatalogFake):
    """The catalog fake behind a Chroma server that went down: a search fails to connect."""

    def search(self, *args: Any, **kwargs: Any) -> Any:
        super().search(*args, **kwargs)  # recorded, so the test sees the search was tried
        with store_errors():
            raise httpx.ConnectError(REFUSED)


class UnnamedFailure(CatalogFake):
    """A connection error from a part that does not name itself."""

    def search(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError(111, "Connection refused")


class ShirtModel:
    """A scripted image model: every photo is a navy shirt for men."""

    input_size = (80, 60)
    space = "fake:v1"

    def analyse(self, images: np.ndarray) -> tuple[list[dict], np.ndarray]:
        rows = [{"article_type": [("Shirts", 0.9)], "colour": [("Navy Blue", 0.8)], "gender": [("Men", 0.9)]}
                for _ in range(len(images))]  # fmt: skip
        return rows, np.ones((len(images), 4), dtype=np.float32) / 2.0


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (20, 20, 120)).save(out, format="PNG")
    return out.getvalue()


def products() -> list[dict]:
    return [product("h1", "Handbags", "Red", price=1299), product("h2", "Handbags", "Black", price=999),
            product("s1", "Shirts", "Navy Blue", gender="Men", price=899)]  # fmt: skip


def make(tmp_path, shop, model, **kwargs: Any) -> Stylist:
    settings = Settings(data_dir=tmp_path, checkpoint_db=":memory:")
    return Stylist(settings, model, shop, **kwargs)


def error_of(events: list) -> str:
    assert events[-1].type == "error", [e.type for e in events]
    return events[-1].data["message"]


# -- where the parts are called ------------------------------------------------------------------


def test_a_chroma_server_that_is_down_raises_store_unavailable_naming_the_catalog_store(tmp_path):
    chroma = DownChroma()
    retriever = Retriever(Settings(data_dir=tmp_path), embedder=object(), client=chroma)

    with pytest.raises(StoreUnavailable) as info:
        retriever.search("a red handbag")

    assert chroma.calls  # the store was asked
    assert str(info.value) == (
        "The catalog store (its Chroma server) is not reachable right now (ConnectError). "
        "Please try again in a moment."
    )
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_a_photo_search_whose_client_is_first_made_while_the_server_is_down_names_the_store(tmp_path):
    from stylist.net import free_port

    # chromadb's HttpClient refuses to be created then, with a ValueError wrapping the ConnectError.
    settings = Settings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    images = ImageService(settings, backend=ShirtModel())

    with pytest.raises(PhotoSearchUnavailable, match=r"\(ConnectError\)"):
        images.describe(png(), k=5)
    with pytest.raises(StoreUnavailable, match=r"^The catalog store \(its Chroma server\)"):
        Retriever(settings, embedder=object())


def test_store_errors_leaves_other_failures_alone():
    with pytest.raises(ValueError, match="bad where"), store_errors():
        raise ValueError("bad where")


def test_the_photo_search_with_its_store_down_raises_photo_search_unavailable(tmp_path):
    images = ImageService(Settings(data_dir=tmp_path), backend=ShirtModel(), client=DownChroma())

    with pytest.raises(
        PhotoSearchUnavailable, match=r"^The photo search's catalog store .* \(ConnectError\)"
    ):
        images.describe(png(), k=5)


# -- what the shopper reads ----------------------------------------------------------------------


def test_catalog_store_down_is_not_blamed_on_the_language_model(tmp_path):
    shop = StoreDownCatalog(products())
    model = scripted("never asked")
    seen: list = []
    stylist = make(tmp_path, shop, model)
    stylist.observers.append(seen.append)

    message = error_of(list(stylist.stream("a red handbag for women", thread_id="t1")))

    assert shop.searches  # the turn reached the store
    assert message.startswith(
        "The catalog store (its Chroma server) is not reachable right now (ConnectError)"
    )
    assert "language model" not in message
    assert model.script == ["never asked"]  # no model call after the store failed
    assert [r.outcome for r in seen] == ["error"]
    with pytest.raises(StoreUnavailable, match="catalog store"):
        stylist.respond("a red handbag for women", thread_id="t2")


def test_language_model_down_names_the_language_model(tmp_path):
    down = openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:1/v1"))
    stylist = make(tmp_path, CatalogFake(products()), scripted(down, down))

    message = error_of(list(stylist.stream("a red handbag for women", thread_id="t1")))

    assert message == (
        "The stylist's language model is not reachable right now (APIConnectionError). "
        "Please try again in a moment."
    )
    with pytest.raises(LLMUnavailable, match="language model"):
        stylist.respond("a red handbag for women", thread_id="t2")


def test_a_model_error_that_is_not_a_connection_failure_is_not_called_unreachable(tmp_path):
    stylist = make(tmp_path, CatalogFake(products()), scripted(RuntimeError("the model broke")))

    with pytest.raises(RuntimeError, match="the model broke"):
        list(stylist.stream("a red handbag for women", thread_id="t1"))


def test_photo_search_down_names_the_photo_search_not_an_unreadable_photo(tmp_path):
    images = ImageService(Settings(data_dir=tmp_path), backend=ShirtModel(), client=DownChroma())
    model = scripted("never asked")
    stylist = make(tmp_path, CatalogFake(products()), model, images=images)

    message = error_of(list(stylist.stream("something like this", thread_id="p1", image=png())))

    assert message.startswith("The photo search's catalog store (its Chroma server) is not reachable")
    assert message.endswith("or describe the item in words.")
    assert "language model" not in message and "unreadable" not in message
    assert model.script == ["never asked"]
    with pytest.raises(PhotoSearchUnavailable):
        stylist.respond("something like this", thread_id="p2", image=png())


def test_a_connection_failure_no_part_named_blames_no_part(tmp_path):
    stylist = make(tmp_path, UnnamedFailure(products()), scripted("never asked"))

    message = error_of(list(stylist.stream("a red handbag for women", thread_id="u1")))

    assert message.startswith(
        "A service the stylist needs is not reachable right now (ConnectionRefusedError)"
    )
    with pytest.raises(ServiceUnavailable) as info:
        stylist.respond("a red handbag for women", thread_id="u2")
    assert type(info.value) is ServiceUnavailable


def test_the_api_answers_503_with_the_part_that_is_down(tmp_path):
    from fastapi.testclient import TestClient

    from stylist.api import create_app

    settings = Settings(data_dir=tmp_path, checkpoint_db=":memory:", rate_limit_per_minute=0)
    stylist = Stylist(settings, scripted("never asked"), StoreDownCatalog(products()))
    with TestClient(create_app(settings, stylist, ui=False)) as client:
        r = client.post("/api/chat", json={"message": "a red handbag for women"})
        streamed = client.post("/api/chat/stream", json={"message": "a black handbag for women"})

    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.json()["detail"].startswith("The catalog store (its Chroma server) is not reachable")
    assert "event: error" in streamed.text and "The catalog store (its Chroma server)" in streamed.text
