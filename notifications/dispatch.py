"""The one dispatcher: runs the deliveries of a scan (webhooks and people alike) in lanes.

A *lane* is what one receiver can take: a webhook endpoint (with its spacing),
the SMTP server, a push service's origin. A job belongs to one lane; the
dispatcher starts jobs lane by lane until the run's time budget is spent:

- a lane with a spacing has one delivery in flight at a time and starts the
  next no sooner than `spacing` seconds after the previous one started (Pabbly
  merged alerts that arrived together);
- a lane without spacing has up to `lane.limit` deliveries in flight (the SMTP
  server: `EMAIL_MAX_CONCURRENCY`), and all lanes together at most
  `max_concurrency`. A lane with no limit of its own (a push service) gets what
  the lanes with work waiting leave it (their limits, one per spacing lane), so
  it cannot starve the SMTP server's connections or a webhook endpoint, and has
  every slot once they are done (`_limit`). With `max_concurrency` 1 everything
  runs on the caller's thread, one after the other.

Only `attempt.send()` (the network call) runs in the worker threads: claiming,
recording before the send and recording the outcome (`job.prepare()`,
`attempt.finish()`) stay on the caller's thread and its database connection,
so a scan also works inside a test's transaction. With worker threads, the jobs
started in one round are claimed and recorded in one transaction, committed
before any of them is sent, and the outcomes that come back together are
written in one transaction: a commit per round, not three per delivery. A job another run holds is
counted `held` on its tally; a job not started when the budget ran out, or
whose lane was closed (a webhook endpoint that answered 410), `remaining`.

*Batched lanes.* With worker threads, jobs that offer `prepare_batch` (the
deliveries to people) are claimed and recorded ahead, `batch` at a time per
lane, in one UPDATE and one INSERT, and their outcomes are written `batch` at a
time (or after `FLUSH_SECONDS`, or when nothing is in flight) in one
transaction: a few statements and two commits per `batch` deliveries instead of
four statements and two commits each (`bench/notifications.py`: bound by the
receivers, not by our database). A claimed row waits at most until `batch`
others of its lane went out, far below the claim TTL; the attempt rows are
written ("Envoi en cours") before any of them is sent, as always. What a
budget cut leaves claimed but unsent is given back (`abandon_batch`: claim
released, status restored, the never-sent attempt rows removed) and counted
`remaining`. A run killed with outcomes not yet written leaves those rows to
the next run after the claim TTL, same id (receivers deduplicate on it), as a
run killed mid-send always did; the window is at most `FLUSH_SECONDS` wider.
Webhook jobs (spacing lanes, a payload stamped at claim time) stay one by one.
A batched lane's slot is a *sender* on a worker thread (`_sender`): once a send
is over it takes the lane's next claimed attempt itself, so the SMTP server's
connections and the push service never wait while this thread writes a batch
or claims the next. The claims of a round are committed before any sender
may take them (`_make_ready`): a claim is visible to every other run, and its
"Envoi en cours" row exists, before its send; the next batch is claimed while
three rounds of the lane's slots are still ready, and an e-mail is written
(`transports.email.prepare`) when claimed. With a 20 ms receiver this took
the slots from ~3.6 of 4 busy to ~3.9 (bench/notifications.py).

The clock is injected (`monotonic`, `sleep`, `elapsed`) so the scan's tests
can drive it without sleeping (`notifications.services.monotonic/sleep`).
"""
import sys
import threading
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

# How often Python lets another thread take the interpreter (sys.setswitchinterval) while a run has worker
# threads: 0.5 ms instead of 5. This thread writes and claims batches and makes e-mails in stretches of
# tens of milliseconds; a sender whose answer has arrived waits for it at most this long, four times per
# e-mail (MAIL, RCPT, DATA, the data). bench/notifications.py at 20 ms on PostgreSQL: 1.50× the floor
# with 5 ms, 1.40-1.44× with 0.5 ms.
SWITCH_INTERVAL = 0.0005
_switch = {"runs": 0, "saved": None}
_switch_lock = threading.Lock()


@contextmanager
def _responsive_threads(active):
    """The shorter switch interval while at least one run with worker threads is going (runs of one process
    may overlap: the last one out restores the interval it found)."""
    if not active:
        yield
        return
    with _switch_lock:
        if _switch["runs"] == 0:
            _switch["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, _switch["saved"]))
        _switch["runs"] += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch["runs"] -= 1
            if _switch["runs"] == 0:
                sys.setswitchinterval(_switch["saved"])


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
    FLUSH_SECONDS = 0.25  # Longest wait before the outcomes of a batched lane are written.

    def __init__(self, *, budget, max_concurrency, elapsed, monotonic, sleep, batch=1):
        self.budget, self.elapsed, self.monotonic, self.sleep = budget, elapsed, monotonic, sleep
        self.max_concurrency = max(1, max_concurrency)
        self.batch = max(1, batch)

    def run(self, jobs):
        """Deliver `jobs` (objects with `lane`, `tally`, `prepare() -> attempt | None`).

        An attempt has `send() -> Outcome` (thread-safe, no database) and
        `finish(outcome) -> bool`, True when its lane must take nothing more this run.
        A job class may also offer `prepare_batch(jobs) -> [attempt | None]`, its
        attempts' class `finish_batch([(attempt, outcome)])` and
        `abandon_batch(attempts)`: with worker threads its lanes are then batched
        (see the module docstring); such lanes are never closed.
        """
        queues, lanes = defaultdict(deque), {}
        for job in jobs:
            queues[job.lane.key].append(job)
            lanes[job.lane.key] = job.lane
        if not queues:
            return
        pool = ThreadPoolExecutor(max_workers=self.max_concurrency) if self.max_concurrency > 1 else None
        with _responsive_threads(pool is not None):
            self._run(queues, lanes, pool)

    def _run(self, queues, lanes, pool):
        batched = {key for key, queue in queues.items()
                   if pool is not None and self.batch > 1 and hasattr(queue[0], "prepare_batch")}
        in_flight = {}  # future → (attempt, lane key)
        lane_load = defaultdict(int)
        next_start = defaultdict(float)
        closed = set()
        starting = []  # (job, lane key) picked this round (worker threads only)
        ready = defaultdict(deque)  # lane key → attempts claimed and recorded ahead, not sent yet (batched lanes)
        finished = []  # (attempt, outcome) of batched lanes, not written yet
        oldest = None  # monotonic() when finished[0] came back
        self._lock = threading.Lock()  # Guards `ready` and `_done`, shared with the batched lanes' senders.
        self._done = []  # (attempt, outcome) sent by a batched lane's sender, not yet taken by this thread
        self._nudge = threading.Event()  # Something for this thread: a future done, outcomes or a lane to refill.

        def start_senders():
            """The batched lanes' free slots take what is claimed (senders, see `_sender`)."""
            for key in [k for k in ready if k in batched]:
                self._submit_ready(key, self._limit(key, lanes, queues, ready), ready, pool, in_flight,
                                   lane_load, starting)

        try:
            while queues or in_flight or ready or finished or self._done:
                if self._done:
                    with self._lock:
                        came, self._done = self._done, []
                    finished += came
                    oldest = oldest if oldest is not None else self.monotonic()
                if (queues or ready) and self.elapsed() >= self.budget:
                    for queue in queues.values():
                        for job in queue:
                            job.tally.remaining += 1
                    queues.clear()
                    self._abandon(ready)
                if batched:
                    start_senders()  # Free slots first take what is claimed: the writes below must not idle them.
                    refills = self._refills(queues, lanes, ready, batched, lane_load)
                    if refills:
                        # Claimed and recorded first, and committed before the senders may take them: a claim
                        # is visible to every other run, and its "Envoi en cours" row exists, before any send.
                        with transaction.atomic():
                            prepared = self._prepare_ahead(refills)
                        self._make_ready(prepared, ready)
                    if finished and (refills or len(finished) >= self.batch or not in_flight
                                     or self.monotonic() - oldest >= self.FLUSH_SECONDS):
                        with transaction.atomic():  # The outcomes that came back, in one go.
                            self._flush(finished)
                        finished, oldest = [], None
                    start_senders()  # What was just claimed, and the slots freed while we wrote.
                for key in [k for k in queues if k not in batched]:
                    lane = lanes[key]
                    queue = queues[key]
                    if key in closed:
                        for job in queues.pop(key):
                            job.tally.remaining += 1
                        continue
                    limit = self._limit(key, lanes, queues, ready)
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
                if finished:
                    waits.append(oldest + self.FLUSH_SECONDS - self.monotonic())
                pause = max(0.0, min(waits)) if waits else None
                if in_flight:
                    if not self._done:
                        self._nudge.wait(pause)
                    self._nudge.clear()  # Before looking: a nudge from now on wakes the next wait.
                    done = [future for future in in_flight if future.done()]
                    one_by_one = []
                    for future in done:
                        attempt, key = in_flight.pop(future)
                        lane_load[key] -= 1
                        if key in batched:  # A sender whose lane ran dry: its outcomes are in `_done`.
                            future.result()
                        else:
                            one_by_one.append((attempt, key, future.result()))
                    if one_by_one:
                        with transaction.atomic():  # One commit for the outcomes that came back together.
                            for attempt, key, outcome in one_by_one:
                                if attempt.finish(outcome):
                                    closed.add(key)
                elif pause:
                    self.sleep(min(pause, max(0.0, self.budget - self.elapsed())) or 0)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)

    def _limit(self, key, lanes, queues, ready):
        """How many deliveries lane `key` may have in flight now.

        A spacing lane: one. A lane with its own limit (the SMTP server): that limit. A lane without
        (a push service): what the other lanes with work waiting leave it — their limits, one per
        spacing lane — so a fast lane cannot take the slots of the SMTP server's connections or of a
        webhook endpoint, and has them all once those have nothing left.
        """
        lane = lanes[key]
        if lane.spacing > 0:
            return 1
        if lane.limit:
            return lane.limit
        reserved = sum(1 if other.spacing > 0 else other.limit
                       for k, other in lanes.items()
                       if k != key and (other.spacing > 0 or other.limit) and (k in queues or ready.get(k)))
        return max(1, self.max_concurrency - reserved)

    def _refills(self, queues, lanes, ready, batched, lane_load):
        """The batched lanes whose claimed-ahead attempts could no longer fill all their slots: (key, next jobs)."""
        if self.elapsed() >= self.budget:
            return []
        refills = []
        for key in [k for k in queues if k in batched]:
            # Claim the next batch while three rounds of the lane's slots are still ready (at most a batch):
            # its senders keep taking while it is claimed and its e-mails written, and never wait for it.
            if len(ready.get(key, ())) >= self._refill_at(self._limit(key, lanes, queues, ready)):
                continue
            queue = queues[key]
            chunk = [queue.popleft() for _ in range(min(self.batch, len(queue)))]
            if not queue:
                del queues[key]
            refills.append((key, chunk))
        return refills

    def _refill_at(self, limit):
        """A batched lane's next claim is taken when fewer than this are ready (its senders nudge us then)."""
        return min(self.batch, 3 * limit)

    @staticmethod
    def _prepare_ahead(refills):
        """Claim and record each chunk (inside the caller's transaction): [(lane key, attempts)]."""
        prepared = []
        for key, chunk in refills:
            attempts = type(chunk[0]).prepare_batch(chunk)
            for job, attempt in zip(chunk, attempts, strict=True):
                if attempt is None:
                    job.tally.held += 1  # Another run claimed it (or already sent it) first.
            prepared.append((key, [a for a in attempts if a is not None]))
        return prepared

    def _make_ready(self, prepared, ready):
        """Once committed, the claimed attempts are the senders' to take."""
        with self._lock:
            for key, attempts in prepared:
                if attempts:
                    ready[key].extend(attempts)

    def _submit_ready(self, key, limit, ready, pool, in_flight, lane_load, starting):
        """Start senders on the free slots of a batched lane, each with one attempt claimed ahead."""
        with self._lock:
            queue = ready.get(key)
            while queue and len(in_flight) + len(starting) < self.max_concurrency and lane_load[key] < limit \
                    and self.elapsed() < self.budget:
                future = pool.submit(self._sender, key, queue.popleft(), ready, limit)
                future.add_done_callback(lambda _f: self._nudge.set())
                in_flight[future] = (None, key)
                lane_load[key] += 1
            if key in ready and not ready[key]:
                del ready[key]

    def _sender(self, key, attempt, ready, limit):
        """A slot of a batched lane, on a worker thread: send, then take the lane's next claimed attempt
        at once, without waiting for the dispatcher's thread (which may be writing a batch): the SMTP
        server's connections and the push service never wait for our database. Stops when nothing is
        ready or the budget is spent; the outcomes go to `_done`, written by batch on the main thread."""
        while True:
            outcome = attempt.send()
            with self._lock:
                self._done.append((attempt, outcome))
                queue = ready.get(key)
                attempt = queue.popleft() if queue and self.elapsed() < self.budget else None
                wanted = attempt is None or len(self._done) >= self.batch or len(queue) < self._refill_at(limit)
            if wanted:
                self._nudge.set()  # Outcomes to write, or this lane to refill before it runs dry.
            if attempt is None:
                return

    @staticmethod
    def _flush(finished):
        """Write the outcomes of batched lanes, each attempt class's in one go (inside the caller's transaction)."""
        by_kind = defaultdict(list)
        for attempt, outcome in finished:
            by_kind[type(attempt)].append((attempt, outcome))
        for kind, pairs in by_kind.items():
            kind.finish_batch(pairs)

    def _abandon(self, ready):
        """Give back what was claimed ahead but not sent when the budget ran out; counted `remaining`."""
        with self._lock:  # A sender takes nothing more once this is empty.
            queues = list(ready.values())
            ready.clear()
        if not queues:
            return
        by_kind = defaultdict(list)
        for queue in queues:
            for attempt in queue:
                by_kind[type(attempt)].append(attempt)
                attempt.job.tally.remaining += 1
        with transaction.atomic():
            for kind, attempts in by_kind.items():
                kind.abandon_batch(attempts)

    def _start(self, starting, pool, in_flight, lane_load):
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
            future = pool.submit(attempt.send)
            future.add_done_callback(lambda _f: self._nudge.set())
            in_flight[future] = (attempt, key)
