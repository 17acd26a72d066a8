"""All writes to accounts, role memberships and login security; each one audited in its transaction.

The caller (a view, the admin, a command) has already checked that the actor may manage accounts;
the actions check again, and enforce 三员分立 (gongzhi.core.roles) whoever calls them. An `actor`
of None is the command line or the system itself.

No action ever writes a password or a TOTP secret into the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, roles
from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, ErrorItem
from gongzhi.core.models import LoginThrottle, Membership, Role, UserSecurity
from gongzhi.core.security import lockout, passwords, totp
from gongzhi.regions.models import Region

Actor = AnyUser | None


# ---------------------------------------------------------------- helpers


def _is_cli(actor: Actor) -> bool:
    return actor is None


def _require_manager(actor: Actor) -> None:
    """The security administrator (ACCOUNTS_MANAGE), a superuser in the Django admin, or the CLI."""
    if _is_cli(actor):
        return
    assert actor is not None  # noqa: S101 - narrowed for the type checker
    if getattr(actor, "is_superuser", False) or has_capability(actor, Cap.ACCOUNTS_MANAGE):
        return
    raise PermissionDenied


def _check_target(actor: Actor, user: User) -> None:
    """Superuser accounts are the operators' break-glass; only they and the CLI touch them."""
    if user.is_superuser and not (_is_cli(actor) or getattr(actor, "is_superuser", False)):
        raise DomainError.single(
            "user", "superuser_account", _("Accounts with the superuser flag are managed from the command line.")
        )


def _locked_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _security_of(user: User) -> UserSecurity:
    """The account's security row, locked; created on first need."""
    row = UserSecurity.objects.select_for_update().filter(user_id=user.pk).first()
    if row is None:
        try:
            with transaction.atomic():
                row = UserSecurity.objects.create(user_id=user.pk)
        except IntegrityError:
            row = UserSecurity.objects.select_for_update().get(user_id=user.pk)
    return row


def _password_errors(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError([ErrorItem("new_password", "password_rule", str(m)) for m in exc.messages]) from exc


def _membership_state(m: Membership) -> dict[str, Any]:
    return {
        "user": m.user.get_username(),
        "role": m.role,
        "region": m.region.code if m.region_id and m.region else None,
        "department": m.department_id,
        "title": m.title,
    }


# ---------------------------------------------------------------- accounts


@transaction.atomic
def do_create_user(*, actor: Actor, username: str, full_name: str = "", email: str = "") -> tuple[User, str]:
    """A new account with a temporary password, to be changed at its first sign-in.

    Returns the account and the temporary password, which is shown once and stored nowhere else.
    """
    _require_manager(actor)
    username = username.strip()
    full_name = full_name.strip()
    email = email.strip()
    if not username:
        raise DomainError.single("username", "required", _("Enter a user name."))
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise DomainError.single(
            "username", "invalid", _("A user name may hold letters, digits and @.+-_ only.")
        ) from exc
    if len(username) > 150 or len(full_name) > 150:
        raise DomainError.single("username", "too_long", _("At most 150 characters."))
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError.single("username", "taken", _("The user name %(name)s is taken.") % {"name": username})
    temporary = passwords.temporary_password()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=temporary, first_name=full_name, email=email)
    except IntegrityError as exc:
        raise DomainError.single(
            "username", "taken", _("The user name %(name)s is taken.") % {"name": username}
        ) from exc
    UserSecurity.objects.create(user=user, must_change_password=True)
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        changes={"username": username, "full_name": full_name, "email": email, "must_change_password": True},
    )
    return user, temporary


@transaction.atomic
def do_set_user_active(*, actor: Actor, user: User, active: bool) -> User:
    """Deactivated accounts cannot sign in, and their open sessions end at their next request."""
    _require_manager(actor)
    if actor is not None and actor.pk == user.pk:
        raise DomainError.single("user", "own_account", _("You cannot deactivate your own account."))
    user = _locked_user(user)
    _check_target(actor, user)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        changes={"is_active": [not active, active]},
    )
    return user


@transaction.atomic
def do_reset_password(*, actor: Actor, user: User) -> str:
    """A new temporary password, which the owner must change at the next sign-in; also lifts a lock-out.

    The authenticator stays: whoever resets a password still cannot pass an administrator's second factor.
    """
    _require_manager(actor)
    if actor is not None and actor.pk == user.pk:
        raise DomainError.single("user", "own_account", _("Change your own password on your security page, not here."))
    user = _locked_user(user)
    _check_target(actor, user)
    temporary = passwords.temporary_password()
    user.set_password(temporary)
    user.save(update_fields=["password"])
    security = _security_of(user)
    security.must_change_password = True
    security.save(update_fields=["must_change_password"])
    LoginThrottle.objects.filter(scope=LoginThrottle.Scope.USERNAME, key=lockout.username_key(user.username)).delete()
    audit.record(actor=actor, action="user.password_reset", obj=user, changes={"must_change_password": True})
    return temporary


@transaction.atomic
def do_change_password(*, actor: User, old_password: str, new_password: str) -> None:
    """The owner's own change: the old password proves it is them, the rules judge the new one."""
    user = _locked_user(actor)
    if not user.check_password(old_password):
        raise DomainError.single("old_password", "wrong", _("The current password is not correct."))
    _password_errors(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    security = _security_of(user)
    was_forced = security.must_change_password
    if was_forced:
        security.must_change_password = False
        security.save(update_fields=["must_change_password"])
    audit.record(actor=user, action="user.password_change", obj=user, changes={"was_required": was_forced})
    actor.password = user.password  # the caller keeps its session with update_session_auth_hash


# ---------------------------------------------------------------- roles


def check_grant(
    *,
    actor: Actor,
    user: User,
    role: str,
    region: Region | None = None,
    department: Any | None = None,
    title: str = "",
) -> Region | None:
    """Every rule a grant must pass, without writing; returns the region the membership will carry
    (department staff default to their department's region). Raises DomainError."""
    roles.check_not_self(actor, user)
    if len(title.strip()) > 40:
        raise DomainError.single("title", "too_long", _("At most 40 characters."))
    roles.check_placement(role=role, region=region if role != Role.DEPARTMENT_STAFF else None, department=department)
    if role == Role.DEPARTMENT_STAFF and department is not None and region is None:
        region = department.region
    roles.check_separation(role=role, held=Membership.objects.filter(user=user).values_list("role", flat=True))
    if Membership.objects.filter(user=user, role=role, region=region, department=department).exists():
        raise DomainError.single("role", "duplicate", _("This account already holds this role there."))
    return region


@transaction.atomic
def do_grant_role(
    *,
    actor: Actor,
    user: User,
    role: str,
    region: Region | None = None,
    department: Any | None = None,
    title: str = "",
) -> Membership:
    _require_manager(actor)
    roles.check_not_self(actor, user)
    user = _locked_user(user)  # serialises grants to one account, so two cannot both pass 三员分立
    region = check_grant(actor=actor, user=user, role=role, region=region, department=department, title=title)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, role=role, region=region, department=department, title=title.strip()
            )
    except IntegrityError as exc:
        raise DomainError.single("role", "duplicate", _("This account already holds this role there.")) from exc
    after = _membership_state(membership)
    audit.record(actor=actor, action="membership.create", obj=membership, changes=audit.diff({}, after))
    return membership


@transaction.atomic
def do_revoke_role(*, actor: Actor, membership: Membership) -> None:
    _require_manager(actor)
    roles.check_not_self(actor, membership.user)
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "region").get(pk=membership.pk)
    )
    before = _membership_state(membership)
    audit.record(
        actor=actor, action="membership.delete", obj=membership, changes={k: [v, None] for k, v in before.items()}
    )
    membership.delete()


# ---------------------------------------------------------------- second factor


@transaction.atomic
def do_enroll_totp(*, actor: User, secret: str, code: str) -> None:
    """The owner adds an authenticator: the code proves the phone holds the secret shown."""
    security = _security_of(actor)
    if security.has_totp:
        raise DomainError.single("code", "enrolled", _("An authenticator is already enrolled for this account."))
    step = totp.matching_step(secret, code)
    if step is None:
        raise DomainError.single(
            "code", "wrong_code", _("The code is not correct. Check the phone's clock and try again.")
        )
    security.totp_secret = totp.seal(secret)
    security.totp_confirmed_at = timezone.now()
    security.totp_last_step = step
    security.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    audit.record(actor=actor, action="user.totp_enroll", obj=actor)


@transaction.atomic
def do_check_totp(*, user: User, code: str) -> bool:
    """Whether the code is right now and unused; a right code is spent."""
    security = _security_of(user)
    if not security.has_totp:
        return False
    step = totp.matching_step(totp.unseal(security.totp_secret), code, after_step=security.totp_last_step)
    if step is None:
        return False
    security.totp_last_step = step
    security.save(update_fields=["totp_last_step"])
    return True


@transaction.atomic
def do_disable_totp(*, actor: Actor, user: User, code: str | None = None) -> None:
    """The owner turns their optional authenticator off (with a current code), or the security
    administrator resets a lost one; an administrator is then made to enrol again at next sign-in."""
    own = actor is not None and actor.pk == user.pk
    if own:
        from gongzhi.core.security.state import account_state

        if account_state(user).admin_role:
            raise DomainError.single(
                "code",
                "required",
                _("Administrators must keep a second factor; ask the security administrator to reset it."),
            )
        if code is None or not do_check_totp(user=user, code=code):
            raise DomainError.single(
                "code", "wrong_code", _("The code is not correct. Check the phone's clock and try again.")
            )
    else:
        _require_manager(actor)
        user = _locked_user(user)
        _check_target(actor, user)
    security = _security_of(user)
    if not security.has_totp:
        return
    security.totp_secret = ""
    security.totp_confirmed_at = None
    security.totp_last_step = 0
    security.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    audit.record(actor=actor, action="user.totp_disable", obj=user, changes={"by_owner": own})


@dataclass(frozen=True, slots=True)
class SecondFactorResult:
    passed: bool
    locked: bool  # this name or address is (now) locked: the half-signed-in session should end


def do_pass_second_factor(*, user: User, code: str, ip: str) -> SecondFactorResult:
    """The sign-in's second step. Wrong codes count towards the same lock-out as wrong passwords,
    and only a right code ends the run of failures."""
    if lockout.is_locked(user.get_username(), ip):
        lockout.record_refused(username=user.get_username(), ip=ip, user=user)
        return SecondFactorResult(passed=False, locked=True)
    if do_check_totp(user=user, code=code):
        lockout.record_success(user.get_username())
        return SecondFactorResult(passed=True, locked=False)
    failure = lockout.record_failure(username=user.get_username(), ip=ip, reason="second_factor", user=user)
    return SecondFactorResult(passed=False, locked=failure.locked)


def record_login(*, user: User, ip: str, second_factor: str) -> None:
    """A completed sign-in, after the password and, where one is due, the second factor."""
    audit.record(actor=user, action="auth.login", obj=user, changes={"ip": ip, "second_factor": second_factor})


def record_logout(*, user: User, ip: str) -> None:
    audit.record(actor=user, action="auth.logout", obj=user, changes={"ip": ip})
