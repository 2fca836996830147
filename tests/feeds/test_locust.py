"""Locust feeds: slice arithmetic, the feed, and a real distributed Locust run on loopback."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

from synth.errors import UsageError
from synth.feeds.locust import PostFeed, next_user_number, slice_for, user_feed, worker_index
from synth.generation.assemble import MAX_INDEX, batch_json

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "examples" / "locustfile.py"


# ---- slices ----


def test_slices_tile_the_corpus_without_overlap() -> None:
    workers, users, size = 4, 5, 7
    slices = [
        slice_for(w, u, users_per_worker_max=users, slice_size=size, start=100)
        for w in range(workers)
        for u in range(1, users + 1)
    ]
    indices = [i for s in slices for i in s]
    assert len(indices) == len(set(indices)) == workers * users * size
    assert sorted(indices) == list(range(100, 100 + workers * users * size))
    assert slice_for(0, 1, users_per_worker_max=users, slice_size=size) == range(7)
    assert slice_for(1, 1, users_per_worker_max=users, slice_size=size) == range(35, 42)


@pytest.mark.parametrize(
    ("worker", "user", "options", "message"),
    [
        (0, 0, {}, "outside 1..1000"),
        (0, 4, {"users_per_worker_max": 3}, "outside 1..3"),
        (-1, 1, {}, "negative"),
        (0, 1, {"slice_size": 0}, "must be positive"),
        (10**6, 1, {}, "passes post index"),
    ],
)
def test_slice_errors(worker: int, user: int, options: dict[str, int], message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        slice_for(worker, user, **options)
    assert "To resolve this error" in str(caught.value)


def test_the_last_slice_fits_the_index_range() -> None:
    top = slice_for(999, 1000)  # defaults: 1000 users x 10**6 posts; worker 999 ends at 10**12 - 1
    assert top.stop - 1 == MAX_INDEX


# ---- the feed ----


def test_feed_yields_the_generator_s_posts_over_the_slice() -> None:
    feed = PostFeed(9, 2, 3, users_per_worker_max=4, slice_size=23, batch=5)
    assert feed.indices == range((2 * 4 + 2) * 23, (2 * 4 + 3) * 23)
    assert feed.remaining == 23
    first = next(feed)
    assert feed.remaining == 22
    items = [first, *feed]
    assert [i for i, _ in items] == list(feed.indices)
    assert [body for _, body in items] == batch_json(feed.indices.start, 23, seed=9)
    assert feed.remaining == 0
    with pytest.raises(StopIteration):
        next(feed)
    same = PostFeed(9, 2, 3, users_per_worker_max=4, slice_size=23, batch=50)
    assert list(same) == items  # batching does not change the posts


def test_feed_errors() -> None:
    with pytest.raises(UsageError, match="batch"):
        PostFeed(0, 0, 1, batch=0)
    with pytest.raises(UsageError, match="outside"):
        PostFeed(0, 0, 1001)


def test_worker_index_from_the_runner() -> None:
    assert worker_index(SimpleNamespace(runner=SimpleNamespace(worker_index=3))) == 3
    assert worker_index(SimpleNamespace(runner=None)) == 0
    assert worker_index(SimpleNamespace()) == 0
    with pytest.raises(UsageError, match="no worker index"):
        worker_index(SimpleNamespace(runner=SimpleNamespace(worker_index=-1)))  # a master older than 2.11


def test_user_numbers_count_up_and_user_feed_uses_them() -> None:
    first = next_user_number()
    assert next_user_number() == first + 1
    feed = user_feed(SimpleNamespace(runner=SimpleNamespace(worker_index=1)), users_per_worker_max=10**4, slice_size=3)
    assert feed.indices == slice_for(1, first + 2, users_per_worker_max=10**4, slice_size=3)


def test_import_does_not_need_locust() -> None:
    code = "import sys, synth.feeds.locust; assert 'locust' not in sys.modules, 'imported locust'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


# ---- a real distributed run ----


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: list[tuple[str, bytes]]
    lock: threading.Lock

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.lock:
            self.received.append((self.path, body))
        reply = b'{"ok":true}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Workers stopping mid-request drop connections; that is expected, not worth a traceback."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    received: list[tuple[str, bytes]] = []
    handler = type("Handler", (_Receiver,), {"received": received, "lock": threading.Lock()})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:  # only the processes this test started, by handle
            if process.poll() is None:
                process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


SEED, SLICE, USERS_MAX, WORKERS, USERS = 7, 1000, 8, 2, 6


@pytest.mark.slow
@pytest.mark.slow
def test_distributed_locust_run_sends_unique_posts_from_the_expected_slices(
    receiver: tuple[str, list[tuple[str, bytes]]], tmp_path: Path
) -> None:
    # never import locust here: it monkey-patches this process (gevent), and the receiver's threads with it
    locust = Path(sys.executable).parent / "locust"
    if importlib.util.find_spec("locust") is None or not locust.exists():
        pytest.skip("locust is not installed (pip install -e '.[locust]')")
    if not LOCUSTFILE.exists():  # an sdist without examples/
        pytest.skip(f"{LOCUSTFILE} is missing")
    host, received = receiver
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    common = ["-f", str(LOCUSTFILE), "--loglevel", "WARNING"]
    master_cmd = [
        str(locust),
        *common,
        "--master",
        "--headless",
        "--master-bind-host=127.0.0.1",
        f"--master-bind-port={port}",
        f"--expect-workers={WORKERS}",
        "--expect-workers-max-wait=30",
        f"-u{USERS}",
        f"-r{USERS}",
        "-t8s",
        f"--host={host}",
        f"--synth-seed={SEED}",
        f"--synth-slice-size={SLICE}",
        f"--synth-users-per-worker={USERS_MAX}",
        "--synth-wait=0.02",
    ]
    worker_cmd = [str(locust), *common, "--worker", "--master-host=127.0.0.1", f"--master-port={port}"]
    logs = {name: (tmp_path / f"{name}.log").open("wb") for name in ("master", "worker0", "worker1")}
    with _processes() as started:
        started.append(subprocess.Popen(master_cmd, cwd=ROOT, env=env, stdout=logs["master"], stderr=subprocess.STDOUT))
        for name in ("worker0", "worker1"):
            started.append(subprocess.Popen(worker_cmd, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT))
        master_code = started[0].wait(timeout=45)
        worker_codes = [process.wait(timeout=15) for process in started[1:]]
    for log in logs.values():
        log.close()
    output = "\n".join(f"--- {name}\n{(tmp_path / f'{name}.log').read_text(errors='replace')[-3000:]}" for name in logs)
    assert master_code == 0, output
    assert worker_codes == [0, 0], output

    assert received, output
    assert {path for path, _ in received} == {"/posts"}
    numbers = [int(orjson.loads(body)["id"].removeprefix("alphanode-")) for _, body in received]
    assert len(numbers) == len(set(numbers)), "a post id was sent twice"
    slices = {
        (w, u): slice_for(w, u, users_per_worker_max=USERS_MAX, slice_size=SLICE)
        for w in range(WORKERS)
        for u in range(1, USERS // WORKERS + 1)  # the master spreads 6 users as 3 a worker
    }
    owners = {number: key for number in numbers for key, s in slices.items() if number in s}
    assert set(owners) == set(numbers), "a post outside the slices of workers 0-1, users 1-3"
    assert set(owners.values()) == set(slices), "every user of both workers sent posts"
    bodies = dict(zip(numbers, (body for _, body in received), strict=True))
    for key, s in slices.items():
        sent = sorted(n for n, owner in owners.items() if owner == key)
        assert sent == list(range(s.start, s.start + len(sent))), f"slice {key} is not sent in order from its start"
        assert [bodies[n] for n in sent] == batch_json(s.start, len(sent), seed=SEED)
