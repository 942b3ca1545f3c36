"""The agent's logic, driven by a scripted chat model over a real on-disk Chroma store."""

from __future__ import annotations

import statistics

import openai
import pytest
from langchain_core.messages import AIMessage, ToolMessage

from stylist.agent import Stylist
from stylist.errors import LLMUnavailable
from stylist.retrieval import Retriever
from stylist.settings import Settings
from tests.fakes import scripted


@pytest.fixture(scope="module")
def retriever(store_settings: Settings, embedder) -> Retriever:
    return Retriever(store_settings, embedder=embedder)


def make(retriever: Retriever, model, **overrides) -> Stylist:
    settings = retriever.settings.model_copy(update={"checkpoint_db": ":memory:", **overrides})
    return Stylist(settings, model, retriever)


def call(name: str, args: dict, call_id: str = "call-1") -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}]
    )


def listed(products) -> list[str]:
    """The product list the answer ends with: one line per card, its title, price and reason."""
    return [f"- {p.title} ({p.price:.0f} {p.currency}): {p.reason}" for p in products]


def assert_composed(reply, lead: str, remark: str) -> None:
    """The composed answer: the lead (what was looked for and found, streamed first), the model's
    grounded remark, then every card listed in order."""
    found = len(reply.products)
    assert reply.answer.splitlines() == [
        lead.format(found=f"found {found}" if found != 1 else "found one"),
        remark,
        *listed(reply.products),
    ], reply.answer


def assert_all(products, *, gender=None, price_max=None, colour=None, article_type=None):
    assert products, "expected products"
    for p in products:
        if gender:
            assert p.gender == gender, p
        if price_max is not None:
            assert p.price <= price_max, p
        if colour:
            assert p.colour == colour, p
        if article_type:
            assert p.article_type == article_type, p


def test_prefetch_runs_the_search_before_the_model_with_parsed_constraints(retriever):
    model = scripted("These shirts are smart and easy to wear.")
    reply = make(retriever, model).respond("a navy shirt for men under 2000")

    assert len(model.history) == 1
    sent = model.history[0]
    tool_results = [m for m in sent if isinstance(m, ToolMessage)]
    assert len(tool_results) == 1 and "Products found" in tool_results[0].content
    assert [c.name for c in reply.tool_calls] == ["search_catalog"]
    assert reply.tool_calls[0].source == "guard"
    assert (
        reply.tool_calls[0].args.items()
        >= {"gender": "Men", "colour": "Navy Blue", "price_max": 2000.0}.items()
    )
    assert_all(reply.products, gender="Men", price_max=2000, colour="Navy Blue", article_type="Shirts")
    # What was looked for first, then the model's own remark, then the cards listed.
    assert_composed(
        reply, "I looked for navy blue shirts for men under 2,000 and {found}.",
        "These shirts are smart and easy to wear.",
    )  # fmt: skip


def test_native_mode_merges_constraints_the_model_left_out(retriever):
    model = scripted(call("search_catalog", {"query": "dress"}), "Lovely dresses for you.")
    reply = make(retriever, model, agent_tool_mode="native").respond("a black dress for women under 2500")

    assert len(model.history) == 2
    (tc,) = reply.tool_calls
    assert tc.name == "search_catalog" and tc.source == "guard"
    assert tc.args["price_max"] == 2500.0 and tc.args["gender"] == "Women" and tc.args["colour"] == "Black"
    assert_all(reply.products, gender="Women", price_max=2500, colour="Black")


def test_native_mode_keeps_a_correct_model_call_as_model_sourced(retriever):
    args = {"query": "blue jeans for men", "gender": "Men", "colour": "Blue", "article_type": "Jeans"}
    model = scripted(call("search_catalog", args), "Here you go.")
    reply = make(retriever, model, agent_tool_mode="native").respond("blue jeans for men")

    assert [(c.name, c.source) for c in reply.tool_calls] == [("search_catalog", "model")]
    assert_all(reply.products, gender="Men", colour="Blue", article_type="Jeans")


def test_native_mode_searches_when_the_model_answers_without_a_tool(retriever):
    model = scripted("I recommend the Zara Linen Blazer.", "Here are real options.")
    reply = make(retriever, model, agent_tool_mode="native").respond("white sneakers for women")

    assert len(model.history) == 2
    assert any(isinstance(m, ToolMessage) for m in model.history[1])
    assert [(c.name, c.source) for c in reply.tool_calls] == [("search_catalog", "guard")]
    assert "Zara" not in reply.answer
    assert_all(reply.products, colour="White", article_type="Casual Shoes")
    # Women's shoes first; unisex ones only top up a result of fewer than three.
    genders = [p.gender for p in reply.products]
    assert "Women" in genders and set(genders) <= {"Women", "Unisex"}, genders
    assert genders == sorted(genders, key=lambda g: g == "Unisex"), genders
    assert "Unisex" not in genders or genders.count("Women") < 3, genders


def test_malformed_tool_call_is_repaired_once(retriever):
    bad = call("Search_CataloG", {"Query": "shirts", "max_price": "1500 rupees", "Gender": "men"})
    model = scripted(bad, "Done.")
    reply = make(retriever, model, agent_tool_mode="native").respond("shirts for men under 1500")

    (tc,) = reply.tool_calls
    assert tc.name == "search_catalog" and tc.source == "guard"
    assert tc.args["price_max"] == 1500.0 and tc.args["gender"] == "Men"
    assert_all(reply.products, gender="Men", price_max=1500)


def test_a_gender_outside_the_schema_is_read_by_the_parser(retriever):
    # The schema only admits the catalog's five genders; a copied shopper word is mapped, not searched.
    bad = call("search_catalog", {"query": "belts", "article_type": "Belts", "gender": "Gents"})
    model = scripted(bad, "Done.")
    reply = make(retriever, model, agent_tool_mode="native").respond("belts for gents")

    (tc,) = reply.tool_calls
    assert tc.source == "guard" and tc.args["gender"] == "Men"
    assert_all(reply.products, gender="Men", article_type="Belts")


def test_unrepairable_tool_call_falls_back_to_the_guard_search(retriever):
    model = scripted(call("fly_to_the_moon", {"x": 1}), "Fine.")
    reply = make(retriever, model, agent_tool_mode="native").respond("black watches for women")

    assert [(c.name, c.source) for c in reply.tool_calls] == [("search_catalog", "guard")]
    assert_all(reply.products, gender="Women", colour="Black", article_type="Watches")


def test_runaway_tool_loop_is_capped(retriever):
    loop = [call("search_catalog", {"query": "caps"}, f"c{i}") for i in range(10)]
    model = scripted(*loop)
    reply = make(retriever, model, agent_tool_mode="native", agent_max_model_calls=3).respond("caps for men")

    assert len(model.history) == 3
    assert reply.products and all(p.gender == "Men" for p in reply.products)
    # composed from the tool results when the cap ends the turn, not the middleware's note
    assert "limits exceeded" not in reply.answer and reply.products[0].title in reply.answer


def test_prefetch_does_not_run_a_tool_the_turn_already_ran(retriever):
    again = [
        call("get_trend_forecast", {"query": "summer trends", "gender": "Women"}, f"t{i}") for i in range(6)
    ]
    model = scripted(*again, "Summer is about light colours.")
    reply = make(retriever, model, agent_max_model_calls=4).respond("what are women wearing this summer?")
    assert [c.name for c in reply.tool_calls] == ["get_trend_forecast", "classify_trend"]  # the plan's, once
    assert len(model.history) == 1 and "limits exceeded" not in reply.answer and reply.answer


def test_empty_model_answer_still_presents_the_products(retriever):
    reply = make(retriever, scripted("")).respond("kurtas for women")
    assert_all(reply.products, gender="Women", article_type="Kurtas")
    assert reply.products[0].title in reply.answer


def test_products_named_but_not_retrieved_are_removed(retriever):
    other = retriever.search("watch for men", k=1).items[0]
    model = scripted(f"Great shirts. You could also buy the {other.title}. Item {other.id} is lovely.")
    reply = make(retriever, model).respond("shirts for women")

    assert other.title not in reply.answer and other.id not in reply.answer
    assert "Great shirts." in reply.answer
    assert other.id not in {p.id for p in reply.products}


def test_nothing_matches_gives_an_honest_answer_and_a_labelled_relaxation(retriever):
    reply = make(retriever, scripted("We have these heels!")).respond("purple heels for men in size 9")

    assert reply.products == []
    assert "don't carry" in reply.answer
    assert reply.relaxed is not None and reply.relaxed["dropped"]
    assert "without the" in reply.answer
    assert "We have these heels" not in reply.answer or reply.relaxed


def test_the_search_result_names_the_budget_a_cheaper_follow_up_applies(retriever):
    # The model copies "For cheaper ones: price_max N" instead of working out a median.
    model = scripted("First.", "Cheaper.")
    stylist = make(retriever, model)
    stylist.respond("tshirts for women under 1500", thread_id="t")
    seen = [m.content for m in model.history[0] if isinstance(m, ToolMessage)][-1]
    offered = float(seen.rsplit("For cheaper ones: price_max ", 1)[1])

    cheaper = stylist.respond("cheaper", thread_id="t")
    assert cheaper.tool_calls[-1].args["price_max"] == offered
    assert_all(cheaper.products, gender="Women", article_type="Tshirts", price_max=offered)


def test_follow_ups_refine_the_previous_request(retriever):
    stylist = make(retriever, scripted("First.", "Cheaper.", "Black.", "For him."))
    first = stylist.respond("tshirts for women under 1500", thread_id="t")
    median = statistics.median(p.price for p in first.products)

    cheaper = stylist.respond("cheaper", thread_id="t")
    assert_all(cheaper.products, gender="Women", article_type="Tshirts", price_max=median - 1)

    black = stylist.respond("in black", thread_id="t")
    assert_all(black.products, gender="Women", article_type="Tshirts", colour="Black")

    husband = stylist.respond("something for my husband", thread_id="t")
    assert_all(husband.products, gender="Men", article_type="Tshirts", colour="Black")


def test_a_new_item_in_the_same_thread_keeps_who_it_is_for_and_the_budget(retriever):
    stylist = make(retriever, scripted("One.", "Two."))
    stylist.respond("navy shirts for men under 1200", thread_id="n")
    jeans = stylist.respond("now show me jeans", thread_id="n")
    assert_all(jeans.products, gender="Men", article_type="Jeans", price_max=1200)
    # The old item's colour does not carry over (the sample's men's jeans under 1200 happen to be navy).
    (search,) = jeans.tool_calls
    assert search.args["gender"] == "Men" and search.args["price_max"] == 1200.0
    assert not search.args.get("colour"), search.args


def test_complete_the_look_returns_other_categories_in_harmonious_colours(retriever):
    anchor = retriever.search("shirts for men", k=1).items[0]
    reply = make(retriever, scripted("A sharp outfit.")).respond(f"what goes with item {anchor.id}?")

    assert [c.name for c in reply.tool_calls] == ["complete_the_look"]
    assert reply.products
    for p in reply.products:
        assert p.id != anchor.id
        assert p.gender in (anchor.gender, "Unisex")
        assert retriever.get(p.id).subcategory != anchor.subcategory


def test_trend_question_without_forecasts_says_so(retriever):
    reply = make(retriever, scripted("No forecast yet.")).respond("is wide-leg denim still in?")
    assert [c.name for c in reply.tool_calls] == ["get_trend_forecast", "classify_trend"]
    assert reply.products == []


def test_model_server_down_gives_a_clear_error_and_recovers(retriever):
    down = openai.APIConnectionError(request=__import__("httpx").Request("POST", "http://127.0.0.1:1/v1"))
    model = scripted(down, "Back again.")
    stylist = make(retriever, model)
    with pytest.raises(LLMUnavailable, match="not reachable"):
        stylist.respond("belts for men", thread_id="d")
    reply = stylist.respond("belts for men", thread_id="d")
    assert reply.products
    assert_composed(reply, "I looked for belts for men and {found}.", "Back again.")


def test_stream_emits_tool_steps_then_the_final_reply(retriever):
    events = list(make(retriever, scripted("Nice picks.")).stream("black heels for women"))
    kinds = [e.type for e in events]
    assert kinds[0] == "tool" and kinds[-1] == "final"
    assert events[0].data["name"] == "search_catalog" and events[0].data["source"] == "guard"
    final = events[-1].data["reply"]
    assert final["products"] and all(p["colour"] == "Black" for p in final["products"])
    # What was looked for and found is streamed as soon as the tool ran, before the model's words.
    tokens = [e.data["text"] for e in events if e.type == "token"]
    found = len(final["products"])
    assert tokens[0] == f"I looked for black heels for women and found {found}.\n", tokens
    assert "Nice picks." in "".join(tokens[1:])
    assert final["answer"].splitlines()[:2] == [tokens[0].strip(), "Nice picks."]


def test_streamed_text_never_shows_a_product_the_guard_removes(retriever):
    other = retriever.search("watches for men", k=1).items[0]
    model = scripted(f"Nice picks. Also buy the {other.title}. They suit parties.")
    events = list(make(retriever, model).stream("black heels for women"))
    streamed = "".join(e.data["text"] for e in events if e.type == "token")
    assert "Nice picks." in streamed and "They suit parties." in streamed
    assert other.title not in streamed
    assert other.title not in events[-1].data["reply"]["answer"]


def test_tokens_the_served_model_generated_are_counted_from_the_stream(retriever):
    """Through an OpenAI-compatible server that reports usage only when asked (as vLLM does)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from stylist.llm import chat_model

    bodies: list[dict] = []

    class Completions(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            bodies.append(body)
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}
            events = [chunk | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": w},
                                            "finish_reason": None}]} for w in ("Smart ", "picks.")]  # fmt: skip
            if (body.get("stream_options") or {}).get("include_usage"):
                usage = {"prompt_tokens": 321, "completion_tokens": 7, "total_tokens": 328}
                events.append(chunk | {"choices": [], "usage": usage})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Completions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = retriever.settings.model_copy(update={"checkpoint_db": ":memory:"})
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        reply = Stylist(settings, chat_model(settings, url), retriever).respond("black heels for women")
    finally:
        server.shutdown()
    assert len(bodies) == 1 and bodies[0]["stream"] is True
    assert reply.products
    assert_composed(reply, "I looked for black heels for women and {found}.", "Smart picks.")
    assert reply.model_tokens == 7


def test_native_mode_drops_a_constraint_the_model_added_on_its_own(retriever):
    # The shopper named no season or occasion: the model's own guesses would only narrow the search.
    args = {"query": "kurtas for women", "gender": "Women", "article_type": "Kurtas", "season": "Winter",
            "usage": ["Party", "Formal"]}  # fmt: skip
    model = scripted(call("search_catalog", args), "Here you go.")
    reply = make(retriever, model, agent_tool_mode="native").respond("kurtas for women")

    (tc,) = reply.tool_calls
    assert tc.source == "guard" and "season" not in tc.args and "usage" not in tc.args, tc.args
    assert_all(reply.products, gender="Women", article_type="Kurtas")


def test_native_mode_replaces_a_look_for_a_made_up_product_with_the_plans_search(retriever):
    model = scripted(call("complete_the_look", {"product_id": "sarees"}), "Here you go.")
    reply = make(retriever, model, agent_tool_mode="native").respond("sarees for women under 3000")

    (tc,) = reply.tool_calls
    assert tc.name == "search_catalog" and tc.source == "guard"
    assert_all(reply.products, gender="Women", article_type="Sarees", price_max=3000)
