"""The Locust query feed: Zipf frequencies, a reproducible sequence per user, and a real run of the search locustfile."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from synth.errors import UsageError
from synth.feeds.locust import QueryFeed, query_feed
from synth.workload.workload import Workload, queries

ROOT = Path(__file__).resolve().parents[2]
SEARCHFILE = ROOT / "examples" / "searchlocustfile.py"


@pytest.fixture(scope="module")
def workload() -> Workload:
    return queries(count=200, seed=1, size=40)


def test_users_draw_queries_with_the_workload_weights(workload: Workload) -> None:
    feed = QueryFeed(list(workload), seed=3)
    seen = Counter(next(feed).rank for _ in range(20_000))
    expected = {q.rank: q.weight * 20_000 for q in workload}
    for rank in (1, 2, 3, 10):
        assert abs(seen[rank] - expected[rank]) < 5 * expected[rank] ** 0.5


def test_each_user_has_its_own_reproducible_sequence(workload: Workload, tmp_path: Path) -> None:
    def first(**kw: int) -> list[str]:
        feed = QueryFeed(list(workload), **kw)
        return [next(feed).id for _ in range(50)]

    assert first(seed=1, worker_index=0, user_number=1) == first(seed=1, worker_index=0, user_number=1)
    assert first(seed=1, worker_index=0, user_number=1) != first(seed=1, worker_index=0, user_number=2)
    assert first(seed=1, worker_index=0, user_number=1) != first(seed=1, worker_index=1, user_number=1)
    workload.write(str(tmp_path / "w.jsonl"))
    env = SimpleNamespace(runner=SimpleNamespace(worker_index=2))
    assert next(query_feed(env, str(tmp_path / "w.jsonl"))).id in {q.id for q in workload}


def test_feed_errors(workload: Workload) -> None:
    with pytest.raises(UsageError, match="holds no queries"):
        QueryFeed([])
    with pytest.raises(UsageError, match="user numbers start at 1"):
        QueryFeed(list(workload), user_number=0)


class _Search(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counts: dict[str, int]
    asked: Counter[str]
    lock: threading.Lock

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        key = json.dumps(body, sort_keys=True)
        with self.lock:
            self.asked[key] += 1
        reply = json.dumps({"hits": {"total": {"value": self.counts[key], "relation": "eq"}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def search_server(workload: Workload) -> Iterator[tuple[str, dict[str, int], Counter[str]]]:
    counts = {json.dumps(q.es_query(), sort_keys=True): q.answer.count for q in workload}
    wrong = json.dumps(min(workload, key=lambda q: q.rank).es_query(), sort_keys=True)
    counts[wrong] += 1  # the index answers the most frequent query wrongly
    asked: Counter[str] = Counter()
    handler = type("Handler", (_Search,), {"counts": counts, "asked": asked, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counts, asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.slow
def test_the_search_locustfile_checks_hit_counts(
    workload: Workload, search_server: tuple[str, dict[str, int], Counter[str]], tmp_path: Path
) -> None:
    locust = Path(sys.executable).parent / "locust"
    if importlib.util.find_spec("locust") is None or not locust.exists():
        pytest.skip("locust is not installed (pip install -e '.[locust]')")
    host, _, asked = search_server
    workload.write(str(tmp_path / "w.jsonl"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    command = [str(locust), "-f", str(SEARCHFILE), "--headless", "-u", "3", "-r", "3", "-t", "5s", f"--host={host}",
               f"--synth-workload={tmp_path / 'w.jsonl'}", "--csv", str(tmp_path / "run"), "--loglevel", "WARNING"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=60, check=False)
    failures = (tmp_path / "run_failures.csv").read_text()
    top = min(workload, key=lambda q: q.rank)
    assert done.returncode == 1, done.stderr[-2000:]  # locust exits 1 when a request failed
    assert f"{top.id}: {top.answer.count + 1} hits, expected {top.answer.count}" in failures
    assert len(failures.strip().splitlines()) == 2  # the header and that one failure
    assert sum(asked.values()) > 20
