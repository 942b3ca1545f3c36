"""Scale run: filtered query latency and memory of an embedded Chroma store with synthetic vectors.

Inserts ``--scale`` synthetic, unit-length 384-d vectors (the MiniLM dimension) with
catalog-like metadata (gender, article type, colour, price, a size flag) into an
embedded on-disk Chroma collection, in steps. At each checkpoint it measures p50/p95
of filtered top-60 queries (the retriever's dense candidate count, with the same kind
of ``where`` clause the retriever sends) and the process RSS, and rewrites the results
file, so a run stopped early still reports the largest size it reached.

    python benchmarks/scale.py --scale 1000000 [--path DIR] [--queries 200]
    python benchmarks/scale.py --engine exact --scale 1000000
    python benchmarks/scale.py --engine ivf --scale 1000000
    python benchmarks/scale.py --engine server --scale 20000 --queries 100

``--engine exact`` measures the retriever's in-memory path instead (vectors and filter
columns held in numpy, the filter applied as a mask, exact cosine over the allowed rows),
which it uses for catalogs up to ``exact_search_max_items``. ``--engine ivf`` measures the
path above that size (``stylist.vector_index.IVFIndex``) against exact search on the same
queries: latency, CPU time, recall@n and filter violations. ``--engine server`` times
fetching a build from a ``chroma run`` server and Chroma's filtered query through it.

Results: benchmarks/results/scale.json (chroma) and scale_<engine>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
DIM = 384
GENDERS = ["Men", "Women", "Unisex", "Boys", "Girls"]
GENDER_P = [0.48, 0.40, 0.04, 0.05, 0.03]
N_ARTICLES = 140
N_COLOURS = 46


def rss_mb() -> float:
    """Current resident set size of this process (MiB)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def synthetic(rng: np.random.Generator, start: int, n: int) -> tuple[list[str], np.ndarray, list[dict]]:
    """``n`` items: clustered unit vectors (real embeddings are not uniform) and metadata."""
    # Zipf-like article popularity, as in a real catalog (a few types dominate).
    article_p = 1.0 / np.arange(1, N_ARTICLES + 1) ** 1.1
    article_p /= article_p.sum()
    articles = rng.choice(N_ARTICLES, size=n, p=article_p)
    colours = rng.choice(N_COLOURS, size=n, p=_colour_p())
    genders = rng.choice(len(GENDERS), size=n, p=GENDER_P)
    centres = _centres()
    vectors = centres[articles] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32) / np.sqrt(DIM)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    prices = np.round(rng.uniform(199, 9999, size=n) / 100) * 100 - 1
    metas = []
    for j in range(n):
        meta = {
            "gender": GENDERS[genders[j]],
            "article_type": f"type{articles[j]:03d}",
            "colour": f"colour{colours[j]:02d}",
            "price": float(prices[j]),
        }
        if rng.random() < 0.8:  # about one size in five sold out
            meta["size_M"] = True
        metas.append(meta)
    ids = [f"p{start + j}" for j in range(n)]
    return ids, vectors.astype(np.float32), metas


def _colour_p() -> np.ndarray:
    p = 1.0 / np.arange(1, N_COLOURS + 1)
    return p / p.sum()


_CENTRES: np.ndarray | None = None


def _centres() -> np.ndarray:
    global _CENTRES
    if _CENTRES is None:
        c = np.random.default_rng(7).standard_normal((N_ARTICLES, DIM)).astype(np.float32)
        _CENTRES = c / np.linalg.norm(c, axis=1, keepdims=True)
    return _CENTRES


def query_set(rng: np.random.Generator, n: int, broad_every: int = 0) -> list[tuple[np.ndarray, dict]]:
    """Queries with the filter shapes shoppers produce: gender + type (+ colour, budget, size).

    With ``broad_every``, every such query has no article-type clause ("something for my
    husband under 2000"): broad filters that allow a large share of the catalog.
    """
    article_p = 1.0 / np.arange(1, N_ARTICLES + 1) ** 1.1
    article_p /= article_p.sum()
    out = []
    for i in range(n):
        a = int(rng.choice(N_ARTICLES, p=article_p))
        v = _centres()[a] + 0.6 * rng.standard_normal(DIM).astype(np.float32) / np.sqrt(DIM)
        v /= np.linalg.norm(v)
        clauses: list[dict] = [
            {"gender": {"$in": [GENDERS[int(rng.choice(2))]]}},
            {"article_type": {"$in": [f"type{a:03d}"]}},
        ]
        if broad_every and i % broad_every == broad_every - 1:
            clauses.pop()
        if i % 2 == 0:
            clauses.append({"colour": {"$in": [f"colour{int(rng.choice(N_COLOURS, p=_colour_p())):02d}"]}})
        if i % 3 == 0:
            clauses.append({"price": {"$lte": float(rng.choice([999, 1999, 4999]))}})
        if i % 4 == 0:
            clauses.append({"size_M": {"$eq": True}})
        out.append((v, {"$and": clauses}))
    return out


def measure(collection, queries: list[tuple[np.ndarray, dict]], n_results: int) -> dict:
    # Warm-up: the first queries load the index segments from disk.
    for v, where in queries[:10]:
        collection.query(query_embeddings=[v.tolist()], n_results=n_results, where=where)
    times = []
    hits = []
    for v, where in queries:
        t = time.perf_counter()
        res = collection.query(query_embeddings=[v.tolist()], n_results=n_results, where=where, include=[])
        times.append((time.perf_counter() - t) * 1000)
        hits.append(len(res["ids"][0]))
    ms = np.array(times)
    return {
        "query_p50_ms": round(float(np.percentile(ms, 50)), 2),
        "query_p95_ms": round(float(np.percentile(ms, 95)), 2),
        "query_mean_ms": round(float(ms.mean()), 2),
        "mean_results": round(float(np.mean(hits)), 1),
        "queries": len(queries),
    }


def where_mask(where: dict, cols: dict[str, np.ndarray]) -> np.ndarray:
    """The boolean mask of a ``{"$and": [...]}`` clause over numpy columns."""
    ok = np.ones(len(cols["price"]), dtype=bool)
    for clause in where["$and"]:
        ((name, cond),) = clause.items()
        ((op, value),) = cond.items()
        if op == "$in":
            codes = [int(v[len("type"):]) if name == "article_type" else
                     int(v[len("colour"):]) if name == "colour" else GENDERS.index(v) for v in value]  # fmt: skip
            # As the retriever's mask: one comparison for one value (np.isin is far slower).
            ok &= cols[name] == codes[0] if len(codes) == 1 else np.isin(cols[name], codes)
        elif op == "$lte":
            ok &= cols[name] <= value
        elif op == "$eq":
            ok &= cols[name] == value
    return ok


def columns_and_vectors(n: int, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``n`` synthetic items as filter columns and unit vectors (the same data as ``synthetic``)."""
    article_p = 1.0 / np.arange(1, N_ARTICLES + 1) ** 1.1
    article_p /= article_p.sum()
    cols = {
        "article_type": rng.choice(N_ARTICLES, size=n, p=article_p).astype(np.int32),
        "colour": rng.choice(N_COLOURS, size=n, p=_colour_p()).astype(np.int32),
        "gender": rng.choice(len(GENDERS), size=n, p=GENDER_P).astype(np.int32),
        "price": (np.round(rng.uniform(199, 9999, size=n) / 100) * 100 - 1),
        "size_M": rng.random(n) < 0.8,
    }
    vectors = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        v = _centres()[cols["article_type"][start:stop]]
        v = v + 0.6 * rng.standard_normal((stop - start, DIM)).astype(np.float32) / np.sqrt(DIM)
        vectors[start:stop] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return cols, vectors


def percentiles(ms: list[float]) -> dict:
    a = np.array(ms)
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2),
        "mean_ms": round(float(a.mean()), 2),
        "queries": len(ms),
    }


def machine() -> dict:
    return {
        "rss_mb": round(rss_mb(), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu_cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def write(report: dict, out: Path) -> None:
    print(json.dumps(report, indent=2))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")


def run_exact(args: argparse.Namespace) -> None:
    """Filtered exact search in memory, as the retriever does below exact_search_max_items."""
    started = time.perf_counter()
    cols, vectors = columns_and_vectors(args.scale, np.random.default_rng(0))
    build_s = time.perf_counter() - started
    from stylist.vector_index import ExactIndex

    index = ExactIndex(vectors, threads=args.blas_threads or None)
    queries = query_set(np.random.default_rng(1), args.queries)
    times, hits = [], []
    for i, (v, where) in enumerate(queries):
        t = time.perf_counter()
        found = index.nearest(v, where_mask(where, cols), args.n_results)
        if i >= 5:  # the first few warm the caches
            times.append((time.perf_counter() - t) * 1000)
            hits.append(len(found))
    ms = np.array(times)
    report = {
        "benchmark": "scale",
        "engine": "exact in-memory (numpy mask + cosine), the retriever's path below exact_search_max_items",
        "blas_threads": args.blas_threads or "OpenBLAS default",
        "items": args.scale,
        "dimension": DIM,
        "n_results": args.n_results,
        "query_p50_ms": round(float(np.percentile(ms, 50)), 2),
        "query_p95_ms": round(float(np.percentile(ms, 95)), 2),
        "mean_results": round(float(np.mean(hits)), 1),
        "queries": len(times),
        "build_s": round(build_s, 1),
        "vectors_mb": round(vectors.nbytes / 2**20, 1),
        **machine(),
    }
    write(report, args.out)


def run_ivf(args: argparse.Namespace) -> None:
    """The retriever's large-catalog path (IVFIndex) against exact search on the same queries.

    Each query's filter mask is computed and both engines answer it, interleaved, so load
    from other work hits both alike; recall@n is the share of the exact top-n the IVF
    path returns. Queries whose filter allows at most ``exact_max_matches`` rows take the
    IVF index's exact fallback; both groups are reported.
    """
    from stylist.vector_index import ExactIndex, IVFIndex

    started = time.perf_counter()
    cols, vectors = columns_and_vectors(args.scale, np.random.default_rng(0))
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    index, order = IVFIndex.build(
        vectors,
        args.lists or None,
        groups=cols["gender"] * N_ARTICLES + cols["article_type"],  # as the retriever groups rows
        exact_max_matches=args.exact_max_matches,
        probe_lists=args.probe_lists,
        candidates_per_result=args.candidates_per_result,
        threads=args.blas_threads or None,
    )
    build_s = time.perf_counter() - started
    del vectors  # the index holds them, in list order; so do the filter columns from here on
    cols = {name: col[order] for name, col in cols.items()}
    exact = ExactIndex(index.vectors, threads=args.blas_threads or None)
    queries = query_set(np.random.default_rng(1), args.queries, broad_every=args.broad_every)
    n = args.n_results
    timings: dict[str, list[float]] = {"exact": [], "ivf": [], "ivf_probed": [], "ivf_fallback": []}
    cpu: dict[str, list[float]] = {"exact": [], "ivf": []}
    recalls: dict[str, list[float]] = {"all": [], "probed": [], "fallback": [], "broad": []}
    matches, violations = [], 0
    for i, (v, where) in enumerate(queries):
        t, c = time.perf_counter(), time.process_time()
        truth = exact.nearest(v, where_mask(where, cols), n)
        exact_ms, exact_cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
        t, c = time.perf_counter(), time.process_time()
        mask = where_mask(where, cols)
        found = index.nearest(v, mask, n)
        ivf_ms, ivf_cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
        violations += int((~mask[found]).sum())
        if i < 5:  # the first few warm the caches
            continue
        allowed = int(mask.sum())
        path = "fallback" if allowed <= max(index.exact_max_matches, n) else "probed"
        matches.append(allowed)
        cpu["exact"].append(exact_cpu)
        cpu["ivf"].append(ivf_cpu)
        timings["exact"].append(exact_ms)
        timings["ivf"].append(ivf_ms)
        timings[f"ivf_{path}"].append(ivf_ms)
        if len(truth):
            recall = len(np.intersect1d(truth, found)) / len(truth)
            recalls["all"].append(recall)
            recalls[path].append(recall)
            if not any("article_type" in clause for clause in where["$and"]):
                recalls["broad"].append(recall)
    sizes = np.diff(index.offsets)
    report = {
        "benchmark": "scale",
        "engine": "ivf: stylist.vector_index.IVFIndex (the retriever's path above exact_search_max_items)",
        "items": args.scale,
        "dimension": DIM,
        "n_results": n,
        "lists": len(sizes),
        "list_size_p50_max": [int(np.median(sizes)), int(sizes.max())],
        "exact_max_matches": index.exact_max_matches,
        "probe_lists": index.probe_lists,
        "candidates_per_result": index.candidates_per_result,
        "blas_threads": args.blas_threads or "OpenBLAS default",
        "query_ms": {name: percentiles(ms) for name, ms in timings.items() if ms},
        # CPU time of the querying thread: the work itself, without the waits for a core
        # that other jobs on the shared machine add to the wall-clock figures above.
        "query_cpu_ms": {name: percentiles(ms) for name, ms in cpu.items()},
        "recall_at_n": {
            name: {"mean": round(float(np.mean(r)), 4), "min": round(float(np.min(r)), 4), "queries": len(r)}
            for name, r in recalls.items()
            if r
        },
        "filter_violations": violations,
        "allowed_rows_p50_p95_max": [
            int(np.percentile(matches, 50)),
            int(np.percentile(matches, 95)),
            max(matches),
        ],
        "broad_queries": f"every {args.broad_every}th query has no article-type clause"
        if args.broad_every
        else "none",
        "generate_s": round(generate_s, 1),
        "build_s": round(build_s, 1),
        "vectors_mb": round(index.vectors.nbytes / 2**20, 1),
        **machine(),
    }
    write(report, args.out)


def run_server(args: argparse.Namespace) -> None:
    """A `chroma run` server: what an app process pays to load a build from it, and its queries.

    Starts a server on a free loopback port, inserts ``--scale`` synthetic items through
    HttpClient, then times the paged fetch of ids, metadata, documents and vectors the
    retriever makes when a build goes live (then the IVF index is built in the app process
    and queries never reach the server), and Chroma's filtered query through the server
    (the ``large_catalog_search=chroma`` path).
    """
    import socket
    import subprocess
    import sys
    import urllib.request

    import chromadb

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = Path(tempfile.mkdtemp(prefix="stylist-scale-server-"))
    exe = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the chroma server did not start") from None
                time.sleep(0.3)
        client = chromadb.HttpClient(host="127.0.0.1", port=port)
        collection = client.create_collection(
            "scale", metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
        rng = np.random.default_rng(0)
        t = time.perf_counter()
        for start in range(0, args.scale, args.batch):
            ids, vectors, metas = synthetic(rng, start, min(args.batch, args.scale - start))
            docs = [f"{m['gender']} {m['article_type']} {m['colour']}" for m in metas]
            collection.add(ids=ids, embeddings=vectors, metadatas=metas, documents=docs)
        insert_s = time.perf_counter() - t
        t = time.perf_counter()
        fetched, offset = 0, 0
        while True:  # as stylist.retrieval._Snapshot pages through a build
            page = collection.get(include=["metadatas", "documents", "embeddings"], limit=5000, offset=offset)
            fetched += len(page["ids"])
            if len(page["ids"]) < 5000:
                break
            offset += len(page["ids"])
        fetch_s = time.perf_counter() - t
        figures = measure(collection, query_set(np.random.default_rng(1), args.queries), args.n_results)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(path, ignore_errors=True)
    report = {
        "benchmark": "scale",
        "engine": "chroma server (`chroma run`, HttpClient on loopback)",
        "items": args.scale,
        "insert_items_per_s": round(args.scale / insert_s, 1),
        "snapshot_fetch_s": round(fetch_s, 2),
        "snapshot_fetch_items_per_s": round(fetched / fetch_s, 1),
        "filtered_query": figures,
        "client_rss_mb": round(rss_mb(), 1),
        "cpu_cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    write(report, args.out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1_000_000, help="total items to insert")
    parser.add_argument("--checkpoints", type=str, default="100000,250000,500000,1000000")
    parser.add_argument("--path", type=Path, default=None, help="store folder (default: a temp dir)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--n-results", type=int, default=60)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the store folder")
    parser.add_argument("--engine", choices=["chroma", "exact", "ivf", "server"], default="chroma")
    parser.add_argument("--lists", type=int, default=0, help="ivf: lists (0: about sqrt(items))")
    parser.add_argument("--exact-max-matches", type=int, default=20_000, help="ivf: exact fallback bound")
    parser.add_argument("--probe-lists", type=int, default=128, help="ivf: fewest lists probed")
    parser.add_argument(
        "--candidates-per-result", type=int, default=10, help="ivf: allowed rows probed per result"
    )
    parser.add_argument("--broad-every", type=int, default=5, help="ivf: every Nth query has no article type")
    parser.add_argument("--blas-threads", type=int, default=1, help="exact/ivf: BLAS threads (0: default)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("scale.json" if args.engine == "chroma" else f"scale_{args.engine}.json")
    if args.engine != "chroma":
        {"exact": run_exact, "ivf": run_ivf, "server": run_server}[args.engine](args)
        return

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path = args.path or Path(tempfile.mkdtemp(prefix="stylist-scale-"))
    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection(
        "scale", metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    checkpoints = sorted(
        {c for c in (int(x) for x in args.checkpoints.split(",")) if c <= args.scale} | {args.scale}
    )
    rng = np.random.default_rng(0)
    queries = query_set(np.random.default_rng(1), args.queries)
    report: dict = {
        "benchmark": "scale",
        "target_items": args.scale,
        "dimension": DIM,
        "n_results": args.n_results,
        "store": "chromadb PersistentClient (embedded), hnsw cosine",
        "chromadb": chromadb.__version__,
        "cpu_cores": os.cpu_count(),
        "checkpoints": [],
        "complete": False,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    inserted = collection.count()
    report["resumed_at"] = inserted
    insert_seconds = 0.0
    started = time.perf_counter()
    for checkpoint in checkpoints:
        while inserted < checkpoint:
            n = min(args.batch, checkpoint - inserted)
            ids, vectors, metas = synthetic(rng, inserted, n)
            t = time.perf_counter()
            collection.add(ids=ids, embeddings=vectors, metadatas=metas)
            insert_seconds += time.perf_counter() - t
            inserted += n
            if inserted % 50_000 == 0:
                print(
                    f"{inserted} items, {inserted / insert_seconds:.0f} items/s, RSS {rss_mb():.0f} MiB",
                    flush=True,
                )
        figures = measure(collection, queries, args.n_results)
        figures.update(
            items=inserted,
            # None when this run inserted nothing (it measured a store an earlier run filled).
            insert_items_per_s=round(inserted / insert_seconds, 1) if insert_seconds else None,
            elapsed_s=round(time.perf_counter() - started, 1),
            rss_mb=round(rss_mb(), 1),
            peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            disk_mb=round(dir_mb(path), 1),
        )
        report["checkpoints"].append(figures)
        report["largest"] = figures
        report["complete"] = inserted >= args.scale
        print(json.dumps(figures), flush=True)
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(report, indent=2) + "\n")
        tmp.replace(args.out)
    if not args.keep and args.path is None:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
