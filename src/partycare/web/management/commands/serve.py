"""Runs the product behind gunicorn (never Django's runserver) with a task worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动服务（gunicorn + 后台任务进程） / run the product behind gunicorn with a task worker"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("PARTYCARE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("PARTYCARE_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程 / no task worker")

    def handle(self, *args: Any, bind: str, workers: int, no_worker: bool, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        children: list[subprocess.Popen[bytes]] = []
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "partycare.cli", "worker"]))
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "partycare.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ]
        )
        children.append(web)
        self.stdout.write(self.style.SUCCESS(f"partycare 已启动 / running at http://{bind}/"))

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                child.wait(timeout=10)
