"""The one dispatcher: runs the deliveries of a scan (webhooks and people alike) in lanes.

A *lane* is what one receiver can take: a webhook endpoint (with its spacing),
the SMTP server, a push service's origin. A job belongs to one lane; the
dispatcher starts jobs lane by lane until the run's time budget is spent:

- a lane with a spacing has one delivery in flight at a time and starts the
  next no sooner than `spacing` seconds after the previous one started (Pabbly
  merged alerts that arrived together);
- a lane without spacing has up to `lane.limit` deliveries in flight (the SMTP
  server: `EMAIL_MAX_CONCURRENCY`), and all lanes together at most
  `max_concurrency`. With `max_concurrency` 1 everything runs on the caller's
  thread, one after the other.

Only `attempt.send()` (the network call) runs in the worker threads: claiming,
recording before the send and recording the outcome (`job.prepare()`,
`attempt.finish()`) stay on the caller's thread and its database connection,
so a scan also works inside a test's transaction. With worker threads, the jobs
started in one round are claimed and recorded in one transaction, committed
before any of them is sent, and the outcomes that come back together are
written in one transaction: a commit per round, not three per delivery. A job another run holds is
counted `held` on its tally; a job not started when the budget ran out, or
whose lane was closed (a webhook endpoint that answered 410), `remaining`.

The clock is injected (`monotonic`, `sleep`, `elapsed`) so the scan's tests
can drive it without sleeping (`notifications.services.monotonic/sleep`).
"""
from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class Lane:
    key: object
    spacing: float = 0.0  # Seconds between two starts; > 0 also means one in flight at a time.
    limit: int | None = None  # Deliveries in flight in this lane (None: only the global bound).


@dataclass
class Tally:
    """What a run did with one kind of job, beside the list of attempts it finished."""

    held: int = 0
    remaining: int = 0


class Dispatcher:
    def __init__(self, *, budget, max_concurrency, elapsed, monotonic, sleep):
        self.budget, self.elapsed, self.monotonic, self.sleep = budget, elapsed, monotonic, sleep
        self.max_concurrency = max(1, max_concurrency)

    def run(self, jobs):
        """Deliver `jobs` (objects with `lane`, `tally`, `prepare() -> attempt | None`).

        An attempt has `send() -> Outcome` (thread-safe, no database) and
        `finish(outcome) -> bool`, True when its lane must take nothing more this run.
        """
        queues, lanes = defaultdict(deque), {}
        for job in jobs:
            queues[job.lane.key].append(job)
            lanes[job.lane.key] = job.lane
        if not queues:
            return
        pool = ThreadPoolExecutor(max_workers=self.max_concurrency) if self.max_concurrency > 1 else None
        in_flight = {}  # future → (attempt, lane key)
        lane_load = defaultdict(int)
        next_start = defaultdict(float)
        closed = set()
        starting = []  # (job, lane key) picked this round (worker threads only)
        try:
            while queues or in_flight:
                if queues and self.elapsed() >= self.budget:
                    for queue in queues.values():
                        for job in queue:
                            job.tally.remaining += 1
                    queues.clear()
                for key in list(queues):
                    lane, queue = lanes[key], queues[key]
                    if key in closed:
                        for job in queues.pop(key):
                            job.tally.remaining += 1
                        continue
                    limit = 1 if lane.spacing > 0 else (lane.limit or self.max_concurrency)
                    while queue and key not in closed and len(in_flight) + len(starting) < self.max_concurrency \
                            and lane_load[key] < limit:
                        if self.elapsed() >= self.budget:
                            break
                        if lane.spacing > 0 and self.monotonic() < next_start[key]:
                            break
                        job = queue.popleft()
                        if pool is not None:
                            # Prepared below with the others of this round, in one transaction.
                            starting.append((job, key))
                            lane_load[key] += 1
                            if lane.spacing > 0:
                                next_start[key] = self.monotonic() + lane.spacing
                                break
                            continue
                        attempt = job.prepare()
                        if attempt is None:
                            job.tally.held += 1  # Another run claimed it (or already sent it) first.
                            continue
                        if lane.spacing > 0:
                            next_start[key] = self.monotonic() + lane.spacing
                        if attempt.finish(attempt.send()):
                            closed.add(key)
                        if lane.spacing > 0:
                            break
                    if not queue:
                        del queues[key]
                if starting:
                    self._start(starting, pool, in_flight, lane_load)
                    starting.clear()
                waits = [next_start[k] - self.monotonic() for k in queues
                         if lanes[k].spacing > 0 and not lane_load[k]]
                pause = max(0.0, min(waits)) if waits else None
                if in_flight:
                    done, _pending = wait(in_flight, timeout=pause, return_when=FIRST_COMPLETED)
                    # One commit for the outcomes that came back together.
                    with transaction.atomic():
                        for future in done:
                            attempt, key = in_flight.pop(future)
                            lane_load[key] -= 1
                            if attempt.finish(future.result()):
                                closed.add(key)
                elif pause:
                    self.sleep(min(pause, max(0.0, self.budget - self.elapsed())) or 0)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)

    @staticmethod
    def _start(starting, pool, in_flight, lane_load):
        """Claim and record (before sending) the jobs of one round in one transaction, then send them.

        The commit comes before any send: a claim is visible to every other run,
        and the "Envoi en cours" rows exist, before the first byte goes out. One
        commit per round instead of two per delivery: on PostgreSQL each commit
        waits for the disk.
        """
        with transaction.atomic():
            prepared = [(job.prepare(), job, key) for job, key in starting]
        for attempt, job, key in prepared:
            if attempt is None:
                job.tally.held += 1  # Another run claimed it (or already sent it) first.
                lane_load[key] -= 1
                continue
            in_flight[pool.submit(attempt.send)] = (attempt, key)
