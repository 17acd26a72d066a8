"""gongzhi demo: migrate, seed the demo city on first run, print the accounts, serve on :8000."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from gongzhi.core import context
from gongzhi.demo.accounts import DEMO_PASSWORD, do_ensure_demo_accounts
from gongzhi.demo.cases import do_issue_demo_ticket
from gongzhi.demo.services.seed import do_issue_demo_wish_ticket
from gongzhi.regions.models import Region


class Command(BaseCommand):
    help = "Prepare the demo city (once) and serve it at http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-serve", action="store_true", help="prepare only")
        parser.add_argument("--no-cases", action="store_true", help="seed the city without its year of cases")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Region.objects.exists():
            self.stdout.write("» seeding the demo city (栖霞区)…")
            call_command(
                "seed",
                size="demo",
                seed=options["seed"],
                no_cases=options["no_cases"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        with context.bind("cli"):
            accounts = do_ensure_demo_accounts()
            # Only a digest of each resident's token is kept, so a fresh one is issued to print.
            ticket = do_issue_demo_ticket()
            wish = do_issue_demo_wish_ticket()
        self.stdout.write("")
        self.stdout.write(f"  共治 demo city: http://{options['addr']}/   password for every account: {DEMO_PASSWORD}")
        for account in accounts:
            self.stdout.write(f"    {account.username:<10} {account.role:<12} {account.region_name}")
        if ticket is not None:
            link = reverse("cases:h5_status", args=ticket)
            self.stdout.write(f"  a resident's ticket: {ticket[0]} — its status page: http://{options['addr']}{link}")
        if wish is not None:
            link = reverse("wishes:h5_status", args=wish)
            self.stdout.write(f"  a resident's micro-wish: {wish[0]} — its status page: http://{options['addr']}{link}")
        self.stdout.write("")
        if not options["no_serve"]:
            # The embedded default runs background jobs in-process (production runs `gongzhi worker`).
            threading.Thread(target=_sweep_forever, name="gongzhi-sweep", daemon=True).start()
            call_command("runserver", options["addr"], use_reloader=False)


def _sweep_forever(interval: float = 60.0) -> None:
    from django.db import close_old_connections

    from gongzhi.cases.sweep import run_sweep

    while True:
        try:
            run_sweep()
        except Exception:  # a failed pass must not stop the next one; it is logged
            logging.getLogger("gongzhi.worker").exception("sweep failed")
        finally:
            close_old_connections()
        time.sleep(interval)
