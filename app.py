"""Entry point of the web app: wiring only (see stylist/ for the parts)."""

from __future__ import annotations


def main() -> None:
    from stylist.cli import app

    # Until the chat UI lands, `make run` prepares the store and opens the search prompt.
    app(["ingest"], standalone_mode=False)
    from stylist.retrieval import Retriever
    from stylist.settings import Settings

    retriever = Retriever(Settings())
    print("stylist search: type a request (Ctrl-D to quit)")
    while True:
        try:
            query = input("> ")
        except EOFError:
            break
        result = retriever.search(query, k=5)
        for item in result.items:
            print(f"  {item.id:>7}  {item.price:>7.0f} {item.currency}  {item.title}")
        if not result.items:
            print(f"  {result.message}")


if __name__ == "__main__":
    main()
