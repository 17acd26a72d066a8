"""The one table that says which role may do what. Scope (which objects) is separate: see access.py.

三员分立: the system administrator keeps reference data and sees no personal data and no audit;
the security administrator manages accounts and roles only; the audit administrator reads the
audit trail only. No role holds two of those, and a Django superuser flag grants none of them.
"""

from __future__ import annotations

from enum import StrEnum

from gongzhi.core.models import Role


class Cap(StrEnum):
    REGIONS_VIEW = "regions.view"
    REGIONS_EDIT = "regions.edit"
    PEOPLE_VIEW = "people.view"
    PEOPLE_EDIT = "people.edit"
    PEOPLE_UNMASK = "people.unmask"
    PEOPLE_IMPORT = "people.import"
    PEOPLE_EXPORT = "people.export"
    PARTY_VIEW = "party.view"
    PARTY_EDIT = "party.edit"
    UNITS_VIEW = "units.view"
    UNITS_EDIT = "units.edit"
    DEPARTMENTS_VIEW = "departments.view"
    DEPARTMENTS_EDIT = "departments.edit"
    ACCOUNTS_MANAGE = "accounts.manage"
    AUDIT_VIEW = "audit.view"
    CASES_VIEW = "cases.view"
    CASES_REPORT = "cases.report"
    CASES_DISPATCH = "cases.dispatch"
    CASES_HANDLE = "cases.handle"
    CASES_VERIFY = "cases.verify"
    CASES_SUPERVISE = "cases.supervise"
    CASES_WHISTLE = "cases.whistle"
    CASES_ADMIT = "cases.admit"
    CASES_IMPORT = "cases.import"
    CASES_CONFIG = "cases.config"
    KPI_VIEW = "kpi.view"
    # The service loop (供需对接): lists, wishes, orders, registrations, activities, points.
    SERVICES_VIEW = "services.view"
    SERVICES_REPORT = "services.report"  # post a wish or need for a resident, confirm for them
    SERVICES_MANAGE = "services.manage"  # approve registrations, run lists, projects, activities, stations
    SERVICES_ALLIANCE = "services.alliance"  # the street's alliance passes ordered services to units
    SERVICES_CONFIG = "services.config"  # need taxonomy, earning rules


_FIELD_READ = {Cap.REGIONS_VIEW, Cap.PEOPLE_VIEW, Cap.PARTY_VIEW, Cap.UNITS_VIEW, Cap.DEPARTMENTS_VIEW}
_REGISTER_WRITE = {Cap.PEOPLE_EDIT, Cap.PARTY_EDIT, Cap.UNITS_EDIT}

# The case loop: who reports, dispatches, handles, verifies and oversees (see cases/workflow.py for
# which of these each transition needs).
_CASE_FIELD = {Cap.CASES_VIEW, Cap.CASES_REPORT, Cap.CASES_HANDLE, Cap.CASES_VERIFY}
_CASE_OFFICE = {Cap.CASES_VIEW, Cap.CASES_REPORT, Cap.CASES_DISPATCH, Cap.CASES_VERIFY, Cap.KPI_VIEW}
_CASE_STREET = {
    Cap.CASES_VIEW,
    Cap.CASES_REPORT,
    Cap.CASES_DISPATCH,
    Cap.CASES_SUPERVISE,
    Cap.CASES_WHISTLE,
    Cap.CASES_ADMIT,
    Cap.CASES_IMPORT,
    Cap.KPI_VIEW,
}

_SERVICE_FIELD = {Cap.SERVICES_VIEW, Cap.SERVICES_REPORT}
_SERVICE_OFFICE = {Cap.SERVICES_VIEW, Cap.SERVICES_REPORT, Cap.SERVICES_MANAGE}

CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.GRID_WORKER: frozenset(_FIELD_READ | {Cap.PEOPLE_EDIT} | _CASE_FIELD | _SERVICE_FIELD),
    Role.COMMUNITY_STAFF: frozenset(
        _FIELD_READ | _REGISTER_WRITE | {Cap.PEOPLE_IMPORT, Cap.PEOPLE_EXPORT} | _CASE_OFFICE | _SERVICE_OFFICE
    ),
    Role.COMMUNITY_SECRETARY: frozenset(
        _FIELD_READ
        | _REGISTER_WRITE
        | {Cap.PEOPLE_IMPORT, Cap.PEOPLE_EXPORT, Cap.PEOPLE_UNMASK}
        | _CASE_OFFICE
        | _SERVICE_OFFICE
    ),
    Role.STREET_STAFF: frozenset(
        _FIELD_READ
        | _REGISTER_WRITE
        | {Cap.PEOPLE_EXPORT, Cap.PEOPLE_UNMASK}
        | _CASE_STREET
        | _SERVICE_OFFICE
        | {Cap.SERVICES_ALLIANCE}
    ),
    # Departments see cases only when sent to them (cases.access); people only through those cases.
    Role.DEPARTMENT_STAFF: frozenset({Cap.REGIONS_VIEW, Cap.DEPARTMENTS_VIEW, Cap.UNITS_VIEW, Cap.CASES_HANDLE}),
    Role.DISTRICT_LEADER: frozenset(
        _FIELD_READ
        | {Cap.PEOPLE_EXPORT, Cap.CASES_VIEW, Cap.CASES_DISPATCH, Cap.CASES_SUPERVISE, Cap.CASES_WHISTLE}
        | {Cap.CASES_IMPORT, Cap.KPI_VIEW, Cap.SERVICES_VIEW}
    ),
    Role.CITY_LEADER: frozenset(_FIELD_READ | {Cap.CASES_VIEW, Cap.CASES_SUPERVISE, Cap.KPI_VIEW, Cap.SERVICES_VIEW}),
    Role.SYSTEM_ADMIN: frozenset(
        {
            Cap.REGIONS_VIEW,
            Cap.REGIONS_EDIT,
            Cap.DEPARTMENTS_VIEW,
            Cap.DEPARTMENTS_EDIT,
            Cap.CASES_CONFIG,
            Cap.SERVICES_CONFIG,
        }
    ),
    Role.SECURITY_ADMIN: frozenset({Cap.ACCOUNTS_MANAGE}),
    Role.AUDIT_ADMIN: frozenset({Cap.AUDIT_VIEW}),
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def capabilities_of(role: str) -> frozenset[Cap]:
    return CAPABILITIES.get(role, frozenset())
