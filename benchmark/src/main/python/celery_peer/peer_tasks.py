"""The Celery peer's tasks, for bin/bench --peer celery.

The worker (``celery -A peer_tasks worker``) and the driver (peer_driver.py) both import this module, so they
agree on the task names and on where the broker and the result backend are. Both come from the environment:
PEER_BROKER_URL and PEER_BACKEND_URL, set by the benchmark to its private redis-server.
"""
import os
import subprocess

from celery import Celery

app = Celery(
    "peer_tasks",
    broker=os.environ["PEER_BROKER_URL"],
    backend=os.environ["PEER_BACKEND_URL"],
)
# Celery's defaults otherwise (prefetch, acks, serializer): the peer is measured as its users would install it.
# Only the noise goes: no per-task log line at INFO, no hijacked root logger.
app.conf.worker_hijack_root_logger = False


@app.task(name="peer.noop")
def noop():
    """Does nothing: what the round trip through the broker, a worker and the result backend costs."""
    return None


@app.task(name="peer.true")
def run_true():
    """Runs /bin/true in a subprocess, as zootask's tasks ["true"] do: the round trip plus a process launch."""
    subprocess.run(["/bin/true"], check=True)
    return None
