"""Measures one kind of Celery task for bin/bench --peer celery: submit N tasks, then wait for all their results.

The same method as zootask's phases: the clock runs from the first submit until the last result is in the result
backend. A warm-up of the same kind comes first (connections, the worker's pool of processes; CPython has no JIT
to warm). Prints one line of JSON on stdout: {"kind", "tasks", "tasks_per_s", "celery_version"}.

usage: peer_driver.py --kind noop|process --count N --warmup N   (PEER_BROKER_URL, PEER_BACKEND_URL set)
"""
import argparse
import json
import sys
import time

import celery
from celery.result import ResultSet

from peer_tasks import app, noop, run_true

TASKS = {"noop": noop, "process": run_true}
RESULT_TIMEOUT_S = 600


def await_worker(within_s=120):
    """Returns once a worker answers a ping: before that, the first submits would time the worker's start-up."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    sys.exit("no Celery worker answered a ping within %d s" % within_s)


def submit_then_wait(task, count):
    """Tasks per second from the first submit until every result is in; raises if any task failed."""
    start = time.perf_counter()
    results = ResultSet([task.delay() for _ in range(count)])
    results.get(timeout=RESULT_TIMEOUT_S, propagate=True)
    return count / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=sorted(TASKS), required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    args = parser.parse_args()
    await_worker()
    task = TASKS[args.kind]
    warm = submit_then_wait(task, args.warmup)
    print("warm-up: %.0f tasks/s" % warm, file=sys.stderr)
    measured = submit_then_wait(task, args.count)
    print(json.dumps({"kind": args.kind, "tasks": args.count, "tasks_per_s": measured,
                      "celery_version": celery.__version__}))


if __name__ == "__main__":
    main()
