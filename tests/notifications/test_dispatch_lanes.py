"""The dispatcher's lanes with worker threads: fair shares and senders that never wait for our writes.

Fake jobs (no network, no outbox rows): each send takes a few milliseconds and notes how many of its
lane were in flight; the batch write can be made slow, as a busy database is.
"""
import threading
import time
from dataclasses import dataclass, field

import pytest

from notifications.dispatch import Dispatcher, Lane, Tally

pytestmark = pytest.mark.django_db


@dataclass
class Probe:
    send_seconds: float = 0.01
    write_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    flying: dict = field(default_factory=dict)
    most: dict = field(default_factory=dict)
    sent: list = field(default_factory=list)  # (lane, started, ended)
    writes: list = field(default_factory=list)  # (started, ended) of each batch write


class Attempt:
    def __init__(self, job):
        self.job = job

    def send(self):
        probe, lane = self.job.probe, self.job.lane.key
        with probe.lock:
            probe.flying[lane] = probe.flying.get(lane, 0) + 1
            probe.most[lane] = max(probe.most.get(lane, 0), probe.flying[lane])
        started = time.monotonic()
        time.sleep(probe.send_seconds)
        with probe.lock:
            probe.flying[lane] -= 1
            probe.sent.append((lane, started, time.monotonic()))
        return "ok"

    @staticmethod
    def finish_batch(pairs):
        probe = pairs[0][0].job.probe
        started = time.monotonic()
        time.sleep(probe.write_seconds)
        probe.writes.append((started, time.monotonic()))
        for attempt, _outcome in pairs:
            attempt.job.tally.done += 1

    @staticmethod
    def abandon_batch(attempts):
        pass


class Job:
    def __init__(self, probe, lane, tally):
        self.probe, self.lane, self.tally = probe, lane, tally

    @classmethod
    def prepare_batch(cls, jobs):
        return [Attempt(job) for job in jobs]


@dataclass
class Count(Tally):
    done: int = 0


def run(jobs, *, concurrency=8, batch=5):
    started = time.monotonic()
    Dispatcher(budget=60, max_concurrency=concurrency, batch=batch, elapsed=lambda: time.monotonic() - started,
               monotonic=time.monotonic, sleep=time.sleep).run(jobs)


def test_a_lane_without_a_limit_leaves_the_smtp_servers_connections_their_slots():
    """Pushes (no limit of their own) take what the SMTP server's 4 connections leave of 8, then all 8."""
    probe, tally = Probe(), Count()
    smtp, push = Lane(("person", "email"), limit=4), Lane(("person", "push 127.0.0.1"))
    jobs = [Job(probe, smtp, tally) for _ in range(40)] + [Job(probe, push, tally) for _ in range(120)]

    run(jobs)

    assert tally.done == 160
    assert probe.most[smtp.key] == 4
    # Until the last e-mail started, some e-mail was waiting: never more than 4 pushes at once then (counted at
    # each push's start). Once none waits, the pushes may take the slots the last e-mails free.
    last_email = max(start for lane, start, _e in probe.sent if lane == smtp.key)
    while_emails = [(s, e) for lane, s, e in probe.sent if lane == push.key and s < last_email]
    for start, _end in while_emails:
        at_once = sum(1 for s, e in while_emails if s <= start < e)
        assert at_once <= 4
    assert probe.most[push.key] > 4  # Once the e-mails were done, the pushes had every slot.


def test_senders_keep_sending_while_the_outcomes_are_written():
    """A slow batch write (a busy database) does not stop the lane: its senders take the next claimed rows."""
    probe, tally = Probe(send_seconds=0.01, write_seconds=0.1), Count()
    lane = Lane(("person", "email"), limit=4)

    run([Job(probe, lane, tally) for _ in range(160)], batch=20)  # 0.4 s of sending, 8 writes of 0.1 s.

    assert tally.done == 160
    during = [s for _lane, s, _e in probe.sent for w_start, w_end in probe.writes if w_start < s < w_end]
    assert during, "no send started while a batch was being written"


def test_a_run_with_worker_threads_shortens_the_switch_interval_and_gives_it_back():
    """Senders get the interpreter back quickly while a run goes; after it, the process is as it was."""
    import sys

    from notifications import dispatch

    seen = []
    probe, tally = Probe(), Count()
    lane = Lane(("person", "email"), limit=2)

    class Watching(Attempt):
        def send(self):
            seen.append(sys.getswitchinterval())
            return super().send()

    class WatchingJob(Job):
        @classmethod
        def prepare_batch(cls, jobs):
            return [Watching(job) for job in jobs]

    before = sys.getswitchinterval()
    run([WatchingJob(probe, lane, tally) for _ in range(6)], concurrency=2)

    assert tally.done == 6
    assert set(seen) == {dispatch.SWITCH_INTERVAL}
    assert sys.getswitchinterval() == before


@pytest.mark.django_db(transaction=True)
def test_no_claimed_attempt_is_sent_before_its_claim_is_committed():
    """The senders take claimed rows themselves: only once the claim (and its history row) is committed."""
    from django.db import transaction

    committed, early = set(), []
    probe, tally = Probe(send_seconds=0.01, write_seconds=0.0), Count()
    lane = Lane(("person", "email"), limit=4)
    other = Lane(("person", "push 127.0.0.1"), limit=4)  # Two lanes: their claims are taken one after the other.

    class Checked(Attempt):
        def send(self):
            if id(self) not in committed:
                early.append(self)
            return super().send()

    class CheckedJob(Job):
        @classmethod
        def prepare_batch(cls, jobs):
            attempts = [Checked(job) for job in jobs]
            if jobs[0].lane.key == other.key:
                time.sleep(0.03)  # This lane's claim takes a while: the other's senders are running meanwhile.
            transaction.on_commit(lambda: committed.update(id(a) for a in attempts))
            return attempts

    run([CheckedJob(probe, lane, tally) for _ in range(120)] + [CheckedJob(probe, other, tally) for _ in range(120)],
        batch=4)  # Small batches: claims are taken while the senders are still busy with the previous ones.

    assert tally.done == 240
    assert early == []
