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
from gongzhi.demo.cases import DEFAULT_COUNT, CaseCounts, cases_sha256, clear_cases, do_seed_cases
from gongzhi.demo.load import do_seed_city, geometry_sha256
from gongzhi.demo.people import PeopleCounts, do_seed_people, people_sha256
from gongzhi.demo.plan import generate
from gongzhi.demo.services.seed import DEFAULT_WISHES, ServiceCounts, clear_services, do_seed_services


class Command(BaseCommand):
    help = "Generate and load a deterministic synthetic city (demo: 栖霞区; city: 南京市)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=("demo", "city"), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--replace", action="store_true", help="empty the existing tree first")
        parser.add_argument("--no-rooms", action="store_true", help="buildings without units and rooms")
        parser.add_argument("--no-people", action="store_true", help="no residents, units, party or departments")
        parser.add_argument("--no-cases", action="store_true", help="no year of cases (and no trained classifier)")
        parser.add_argument(
            "--cases", type=int, default=DEFAULT_COUNT, metavar="N", help=f"how many cases (default {DEFAULT_COUNT})"
        )
        parser.add_argument(
            "--no-services", action="store_true", help="no volunteers, registrations, wishes, activities or points"
        )
        parser.add_argument(
            "--wishes",
            type=int,
            default=DEFAULT_WISHES,
            metavar="N",
            help=f"how many micro-wishes (default {DEFAULT_WISHES})",
        )

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
        # Cases are handled by departments, which come with the people.
        with_cases = with_people and not options["no_cases"] and options["cases"] > 0
        # Volunteers are residents and party members, and units register with communities.
        with_services = with_people and not options["no_services"]
        people: PeopleCounts | None = None
        cases: CaseCounts | None = None
        services: ServiceCounts | None = None
        try:
            # One transaction: a failure in the people or the cases leaves no half-seeded city behind.
            with context.bind("cli"), transaction.atomic():
                if options["replace"]:
                    clear_services()  # volunteers are people, and the ledger points at them: they go first
                    clear_cases()  # cases point at departments and grids' users
                counts = do_seed_city(
                    actor=None, plan=plan, with_rooms=with_rooms, replace=options["replace"], progress=progress
                )
                if with_people:
                    people = do_seed_people(actor=None, seed=options["seed"], progress=progress)
                if size == "demo":
                    do_ensure_demo_accounts()
                if with_cases:
                    cases = do_seed_cases(seed=options["seed"], count=options["cases"], progress=progress)
                if with_services:
                    services = do_seed_services(seed=options["seed"], wishes=options["wishes"], progress=progress)
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
            "cases": cases.cases if cases else 0,
            "case_events": cases.events if cases else 0,
            "open_cases": cases.open if cases else 0,
            "overdue_cases": cases.overdue if cases else 0,
            "classifier_samples": cases.classifier_samples if cases else 0,
            "classifier_metrics": cases.classifier_metrics if cases else {},
            "case_seconds": cases.seconds if cases else 0,
            "volunteers": services.volunteers if services else 0,
            "activities": services.activities if services else 0,
            "attendances": services.attendances if services else 0,
            "wishes": services.wishes if services else 0,
            "service_records": services.service_records if services else 0,
            "points_transactions": services.transactions if services else 0,
            "redemptions": services.redemptions if services else 0,
            "resources": services.resources if services else 0,
            "needs": services.needs if services else 0,
            "projects": services.projects if services else 0,
            "project_claims": services.project_claims if services else 0,
            "service_orders": services.orders if services else 0,
            "open_service_orders": services.open_orders if services else 0,
            "service_seconds": services.seconds if services else 0,
            "seconds": round(time.perf_counter() - started, 2),
            "geometry_sha256": geometry_sha256(),
            "people_sha256": people_sha256() if people else "",
            "cases_sha256": cases_sha256() if cases else "",
            "demo_ticket": cases.ticket if cases else "",
            "demo_token": cases.token if cases else "",
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))
