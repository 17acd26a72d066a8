"""gongzhi accounts …: the operators' way to bootstrap and rescue accounts, through core.actions.

    gongzhi accounts create USERNAME [--name 姓名]        a new account; prints its temporary password
    gongzhi accounts grant USERNAME ROLE [--region CODE] [--department ID] [--title 职务]
    gongzhi accounts revoke USERNAME ROLE [--region CODE]
    gongzhi accounts reset-password USERNAME              prints a temporary password, lifts a lock-out
    gongzhi accounts reset-second-factor USERNAME         the account enrols again at its next sign-in
    gongzhi accounts list

Audited with source "cli" and no actor; 三员分立 applies here as everywhere (only the rule
against granting oneself a role has no meaning on the command line).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core import actions, context
from gongzhi.core.errors import DomainError
from gongzhi.core.models import Membership, Role
from gongzhi.regions.models import Region


class Command(BaseCommand):
    help = "Create accounts, grant and revoke roles, reset passwords and second factors (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="")
        for name in ("grant", "revoke"):
            p = sub.add_parser(name)
            p.add_argument("username")
            p.add_argument("role", choices=Role.values)
            p.add_argument("--region", default="", help="region code (business roles)")
            if name == "grant":
                p.add_argument("--department", type=int, default=None, help="department id (department staff)")
                p.add_argument("--title", default="")
        for name in ("reset-password", "reset-second-factor"):
            sub.add_parser(name).add_argument("username")
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.bind("cli"):
            try:
                self._run(options)
            except DomainError as exc:
                raise CommandError("; ".join(item.message for item in exc.items)) from exc

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account {username}")
        return user

    def _region(self, code: str) -> Region | None:
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"no region {code}")
        return region

    def _run(self, options: dict[str, Any]) -> None:
        what = options["what"]
        if what == "create":
            user, temporary = actions.do_create_user(
                actor=None, username=options["username"], full_name=options["name"]
            )
            self.stdout.write(f"{user.username}  temporary password: {temporary}  (must be changed at first sign-in)")
        elif what == "grant":
            department = None
            if options["department"] is not None:
                from gongzhi.people.models import Department

                department = Department.objects.filter(pk=options["department"]).first()
                if department is None:
                    raise CommandError(f"no department {options['department']}")
            membership = actions.do_grant_role(
                actor=None,
                user=self._user(options["username"]),
                role=options["role"],
                region=self._region(options["region"]),
                department=department,
                title=options["title"],
            )
            self.stdout.write(f"granted: {membership}")
        elif what == "revoke":
            held = Membership.objects.filter(
                user=self._user(options["username"]), role=options["role"], region=self._region(options["region"])
            ).first()
            if held is None:
                raise CommandError("no such role")
            actions.do_revoke_role(actor=None, membership=held)
            self.stdout.write("revoked")
        elif what == "reset-password":
            temporary = actions.do_reset_password(actor=None, user=self._user(options["username"]))
            self.stdout.write(f"temporary password: {temporary}  (must be changed at next sign-in)")
        elif what == "reset-second-factor":
            actions.do_disable_totp(actor=None, user=self._user(options["username"]))
            self.stdout.write("second factor removed")
        else:
            for user in User.objects.order_by("username").prefetch_related("memberships"):
                roles = ", ".join(m.role for m in user.memberships.all()) or "-"
                flag = "" if user.is_active else "  (inactive)"
                self.stdout.write(f"{user.username:<20} {roles}{flag}")
