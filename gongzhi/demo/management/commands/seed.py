"""gongzhi seed --size demo|city --seed N: generate the synthetic city and load it, all or nothing."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gongzhi.core import context
from gongzhi.core.errors import DomainError
from gongzhi.demo.accounts import do_ensure_demo_accounts
from gongzhi.demo.load import do_seed_city, geometry_sha256
from gongzhi.demo.people import PeopleCounts, do_seed_people, people_sha256
from gongzhi.demo.plan import generate


class Command(BaseCommand):
    help = "Generate and load a deterministic synthetic city (demo: 栖霞区; city: 南京市)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=("demo", "city"), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--replace", action="store_true", help="empty the existing tree first")
        parser.add_argument("--no-rooms", action="store_true", help="buildings without units and rooms")
        parser.add_argument("--no-people", action="store_true", help="no residents, units, party or departments")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stderr.write(f"  [{time.perf_counter() - started:6.1f}s] {message}")

        size: str = options["size"]
        progress(f"generating {size} city, seed {options['seed']}")
        plan = generate(size, options["seed"])
        progress(f"generated {len(plan.regions)} regions, {len(plan.buildings)} buildings")
        with_rooms = size == "demo" and not options["no_rooms"]
        # Residents live in rooms, so only a demo city with rooms gets people.
        with_people = with_rooms and not options["no_people"]
        people: PeopleCounts | None = None
        try:
            # One transaction: a failure in the people leaves no half-seeded city behind.
            with context.bind("cli"), transaction.atomic():
                counts = do_seed_city(
                    actor=None, plan=plan, with_rooms=with_rooms, replace=options["replace"], progress=progress
                )
                if with_people:
                    people = do_seed_people(actor=None, seed=options["seed"], progress=progress)
                if size == "demo":
                    do_ensure_demo_accounts()
        except DomainError as exc:
            raise CommandError("; ".join(f"{i.field}: {i.message}" for i in exc.items)) from exc
        result = {
            "districts": counts.districts,
            "streets": counts.streets,
            "communities": counts.communities,
            "grids": counts.grids,
            "buildings": counts.buildings,
            "rooms": counts.rooms,
            "persons": people.persons if people else 0,
            "households": people.households if people else 0,
            "party_organizations": people.party_organizations if people else 0,
            "party_members": people.party_members if people else 0,
            "units": people.units if people else 0,
            "departments": people.departments if people else 0,
            "seconds": round(time.perf_counter() - started, 2),
            "geometry_sha256": geometry_sha256(),
            "people_sha256": people_sha256() if people else "",
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))
