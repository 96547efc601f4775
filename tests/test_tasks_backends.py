"""The daily sweep goes through the Tasks API on either queue: the database (default) or RQ on Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest


def _redis_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _partycare(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partycare.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("queue", ["database", "redis"])
def test_worker_runs_the_daily_sweep(tmp_path, queue):
    if queue == "redis" and not _redis_listening():
        pytest.skip("no Redis on 127.0.0.1:6379")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partycare.settings", "PARTYCARE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("PARTYCARE_TASK_BACKEND", None)
    if queue == "redis":
        env["PARTYCARE_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    assert _partycare("migrate", "-v0", env=env).returncode == 0
    enqueue = (
        "import django; django.setup(); from partycare.obligations.tasks import daily_sweep; "
        "daily_sweep.enqueue('2025-03-01', 'test')"
    )
    assert subprocess.run([sys.executable, "-c", enqueue], env=env, timeout=120).returncode == 0
    worker = _partycare("worker", "--batch", "--no-schedule", env=env)
    assert worker.returncode == 0, worker.stderr[-2000:]
    check = (
        "import django; django.setup(); from partycare.obligations.models import SweepRun; "
        "print(SweepRun.objects.filter(as_of='2025-03-01', finished_at__isnull=False).count())"
    )
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "1"
