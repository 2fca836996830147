"""Load-test an import endpoint with synth posts: every user POSTs its own slice of the corpus.

    pip install 'alphanode-synth[locust]'
    locust -f examples/locustfile.py --headless -u 50 -r 10 -t 5m --host http://127.0.0.1:8000

Distributed (one master, any number of workers, on any machines; no coordination needed: the
master numbers the workers and each user owns a disjoint slice, see ``synth.feeds.locust``)::

    locust -f examples/locustfile.py --master --headless --expect-workers 4 -u 200 -r 20 -t 10m \\
        --host http://api.internal:8000
    locust -f examples/locustfile.py --worker --master-host 10.0.0.5     # on each worker

Each request is ``POST /posts`` with one post as its JSON body; no post id is sent twice in a
run, and a rerun with the same options sends the same posts. Options (``--synth-...``, given to
the master, which passes them on to the workers): the seed, the slice of posts each user owns
(``--synth-slice-size``) and the most users one worker process starts over the run
(``--synth-users-per-worker``), and the wait between a user's requests (``--synth-wait``).
A user whose slice is used up stops.
"""

from __future__ import annotations

from typing import Any

from locust import HttpUser, events, task
from locust.exception import StopUser

from synth.feeds.locust import SLICE_SIZE, USERS_PER_WORKER_MAX, PostFeed, user_feed


@events.init_command_line_parser.add_listener
def _synth_options(parser: Any) -> None:
    parser.add_argument("--synth-seed", type=int, default=0, help="corpus seed of the posts sent")
    parser.add_argument("--synth-slice-size", type=int, default=SLICE_SIZE, help="posts each user owns")
    parser.add_argument(
        "--synth-users-per-worker", type=int, default=USERS_PER_WORKER_MAX, help="most users a worker process starts"
    )
    parser.add_argument("--synth-wait", type=float, default=0.0, help="seconds between a user's requests")


class PostWriter(HttpUser):
    """Sends its slice of posts to ``POST /posts``, one post a request, in order."""

    feed: PostFeed

    def wait_time(self) -> float:
        return float(self.environment.parsed_options.synth_wait)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.feed = user_feed(
            self.environment,
            seed=options.synth_seed,
            slice_size=options.synth_slice_size,
            users_per_worker_max=options.synth_users_per_worker,
        )

    @task
    def post(self) -> None:
        try:
            _, body = next(self.feed)
        except StopIteration:
            raise StopUser from None
        self.client.post("/posts", data=body, headers={"Content-Type": "application/json"}, name="/posts")
