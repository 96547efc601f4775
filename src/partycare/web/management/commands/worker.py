"""The background task worker (Django Tasks API, database backend by default)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "后台任务进程 / run the background task worker"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="处理完队列后退出 / exit when the queue is empty")

    def handle(self, *args: Any, batch: bool, **options: Any) -> None:
        extra = ["--batch"] if batch else []
        call_command("db_worker", *extra)
