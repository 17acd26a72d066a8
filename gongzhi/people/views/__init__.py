"""Pages of the people app, one module per kind of object (NetBox-style list/detail/add/edit each)."""

from gongzhi.people.views.departments import department_add, department_detail, department_list
from gongzhi.people.views.party import partymember_detail, partymember_list, partyorg_detail, partyorg_list
from gongzhi.people.views.people import (
    person_add,
    person_detail,
    person_edit,
    person_export,
    person_import,
    person_import_template,
    person_list,
    person_unmask,
)
from gongzhi.people.views.units import unit_add, unit_detail, unit_edit, unit_list, unit_unmask

__all__ = [
    "department_add",
    "department_detail",
    "department_list",
    "partymember_detail",
    "partymember_list",
    "partyorg_detail",
    "partyorg_list",
    "person_add",
    "person_detail",
    "person_edit",
    "person_export",
    "person_import",
    "person_import_template",
    "person_list",
    "person_unmask",
    "unit_add",
    "unit_detail",
    "unit_edit",
    "unit_list",
    "unit_unmask",
]
