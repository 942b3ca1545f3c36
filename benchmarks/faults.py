"""Faults the service must survive, run against real processes: vLLM, the app, Chroma, PostgreSQL, a full disk.

    python benchmarks/faults.py                       # every scenario (about 10 minutes on 2 cores)
    python benchmarks/faults.py --only vllm,postgres  # some of them

Scenarios (each reports ``survived`` and what was seen):

- ``vllm_killed_mid_stream``: the app owns its vLLM server; SIGKILL to vLLM's process group
  while a turn streams. The shopper must get a clear error event (not a 500 or a hang), the
  app must restart vLLM by itself, and the same thread's next turn must work and still know
  the first turn ("cheaper" under the first answer's median price).
- ``app_killed_mid_conversation``: SIGKILL to the app while a turn streams; the app is started
  again on the same data folder. Its orphaned vLLM must not block the new start, the SQLite
  conversation file must pass ``PRAGMA integrity_check``, and the thread must continue.
- ``postgres_down_and_back``: conversations in PostgreSQL; the server is stopped: turns get
  a 503 with Retry-After; started again: the thread begun before the outage continues.
- ``chroma_down_and_back``: the catalog in a ``chroma run`` server, stopped and started again.
  While it is down a text turn is answered from the build in memory, and a photo turn (the photo
  search needs the server) must get an error event naming the catalog store, not the model.
- ``reingest_while_chatting``: 16 shoppers chat while the catalog is re-ingested with every
  price changed by +1: no errors, and no reply mixes items of the two versions.
- ``disk_full_while_ingesting``: the data folder on a small tmpfs, filled up before a
  re-ingestion; the ingestion must fail with a clear message and the previous store must
  still answer with its own items; with space again, the re-ingestion completes.
- kill -9 during ingestion is ``tests/integration/test_ingest.py::test_killed_ingestion_leaves_the_previous_store_intact``.

Results go to benchmarks/results/faults.json. Needs root for the tmpfs scenario (skipped otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.stack import ENV, App, wait_ready  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "faults.json"
MESSAGES = ["a navy shirt for men under 2000", "black heels for women", "casual tshirts for men under 1000",
            "a red handbag for women", "blue jeans for women under 2500", "sports shoes for men",
            "a watch for women under 5000", "a kurta for women for a wedding"]  # fmt: skip


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def chat(url: str, message: str, thread: str | None = None, timeout: float = 240) -> tuple[int, dict]:
    body = {"message": message, **({"thread_id": thread} if thread else {})}
    try:
        r = httpx.post(url + "/api/chat", json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        return 0, {"detail": f"{type(exc).__name__}: {exc}"}
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, {"detail": r.text[:300]}


def stream_and(url: str, message: str, thread: str, action) -> list[dict]:
    """Stream a turn; call ``action()`` when the first event arrives; return every event."""
    events: list[dict] = []
    acted = False
    with httpx.stream("POST", url + "/api/chat/stream", json={"message": message, "thread_id": thread},
                      timeout=240) as r:  # fmt: skip
        kind = None
        try:
            for line in r.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    events.append({"event": kind, **json.loads(line[6:])})
                    if not acted:
                        acted = True
                        action()
        except httpx.HTTPError as exc:
            events.append({"event": "connection", "error": f"{type(exc).__name__}"})
    return events


def vllm_pid(data_dir: Path) -> tuple[int, int]:
    """(process-group id, port) of the vLLM server an app started, from its pid file."""
    files = sorted((data_dir / "logs").glob("vllm-*.pid"), key=lambda p: p.stat().st_mtime)
    path = files[-1]
    return int(path.read_text().split()[0]), int(path.stem.split("-")[1])


def cards(reply: dict) -> list[str]:
    return sorted(f"{p['gender']} {p['article_type']} {p['price']:.0f}" for p in reply.get("products") or [])


def follows_on(first: dict, code: int, again: dict) -> bool:
    """Whether "cheaper" was answered from the thread: the same kind of item for the same people,
    no dearer than the first turn's, or an honest "we don't carry <that item> under N"."""
    if code != 200:
        return False
    kinds = {(p["gender"], p["article_type"]) for p in first["products"]}
    shown = again.get("products") or []
    if shown:
        top = max(p["price"] for p in first["products"])
        return all(
            (p["gender"], p["article_type"]) in kinds or p["gender"] == "Unisex" for p in shown
        ) and all(p["price"] <= top for p in shown)
    answer = str(again.get("answer") or "").lower()
    return "under" in answer and any(article.lower().rstrip("s") in answer for _, article in kinds)


def median_price(reply: dict) -> float:
    return statistics.median(p["price"] for p in reply["products"])


# -- data ------------------------------------------------------------------------------------------


def write_catalogs(folder: Path, step: int) -> tuple[Path, Path]:
    """A slice of the sample catalog (every ``step``-th row) and the same rows with every price +1."""
    from stylist.catalog import convert_sample
    from stylist.settings import SAMPLE_DATA_DIR

    full = folder / "sample.jsonl"
    convert_sample(SAMPLE_DATA_DIR / "catalog", full)
    rows = [json.loads(line) for i, line in enumerate(full.read_text().splitlines()) if i % step == 0]
    v1, v2 = folder / "v1.jsonl", folder / "v2.jsonl"
    v1.write_text("".join(json.dumps(r) + "\n" for r in rows))
    v2.write_text("".join(json.dumps({**r, "price": r["price"] + 1}) + "\n" for r in rows))
    return v1, v2


def ingest(env: dict[str, str], catalog: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stylist.cli", "ingest", "--catalog", str(catalog)],
                          env={**ENV, **env}, capture_output=True, text=True, timeout=timeout)  # fmt: skip


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    raise TimeoutError("chroma did not start")


# -- scenarios -----------------------------------------------------------------------------------


def vllm_killed_mid_stream(app: App, data_dir: Path) -> dict:
    code, first = chat(app.url, "casual tshirts for men", "fault-vllm")
    assert code == 200 and first["products"], (code, first)
    pgid, port = vllm_pid(data_dir)
    killed_at: list[float] = []

    def kill() -> None:
        os.killpg(pgid, signal.SIGKILL)
        killed_at.append(time.monotonic())

    events = stream_and(app.url, "cheaper ones please, and say why they work", "fault-vllm", kill)
    errors = [e for e in events if e["event"] == "error"]
    finals = [e for e in events if e["event"] == "final"]
    during = chat(app.url, "cheaper", "fault-vllm", timeout=30)
    wait_ready(app.url, 600)
    back_after = round(time.monotonic() - killed_at[0], 1)
    code, again = chat(app.url, "cheaper", "fault-vllm")
    refined = follows_on(first, code, again)
    new_pgid, new_port = vllm_pid(data_dir)
    clear = bool(errors) and "not reachable" in errors[0].get("message", "")
    return {
        "survived": (clear or bool(finals)) and refined and new_port == port and new_pgid != pgid,
        "stream_error_event": errors[0]["message"] if errors else None,
        "turn_finished_before_the_kill": bool(finals),
        "turn_while_restarting": {"status": during[0], "detail": str(during[1].get("detail"))[:160]},
        "vllm_restarted_by_the_app_s": back_after,
        "same_port": new_port == port,
        "next_turn_status": code,
        "next_turn_refines_the_thread": refined,
        "first_turn": cards(first),
        "next_turn": cards(again),
        "next_turn_answer": str(again.get("answer") or again.get("detail"))[:200],
    }


def app_killed_mid_conversation(app: App, data_dir: Path) -> dict:
    code, first = chat(app.url, "casual shoes for men", "fault-app")
    assert code == 200 and first["products"], (code, first)
    old_pgid, port = vllm_pid(data_dir)
    events = stream_and(app.url, "cheaper", "fault-app", app.kill)
    restart_s = app.start()
    new_pgid, new_port = vllm_pid(data_dir)
    db = sqlite3.connect(data_dir / "threads.sqlite")
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    checkpoints = db.execute("select count(*) from checkpoints where thread_id = 'fault-app'").fetchone()[0]
    db.close()
    code, again = chat(app.url, "cheaper", "fault-app")
    ok = follows_on(first, code, again)
    return {
        "survived": integrity == "ok" and ok and new_port == port,
        "events_before_the_kill": len(events),
        "restart_s": restart_s,
        "orphaned_vllm_replaced": new_pgid != old_pgid and new_port == port,
        "sqlite_integrity": integrity,
        "checkpoints_of_the_thread": checkpoints,
        "next_turn_status": code,
        "next_turn_keeps_who_it_is_for": ok,
        "first_turn": cards(first),
        "next_turn": cards(again),
        "next_turn_answer": str(again.get("answer") or again.get("detail"))[:200],
    }


def postgres_down_and_back(make_app, work: Path) -> dict:
    import pgserver

    pg_dir = work / "pg"
    server = pgserver.get_server(pg_dir, cleanup_mode="stop")
    url = server.get_uri()
    app = make_app({"STYLIST_CHECKPOINT_DB": url}, "app-pg.log")
    try:
        app.start()
        code, first = chat(app.url, "casual tshirts for men under 1000", "fault-pg")
        assert code == 200 and first["products"], (code, first)
        server.cleanup()  # stops PostgreSQL
        down = chat(app.url, "cheaper", "fault-pg", timeout=60)
        server = pgserver.get_server(pg_dir, cleanup_mode="stop")
        time.sleep(2)
        code, again = chat(app.url, "cheaper", "fault-pg")
        if code != 200:  # the pool may need one failed round to notice the new server
            time.sleep(5)
            code, again = chat(app.url, "cheaper", "fault-pg")
        refined = (
            code == 200
            and bool(again.get("products"))
            and max(p["price"] for p in again["products"]) < max(p["price"] for p in first["products"])
        )
        return {
            "survived": down[0] == 503 and refined,
            "while_down": {"status": down[0], "detail": str(down[1].get("detail"))[:160]},
            "after": {"status": code, "refines_the_thread_from_before": refined},
        }
    finally:
        app.stop()
        server.cleanup()


def stream_photo(url: str, message: str, photo: bytes, timeout: float = 120) -> dict:
    """A photo turn through ``/api/chat/stream`` (as the page and the widget send it): status and events."""
    events, kind = [], None
    try:
        with httpx.stream("POST", url + "/api/chat/stream", data={"message": message},
                          files={"image": ("photo.jpg", photo, "image/jpeg")}, timeout=timeout) as r:  # fmt: skip
            for line in r.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    events.append({"event": kind, **json.loads(line[6:])})
            return {"status": r.status_code, "events": events}
    except httpx.HTTPError as exc:
        return {"status": 0, "events": [{"event": "connection", "message": type(exc).__name__}]}


def names_the_store(message: str) -> bool:
    """Whether an error message blames the catalog store (Chroma), and not the language model."""
    text = message.lower()
    return "catalog store" in text and "chroma" in text and "language model" not in text


def chroma_down_and_back(app: App, chroma: dict) -> dict:
    from stylist.settings import SAMPLE_DATA_DIR

    photo = sorted((SAMPLE_DATA_DIR / "catalog" / "images").glob("*.jpg"))[0].read_bytes()
    code, _ = chat(app.url, "a red handbag for women", "fault-chroma")
    chroma["proc"].terminate()
    chroma["proc"].wait(30)
    time.sleep(1)
    ready_down = httpx.get(app.url + "/readyz", timeout=10)
    down = chat(app.url, "a black handbag for women", "fault-chroma-2", timeout=60)
    # The photo search asks the store for the nearest photos: the shopper must read that the
    # store is down (not the language model, not an "unreadable photo" answered as if it were).
    photo_down = stream_photo(app.url, "something like this", photo)
    errors = [e.get("message", "") for e in photo_down["events"] if e["event"] == "error"]
    finals = [e for e in photo_down["events"] if e["event"] == "final"]
    chroma["proc"] = start_chroma(chroma["path"], chroma["port"])
    wait_ready(app.url, 120)
    code_after, after = chat(app.url, "a black handbag for women", "fault-chroma-3")
    photo_after = stream_photo(app.url, "something like this", photo)
    photo_back = any(e["event"] == "final" for e in photo_after["events"])
    named = bool(errors) and names_the_store(errors[0])
    return {
        "survived": (down[0] == 200 or (down[0] == 503 and names_the_store(str(down[1].get("detail")))))
        and named
        and code_after == 200
        and bool(after.get("products"))
        and photo_back,
        "readyz_while_down": {"status": ready_down.status_code, **ready_down.json()},
        "turn_while_down": {
            "status": down[0],
            "detail": str(down[1].get("detail") or "")[:160],
            "products": len(down[1].get("products") or []),
        },  # fmt: skip
        "photo_turn_while_down": {
            "status": photo_down["status"],
            "error_event": errors[0] if errors else None,
            "names_the_store_not_the_model": named,
            "answered": bool(finals),
        },  # fmt: skip
        "after": {
            "status": code_after,
            "products": len(after.get("products") or []),
            "photo_turn_answered": photo_back,
        },  # fmt: skip
    }


def reingest_while_chatting(app: App, chroma_env: dict, v1: Path, v2: Path, shoppers: int) -> dict:
    prices = {
        version: {str(r["id"]): float(r["price"]) for r in map(json.loads, path.read_text().splitlines())}
        for version, path in (("v1", v1), ("v2", v2))
    }
    stop = threading.Event()
    results: list[dict] = []
    lock = threading.Lock()

    def shopper(i: int) -> None:
        n = 0
        while not stop.is_set():
            message = MESSAGES[(i + n) % len(MESSAGES)]
            code, reply = chat(app.url, message, f"reingest-{i}-{n // 3}")
            n += 1
            versions = set()
            for p in reply.get("products") or []:
                hits = {v for v, table in prices.items() if table.get(str(p["id"])) == float(p["price"])}
                versions |= hits if len(hits) == 1 else set()
            with lock:
                results.append({"status": code, "versions": sorted(versions), "t": time.monotonic(),
                                "detail": "" if code == 200 else str(reply.get("detail"))[:160]})  # fmt: skip

    threads = [threading.Thread(target=shopper, args=(i,), daemon=True) for i in range(shoppers)]
    began = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(20)
    ingest_began = time.monotonic()
    done = ingest(chroma_env, v2)
    ingest_s = round(time.monotonic() - ingest_began, 1)
    time.sleep(25)
    stop.set()
    for t in threads:
        t.join(300)
    errors = [r for r in results if r["status"] != 200]
    mixed = [r for r in results if len(r["versions"]) > 1]
    last = [r for r in results if r["t"] > ingest_began + ingest_s + 10 and r["versions"]]
    return {
        "survived": done.returncode == 0 and not errors and not mixed,
        "shoppers": shoppers,
        "turns": len(results),
        "errors": len(errors),
        "error_samples": sorted({r["detail"] for r in errors})[:3],
        "mixed_replies": len(mixed),
        "ingest_s": ingest_s,
        "ingest_exit": done.returncode,
        "replies_after_ingest_on_v2": f"{sum(r['versions'] == ['v2'] for r in last)} of {len(last)}",
        "seconds": round(time.monotonic() - began, 1),
    }


def disk_full_while_ingesting(work: Path, v1: Path, v2: Path) -> dict:
    if os.geteuid() != 0:
        return {"survived": None, "skipped": "needs root to mount a tmpfs"}
    from stylist.retrieval import Retriever
    from stylist.settings import Settings

    mount = work / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", str(mount)], check=True)
    try:
        env = {"STYLIST_DATA_DIR": str(mount / "data")}
        first = ingest(env, v1)
        assert first.returncode == 0, first.stderr[-800:]
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        filler = mount / "filler"
        with filler.open("wb") as fh:  # leave about 1 MB
            fh.write(b"\0" * max(0, free - 1024 * 1024))
        full = ingest(env, v2)
        lines = [ln for ln in (full.stderr + full.stdout).splitlines() if ln.strip() and "it/s]" not in ln
                 and "item/s]" not in ln and not ln.startswith(("embedding", "Loading"))]  # fmt: skip
        message = lines[-1:] or [""]
        settings = Settings(data_dir=mount / "data")
        retriever = Retriever(settings)
        hits = retriever.search("a navy shirt for men", k=5)
        items = getattr(hits, "items", hits)
        v1_prices = {str(r["id"]): float(r["price"]) for r in map(json.loads, v1.read_text().splitlines())}
        intact = bool(items) and all(v1_prices.get(str(i.id)) == float(i.price) for i in items)
        del retriever
        filler.unlink()
        again = ingest(env, v2)
        return {
            "survived": full.returncode != 0 and intact and again.returncode == 0,
            "ingest_on_a_full_disk_exit": full.returncode,
            "its_last_line": message[0][:200],
            "previous_store_answers_with_its_own_items": intact,
            "ingest_with_space_again_exit": again.returncode,
        }
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


# -- main ------------------------------------------------------------------------------------------

SCENARIOS = ("vllm", "app", "postgres", "chroma", "reingest", "disk")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}")
    parser.add_argument("--step", type=int, default=30, help="catalog rows: every STEP-th sample row")
    parser.add_argument("--shoppers", type=int, default=16)
    args = parser.parse_args()
    only = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="stylist-faults-"))
    v1, v2 = write_catalogs(work, args.step)
    data_dir = work / "data"
    models = str(ROOT / ".data" / "models")
    base = {"STYLIST_DATA_DIR": str(data_dir), "STYLIST_MODEL_CACHE_DIR": models}
    results: dict[str, dict] = {}
    started = time.time()
    app = chroma = app_c = None

    def record(name: str, fn, *a) -> None:
        log(f"scenario {name} ...")
        try:
            results[name] = fn(*a)
        except Exception as exc:  # noqa: BLE001 - a scenario that breaks is reported, the others run
            results[name] = {"survived": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
        log(f"{name}: {json.dumps(results[name])}")

    try:
        if only == {"disk"}:
            record("disk_full_while_ingesting", disk_full_while_ingesting, work, v1, v2)
            only = set()
            raise StopIteration
        log(f"ingesting {sum(1 for _ in v1.open())} items into {data_dir}")
        done = ingest(base, v1)
        assert done.returncode == 0, done.stderr[-1000:]
        app = App({**base, "STYLIST_CHECKPOINT_DB": str(data_dir / "threads.sqlite")}, work / "app.log")
        log(f"app with its own vLLM started in {app.start()} s")
        if "vllm" in only:
            record("vllm_killed_mid_stream", vllm_killed_mid_stream, app, data_dir)
        if "app" in only:
            record("app_killed_mid_conversation", app_killed_mid_conversation, app, data_dir)
        _, vllm_port = vllm_pid(data_dir)
        llm_url = f"http://127.0.0.1:{vllm_port}/v1"
        from stylist.net import free_port

        chroma = {"path": work / "chroma", "port": free_port()}
        chroma["proc"] = start_chroma(chroma["path"], chroma["port"])
        chroma_env = {
            "STYLIST_DATA_DIR": str(work / "data-c"),
            "STYLIST_CHROMA_URL": f"http://127.0.0.1:{chroma['port']}",
        }

        def make_app(env: dict[str, str], log_name: str) -> App:
            return App({**chroma_env, "STYLIST_LLM_URL": llm_url, "STYLIST_MODEL_CACHE_DIR": models, **env},
                       work / log_name)  # fmt: skip

        if only & {"postgres", "chroma", "reingest"}:
            done = ingest(chroma_env, v1)
            assert done.returncode == 0, done.stderr[-1000:]
        if "postgres" in only:
            record("postgres_down_and_back", postgres_down_and_back, make_app, work)
        if only & {"chroma", "reingest"}:
            app_c = make_app({"STYLIST_CHECKPOINT_DB": str(work / "threads-c.sqlite")}, "app-c.log")
            app_c.start()
            if "chroma" in only:
                record("chroma_down_and_back", chroma_down_and_back, app_c, chroma)
            if "reingest" in only:
                record(
                    "reingest_while_chatting",
                    reingest_while_chatting,
                    app_c,
                    chroma_env,
                    v1,
                    v2,
                    args.shoppers,
                )
        if "disk" in only:
            record("disk_full_while_ingesting", disk_full_while_ingesting, work, v1, v2)
    except StopIteration:
        pass
    finally:
        for proc in (app_c, app):
            if proc is not None:
                proc.stop()
        if chroma is not None:
            chroma["proc"].terminate()
    load = os.getloadavg()
    out = {
        "command": "python benchmarks/faults.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.node()} {os.cpu_count()} cores, load {load[0]:.1f}",
        "date": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "catalog_items": sum(1 for _ in v1.open()),
        "minutes": round((time.time() - started) / 60, 1),
        "scenarios": results,
        "survived": f"{sum(1 for r in results.values() if r.get('survived'))} of {len(results)}",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if set(results) != set(previous.get("scenarios", {})) and previous.get("scenarios"):
        out["scenarios"] = {**previous["scenarios"], **results}
        out["survived"] = (
            f"{sum(1 for r in out['scenarios'].values() if r.get('survived'))} of {len(out['scenarios'])}"
        )
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    log(f"survived {out['survived']}; written to {RESULTS}")


if __name__ == "__main__":
    main()
