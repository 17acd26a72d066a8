"""Excel export of people: masked values only, and every export on the audit trail.

The export reads masked columns through `values_list`, so the ciphertext never even leaves the
database; a file that travels by USB stick and e-mail must hold nothing a mask would hide.
"""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from openpyxl import Workbook

from gongzhi.core import audit
from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.people.imports import BUILDING, GRID, ID_NUMBER, NAME, PHONE, RELATION, RESIDENCE, ROOM, UNIT
from gongzhi.people.models import Gender, HouseholdRelation, Person, ResidenceType

# The import's headers where the meaning is the same, so an export reads like a familiar register.
EXPORT_COLUMNS: tuple[str, ...] = (
    NAME,
    "性别",
    "出生日期",
    ID_NUMBER,
    PHONE,
    GRID,
    BUILDING,
    UNIT,
    ROOM,
    RELATION,
    RESIDENCE,
    "状态",
)
_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "region_code",
    "room__unit__building__code",
    "room__unit__number",
    "room__number",
    "household_relation",
    "residence_type",
    "is_active",
)


def export_people_xlsx(user: AnyUser, queryset: QuerySet[Person], description: str = "") -> bytes:
    """The queryset (already filtered by the caller) as .xlsx, cut down to the user's export scope.

    `description` says what the filter was (e.g. "网格=320113004012003, 姓名含 张"); it goes to the audit row.
    """
    scope = capability_scope(user, Cap.PEOPLE_EXPORT)
    if not (scope.everything or scope.prefixes):
        raise PermissionDenied(Cap.PEOPLE_EXPORT)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员")
    sheet.append(list(EXPORT_COLUMNS))
    # Labels in Chinese whatever the user's language: the file format, like its headers, is Chinese.
    with translation.override("zh-hans"):
        genders = {k: str(v) for k, v in Gender.choices}
        relations = {k: str(v) for k, v in HouseholdRelation.choices}
        residences = {k: str(v) for k, v in ResidenceType.choices}
        active, inactive = "在册", "注销"
    count = 0
    for values in queryset.filter(scope.q("region_code")).values_list(*_FIELDS).iterator(chunk_size=2000):
        name, gender, born, id_masked, phone_masked, grid, building, unit, room, relation, residence, is_active = values
        sheet.append(
            [
                name,
                genders.get(gender, ""),
                born.isoformat() if born else "",
                id_masked,
                phone_masked,
                grid,
                building or "",
                str(unit) if unit is not None else "",
                room or "",
                relations.get(relation, ""),
                residences.get(residence, ""),
                active if is_active else inactive,
            ]
        )
        count += 1
    out = io.BytesIO()
    workbook.save(out)
    with transaction.atomic():
        audit.record(actor=user, action="people.export", changes={"count": count, "filter": description[:500]})
    return out.getvalue()
