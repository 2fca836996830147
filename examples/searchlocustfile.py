"""Load-test a search endpoint with a synth query workload: users search with the workload's Zipf frequencies.

    synth queries -n 100000 --queries 2000 -o queries.jsonl          # the queries and their answers
    locust -f examples/searchlocustfile.py --headless -u 50 -r 10 -t 5m --host http://127.0.0.1:9200 \\
        --synth-workload queries.jsonl --synth-index alphanode

Each request is ``POST /<index>/_search`` with the query's ``es_query`` (Elasticsearch and
OpenSearch understand it). A response whose ``hits.total.value`` differs from the expected
count is a failure, for queries whose words are ASCII (for others the standard analyzer cuts
the text differently; see docs/queries.md), so the run also checks the index. Requests are
named by query kind, so Locust's table shows latency per kind. Distributed runs work as with
``examples/locustfile.py``: each user of each worker draws its own reproducible sequence.
"""

from __future__ import annotations

from typing import Any

from locust import HttpUser, events, task

from synth.feeds.locust import QueryFeed, query_feed


@events.init_command_line_parser.add_listener
def _synth_options(parser: Any) -> None:
    parser.add_argument("--synth-workload", default="queries.jsonl", help="workload file written by synth queries")
    parser.add_argument("--synth-index", default="alphanode", help="index to search")
    parser.add_argument("--synth-seed", type=int, default=0, help="seed of the users' query sequences")
    parser.add_argument("--synth-wait", type=float, default=0.0, help="seconds between a user's requests")


class Searcher(HttpUser):
    """Sends the workload's queries, drawn with their weights, and checks the hit counts."""

    feed: QueryFeed

    def wait_time(self) -> float:
        return float(self.environment.parsed_options.synth_wait)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.feed = query_feed(self.environment, options.synth_workload, seed=options.synth_seed)
        self.index = options.synth_index

    @task
    def search(self) -> None:
        query = next(self.feed)
        checked = all(word.isascii() for word in (*query.clauses.terms, *query.clauses.phrase))
        with self.client.post(
            f"/{self.index}/_search", json=query.es_query(), name=query.kind, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{query.id}: HTTP {response.status_code}")
                return
            hits = response.json()["hits"]["total"]["value"]
            if checked and hits != query.answer.count:
                response.failure(f"{query.id}: {hits} hits, expected {query.answer.count}")
