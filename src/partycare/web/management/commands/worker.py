"""The background task worker (Django Tasks API, database backend by default), with the daily-sweep scheduler."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "后台任务进程（含每日责任事项生成） / run the background task worker and the daily sweep scheduler"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="处理完队列后退出 / exit when the queue is empty")
        parser.add_argument("--no-schedule", action="store_true", help="不安排每日生成 / do not schedule the sweep")

    def handle(self, *args: Any, batch: bool, no_schedule: bool, **options: Any) -> None:
        from partycare.obligations.scheduler import enqueue_if_due, start_scheduler

        stop = threading.Event()
        if not no_schedule:
            if batch:
                enqueue_if_due()
            else:
                start_scheduler(stop)
        try:
            if settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
                call_command("rqworker", "default", job_class="django_tasks_rq.Job", burst=batch)
            else:
                call_command("db_worker", *(["--batch"] if batch else []))
        finally:
            stop.set()
