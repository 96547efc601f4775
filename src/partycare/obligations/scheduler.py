"""Enqueues the daily sweep once per business day; runs inside `partycare worker`, beside the task worker."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from partycare.obligations.models import SweepRun

logger = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 300


def sweep_due(now: dt.datetime) -> bool:
    """True when today's scheduled sweep has not been started yet and the day has begun."""
    local = timezone.localtime(now)
    if local.hour < settings.DAILY_SWEEP_HOUR:
        return False
    return not SweepRun.objects.filter(as_of=local.date(), triggered_by="schedule").exists()


def enqueue_if_due(now: dt.datetime | None = None) -> bool:
    from partycare.obligations.tasks import daily_sweep

    now = now or timezone.now()
    if not sweep_due(now):
        return False
    # Record the intent first so a second worker process does not enqueue the same day again.
    SweepRun.objects.create(as_of=timezone.localdate(now), since=timezone.localdate(now), triggered_by="schedule")
    daily_sweep.enqueue(str(timezone.localdate(now)), "scheduled-run")
    return True


def start_scheduler(stop: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                if enqueue_if_due():
                    logger.warning("daily sweep enqueued")
            except Exception:  # the scheduler must survive a database hiccup and try again later
                logger.exception("scheduling the daily sweep failed")
            stop.wait(CHECK_EVERY_SECONDS)

    thread = threading.Thread(target=loop, name="partycare-scheduler", daemon=True)
    thread.start()
    return thread
