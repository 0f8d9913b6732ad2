"""Load test of the web service on loopback: concurrent clients checking articles, bounded in time and count.

    python bench/load_test.py [--db bench/out/store-5000.db] [--clients 16] [--seconds 30] [--max-requests 5000]
    python bench/load_test.py --worst [--clients 16] [--seconds 30]     # the bounded-service test (docs/store.md)

Starts `sourcetrace serve` on 127.0.0.1 (a free port), waits until it answers, then runs `--clients` threads, each
posting held-out articles to /api/check one after another until `--seconds` have passed or `--max-requests` were
sent. Prints requests, errors, latency p50/p95/max and the resident memory of the server with its check workers
(sampled every 0.5 s; the sum of their resident sizes, an upper bound: pages they share count in each) after
warm-up, at its peak and at the end, the server's alone, and the peak of their proportional share (pages shared by
n processes count 1/n in each: the memory they take together). The store and the held-out articles come from
bench/check_latency.py.
With ``--worst`` every client sends the worst input the service accepts (the most sentences, each a real sentence,
within the size limit) to a store of the bundled seeds, and a poller measures how fast /api/health answers meanwhile
(a new connection each time, from a client made once: making an httpx client costs tens of ms, not the server's).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST = "127.0.0.1"  # never anything but loopback


def rss_mb(pid: int, field: str = "VmRSS:", file: str = "status") -> float:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:  # it has just ended
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """The process's share of the memory it maps: pages shared by n processes count 1/n in each."""
    return rss_mb(pid, "Pss:", "smaps_rollup")


def running(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants: the server, and the processes that run its checks."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], []))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def held_out(collection: Path, skip: int, count: int) -> list[dict]:
    records = []
    with collection.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if n >= skip:
                record = json.loads(line)
                records.append({"id": "load-" + record["id"], "text": record["text"]})
            if len(records) >= count:
                break
    return records


def worst_case(folder: Path) -> tuple[Path, list[dict]]:
    """A store of the bundled seeds, and checks at the service's limits: as many sentences as it accepts (the
    seeds' own sentences, so that they are aligned, not skipped), within its size limit."""
    from sourcetrace.settings import Settings

    db = folder / "seeds.db"
    subprocess.run([sys.executable, "-m", "sourcetrace.cli", "index", "add", str(ROOT / "examples" / "seeds"),
                    "--db", str(db)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    service = Settings.load().service
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "seeds").glob("*.txt")))
    sentences = [s.strip() + "." for s in words.replace("\n", " ").split(".") if len(s.split()) >= 4]
    text, k = [], 0
    while len(text) < service.check_max_sentences - 1:
        sentence = sentences[k % len(sentences)]
        if sum(map(len, text)) + len(text) + len(sentence) + 1 > service.check_max_chars:
            break
        text.append(sentence)
        k += 1
    return db, [{"id": f"worst-{n}", "text": " ".join(text)} for n in range(32)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=OUT / "store-5000.db")
    parser.add_argument("--collection", type=Path, default=OUT / "store-collection-11000.jsonl")
    parser.add_argument("--skip", type=int, default=10_000, help="articles of the collection that may be in the store")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=8, help="checks sent before measuring")
    parser.add_argument("--worst", action="store_true", help="the largest allowed checks against a store of the seeds")
    args = parser.parse_args()
    if args.worst:
        args.db, articles = worst_case(Path(tempfile.mkdtemp()))
    elif not args.db.exists():
        raise SystemExit(f"{args.db} is missing: build it with bench/check_latency.py --build-only")
    else:
        articles = held_out(args.collection, args.skip, 500)

    port = free_port()
    env = {**os.environ, "SOURCETRACE_TOKEN": ""}
    # the server's messages go to a file: a pipe nobody reads fills up and stalls the server
    log = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the server)
    server = subprocess.Popen(
        [sys.executable, "-m", "sourcetrace.cli", "serve", "--db", str(args.db), "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(f"the server did not start: {log.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=120) as warm:
            for record in articles[: args.warmup]:
                warm.post("/api/check", json=record).raise_for_status()

        memory: list[tuple[float, float]] = []
        shares: list[float] = []
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        failures: list[str] = []
        lock = threading.Lock()
        sent = 0
        stop = threading.Event()
        start = time.monotonic()

        health: list[float] = []
        processes = 1
        server_peak = 0.0

        def sample() -> None:
            nonlocal processes, server_peak
            with httpx.Client(base_url=base, timeout=10, headers={"connection": "close"}) as poller:
                while not stop.is_set():
                    pids = tree(server.pid)
                    processes = max(processes, len(pids))
                    server_peak = max(server_peak, rss_mb(server.pid))
                    memory.append((time.monotonic() - start, sum(map(rss_mb, pids))))
                    shares.append(sum(map(pss_mb, pids)))
                    began = time.perf_counter()
                    try:
                        if poller.get("/api/health").status_code == 200:
                            health.append(time.perf_counter() - began)
                    except httpx.HTTPError:
                        failures.append("health")
                    stop.wait(0.5)

        def client(number: int) -> None:
            nonlocal sent
            with httpx.Client(base_url=base, timeout=120) as http:
                k = number
                while not stop.is_set():
                    with lock:
                        if sent >= args.max_requests or time.monotonic() - start >= args.seconds:
                            return
                        sent += 1
                    record = articles[k % len(articles)]
                    k += args.clients
                    began = time.perf_counter()
                    try:
                        response = http.post("/api/check", json=record)
                        status = response.status_code
                    except httpx.HTTPError as exc:
                        status = 0
                        failures.append(type(exc).__name__)
                    took = time.perf_counter() - began
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
                        if status == 200:
                            latencies.append(took)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        stop.set()
        sampler.join()
        try:
            alive = httpx.get(base + "/api/health", timeout=10).status_code == 200
        except httpx.HTTPError:
            alive = False
    finally:
        pids = tree(server.pid)
        server.terminate()
        server.wait(30)
    time.sleep(2)  # the check workers end with the server
    left = [p for p in pids[1:] if running(p)]
    if not alive:
        log.seek(0)
        print(
            f"the server stopped answering; its last messages:\n{log.read().decode(errors='replace')[-3000:]}",
            file=sys.stderr,
        )

    after_warmup = [m for t, m in memory if t >= min(5.0, elapsed / 3)] or [m for _, m in memory]
    result = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "store": args.db.name,
        "requests": sum(statuses.values()),
        "ok": statuses.get(200, 0),
        "errors": sum(n for s, n in statuses.items() if s != 200),
        "failures": sorted(set(failures)),
        "checks_per_s": round(statuses.get(200, 0) / elapsed, 2),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(1000 * max(latencies), 1) if latencies else None,
        "rss_mb": {
            "after_warmup": round(after_warmup[0], 1),
            "peak": round(max(m for _, m in memory), 1),
            "end": round(memory[-1][1], 1),
            "processes": processes,
            "server_alone_peak": round(server_peak, 1),
            "pss_peak": round(max(shares), 1),
        },
        "served_after": alive,
        "left_running": len(left),
        "health_ms": {
            "p50": round(1000 * statistics.median(health), 1) if health else None,
            "p95": round(1000 * percentile(health, 0.95), 1) if health else None,
            "max": round(1000 * max(health), 1) if health else None,
            "probes": len(health),
        },
        "statuses": statuses,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
