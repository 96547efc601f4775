"""`partycare` — the one command that drives the product.

Product subcommands are Django management commands; anything else (migrate, createsuperuser, shell, …) is passed
through to Django's own command line, so there is no second entry point to learn.
"""

from __future__ import annotations

import os
import sys

# (name, 中文, English) — the order `partycare --help` lists them in.
COMMANDS: list[tuple[str, str, str]] = [
    (
        "serve",
        "启动服务（生产级 WSGI 服务器 + 后台任务进程）",
        "run the product behind gunicorn, with a task worker",
    ),
    ("demo", "生成演示单位（可扩展到百万党员）", "build the demo organisation (scales to 1,000,000 members)"),
    ("policy", "政策包：校验、查看、比较、启用", "policy packs: validate, show, diff, activate"),
    ("sweep", "按日期生成/更新责任事项", "derive obligations as of a date"),
    ("worker", "后台任务进程", "run the background task worker"),
    ("migrate", "建立/升级数据库", "create or upgrade the database"),
    ("createsuperuser", "创建超级管理员账号", "create a superuser account"),
]


def help_text() -> str:
    width = max(len(name) for name, _, _ in COMMANDS)
    lines = [
        "partycare — 党内激励关怀帮扶 / intra-party incentive, care and assistance",
        "",
        "用法 / usage: partycare <command> [options]    (partycare <command> --help 查看详细 / for details)",
        "",
        "命令 / commands:",
    ]
    lines += [f"  {name:<{width}}  {zh} / {en}" for name, zh, en in COMMANDS]
    lines += ["", "其他 Django 管理命令亦可使用 / any other Django management command works too."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(help_text())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partycare.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["partycare", *args])


if __name__ == "__main__":
    main()
