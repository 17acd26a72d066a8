"""The people pages as their users see them: lists, search, detail, forms, 「查看」, import, export.

Who may open which page at all is the permission matrix's business (test_permission_matrix.py);
these tests are about what the pages show and do.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from gongzhi.core.models import AuditEvent, Role
from gongzhi.people.imports import BUILDING, COLUMNS, GRID, ID_NUMBER, NAME, PHONE, RELATION, ROOM, UNIT
from gongzhi.people.models import Department, Person, Unit
from tests.people.conftest import PeopleTree, client_for, make_credit_code, make_id_number

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def new_id(sequence: int = 801) -> str:
    return make_id_number("320113", dt.date(1990, 5, 6), sequence)


def xlsx(rows: list[dict[str, object]], name: str = "people.xlsx") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(c, "") for c in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    upload = io.BytesIO(data.getvalue())
    upload.name = name
    return upload


# ------------------------------------------------------------------------------ the list


def test_a_grid_worker_lists_only_their_grid_with_masked_numbers(people_tree: PeopleTree, grid_worker: Client) -> None:
    # when the grid worker of 第一网格 opens the residents page
    page = html(grid_worker.get("/people/"))

    # then they see the three residents of their grid (and the household's ID numbers masked) …
    grid1 = people_tree.place("grid1")
    for person in grid1.residents:
        assert person.name in page
        assert person.id_number_masked in page and person.phone_masked in page
    assert re.search(r'<span class="count">3</span>', page)
    # … nothing of the next grid, and no plaintext number at all
    assert people_tree.place("grid2").resident.name not in page
    for value in people_tree.all_plaintext():
        assert value not in page


def test_the_list_filters_by_code_type_and_status(people_tree: PeopleTree, community: Client) -> None:
    grid2 = people_tree.place("grid2")

    by_grid = html(community.get("/people/", {"region": grid2.grid.code}))
    migrants = html(community.get("/people/", {"residence_type": "migrant"}))
    heads = html(community.get("/people/", {"household_relation": "head"}))

    assert grid2.resident.name in by_grid and people_tree.place("grid1").resident.name not in by_grid
    # Everyone in 尧化门 is registered; the one migrant (from Henan) lives in 马群, outside.
    assert "没有符合条件的人员" in migrants
    assert "王建国" in heads and "王子涵" not in heads


def test_a_bad_code_filter_shows_an_error_not_everything(community: Client) -> None:
    page = html(community.get("/people/", {"region": "32x"}))

    assert "请输入 6 至 15 位数字编码" in page
    assert "王建国" not in page


def test_search_by_exact_id_number_is_a_post_and_never_echoes_the_number(
    people_tree: PeopleTree, community: Client
) -> None:
    person = people_tree.place("grid2").residents[1]
    id_number = people_tree.plaintext[person.pk][0]

    # The search form posts: the number never becomes part of a URL
    form = html(community.get("/people/"))
    assert re.search(r'<form method="post" action="/people/" class="searchform"', form)

    response = community.post("/people/", {"q": f" {id_number[:6]} {id_number[6:]} "})  # spaces as people type them
    page = html(response)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert person.name in page and "按身份证号或手机号精确查找" in page
    # exactly that person: the others of the household share the surname and address, not the number
    assert page.count('<tr data-id="') == 1
    assert id_number not in page and id_number[:6] + " " not in page


def test_search_by_phone_and_by_name(people_tree: PeopleTree, community: Client) -> None:
    person = people_tree.place("grid1").residents[2]
    phone = people_tree.plaintext[person.pk][1]

    by_phone = html(community.post("/people/", {"q": phone}))
    by_name = html(community.post("/people/", {"q": "建国"}))

    assert person.name in by_phone and by_phone.count('<tr data-id="') == 1 and phone not in by_phone
    assert "王建国" in by_name and "陈建国" in by_name and "刘建国" not in by_name  # 新尧 is not theirs
    assert 'value="建国"' in by_name  # names may be echoed back; numbers may not


def test_search_cannot_find_someone_outside_by_their_number(people_tree: PeopleTree, grid_worker: Client) -> None:
    outside = people_tree.place("grid2").resident
    page = html(grid_worker.post("/people/", {"q": people_tree.plaintext[outside.pk][0]}))

    assert outside.name not in page and "没有符合条件的人员" in page


# ---------------------------------------------------------------------------- the detail


def test_detail_shows_derived_facts_address_party_and_household(people_tree: PeopleTree, community: Client) -> None:
    grid1 = people_tree.place("grid1")
    head = grid1.resident

    page = html(community.get(f"/people/{head.pk}/"))

    assert head.id_number_masked in page and head.phone_masked in page
    assert "男" in page and "1972-03-08" in page  # gender and birth date from the ID number
    assert "栖霞区/尧化街道/尧化门社区/第一网格1幢/1单元/" in page  # the standard address
    assert grid1.branch.name in page and "党员" in page  # party membership
    assert "李秀英" in page and "王子涵" in page  # the rest of the household
    for value in people_tree.all_plaintext():
        assert value not in page


def test_only_roles_that_may_unmask_get_the_view_button(
    people_tree: PeopleTree, community: Client, secretary: Client
) -> None:
    person = people_tree.place("grid1").resident
    url = f"/people/{person.pk}/unmask/phone/"

    assert url not in html(community.get(f"/people/{person.pk}/"))
    page = html(secretary.get(f"/people/{person.pk}/"))
    assert f'hx-get="{url}"' in page and ">查看</a>" in page


def test_an_out_of_scope_resident_is_a_plain_404(people_tree: PeopleTree, grid_worker: Client) -> None:
    outside = people_tree.place("grid2").resident
    missing = Person.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]

    a = grid_worker.get(f"/people/{outside.pk}/")
    b = grid_worker.get(f"/people/{missing}/")

    assert a.status_code == b.status_code == 404
    assert outside.name not in html(a)
    # nothing tells "not yours" from "not there" (but the per-request CSRF token and the page's own URL)
    noise = re.compile(r'"X-CSRFToken": "[^"]+"|value="[A-Za-z0-9]{64}"|/people/\d+/')
    assert noise.sub("", html(a)) == noise.sub("", html(b))


# ------------------------------------------------------------------------------- 「查看」


def test_unmask_asks_for_a_reason_then_shows_the_value_in_place(people_tree: PeopleTree, secretary: Client) -> None:
    person = people_tree.place("grid1").residents[1]
    url = f"/people/{person.pk}/unmask/phone/"
    phone = people_tree.plaintext[person.pk][1]

    # when they press 「查看」 the masked value turns into a small form asking why
    form = secretary.get(url, headers=HTMX)
    assert form.status_code == 200 and 'name="reason"' in html(form)
    assert 'id="pii-phone"' in html(form) and "<html" not in html(form)
    assert "no-store" in form["Cache-Control"]

    # without a reason nothing is shown and nothing logged
    before = AuditEvent.objects.count()
    empty = secretary.post(url, {"reason": " "}, headers=HTMX)
    assert phone not in html(empty) and "请填写事由" in html(empty)
    assert AuditEvent.objects.count() == before

    # with one, the full number replaces the mask, uncached, and the view is on the audit trail
    shown = secretary.post(url, {"reason": "电话回访"}, headers=HTMX)
    assert shown.status_code == 200 and phone in html(shown)
    assert "no-store" in shown["Cache-Control"]
    assert 'hx-history="false"' in html(shown)
    event = AuditEvent.objects.get(action="pii.unmask")
    assert event.object_id == str(person.pk) and event.changes["reason"] == "电话回访"
    assert event.actor == people_tree.users[Role.COMMUNITY_SECRETARY] and event.source == "web"
    assert phone not in str(event.changes)


def test_unmask_works_without_javascript_too(people_tree: PeopleTree, secretary: Client) -> None:
    person = people_tree.place("grid1").resident
    url = f"/people/{person.pk}/unmask/id_number/"

    page = secretary.get(url)
    assert "<html" in html(page) and 'name="reason"' in html(page)
    shown = secretary.post(url, {"reason": "核对户籍"})
    assert people_tree.plaintext[person.pk][0] in html(shown) and "no-store" in shown["Cache-Control"]


def test_cancel_puts_the_mask_back_and_unknown_fields_are_404(people_tree: PeopleTree, secretary: Client) -> None:
    person = people_tree.place("grid1").resident

    cancel = secretary.get(f"/people/{person.pk}/unmask/phone/", {"cancel": "1"}, headers=HTMX)
    assert person.phone_masked in html(cancel) and ">查看</a>" in html(cancel)
    assert secretary.post(f"/people/{person.pk}/unmask/name/", {"reason": "x"}).status_code == 404


# ------------------------------------------------------------------------- create and edit


def test_a_grid_worker_registers_a_resident_in_their_grid(people_tree: PeopleTree, grid_worker: Client) -> None:
    grid1 = people_tree.place("grid1")
    response = grid_worker.post(
        "/people/add/",
        {
            "name": "赵新",
            "id_number": new_id(),
            "phone": "138 0013 8000",
            "building_code": grid1.building.code,
            "unit_number": "1",
            "room_number": grid1.rooms[1].number,
            "household_relation": "head",
            "residence_type": "registered",
        },
    )

    person = Person.objects.get(name="赵新")
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.room == grid1.rooms[1] and person.region_code == grid1.grid.code
    assert person.phone_masked == "138****8000" and person.birth_date == dt.date(1990, 5, 6)
    assert "已登记 赵新" in html(grid_worker.get(response["Location"]))


def test_create_errors_are_chinese_and_on_their_fields(people_tree: PeopleTree, grid_worker: Client) -> None:
    grid1 = people_tree.place("grid1").grid.code
    bad_checksum = new_id()[:-1] + ("0" if new_id()[-1] != "0" else "1")

    page = html(
        grid_worker.post(
            "/people/add/",
            {
                "name": "赵新",
                "id_number": bad_checksum,
                "phone": "12345",
                "grid": grid1,
                "residence_type": "registered",
            },
        )
    )

    assert Person.objects.filter(name="赵新").count() == 0
    id_field = page[page.index('id="id_id_number"') :]
    assert "校验" in id_field[: id_field.index("</div>")]  # the checksum message sits under the ID input
    assert "field-invalid" in page and "手机" in page


def test_every_field_error_shows_at_once(grid_worker: Client) -> None:
    # no grid and no home, a bad ID and a bad phone: one round trip shows all three
    page = html(
        grid_worker.post(
            "/people/add/",
            {"name": "赵新", "id_number": "32011319900506000", "phone": "139", "residence_type": "registered"},
        )
    )

    assert page.count('field-invalid"') == 3
    assert "请选择网格，或填写住址" in page


def test_create_refuses_a_grid_outside_and_a_duplicate(people_tree: PeopleTree, grid_worker: Client) -> None:
    existing = people_tree.place("grid1").resident
    outside = html(
        grid_worker.post(
            "/people/add/",
            {
                "name": "赵新",
                "id_number": new_id(),
                "grid": people_tree.place("grid2").grid.code,
                "residence_type": "registered",
            },
        )
    )
    duplicate = html(
        grid_worker.post(
            "/people/add/",
            {
                "name": "赵新",
                "id_number": people_tree.plaintext[existing.pk][0],
                "grid": people_tree.place("grid1").grid.code,
                "residence_type": "registered",
            },
        )
    )

    assert "选择一个有效的选项" in outside
    assert "已登记" in duplicate or "already" in duplicate
    assert Person.objects.filter(name="赵新").count() == 0


def test_the_grid_choices_are_only_the_users_grids(community: Client) -> None:
    page = html(community.get("/people/add/"))

    assert "320113001001001 第一网格" in page and "320113001001002 第二网格" in page
    assert "320113001002001" not in page


def test_edit_keeps_the_phone_unless_a_new_one_is_given(people_tree: PeopleTree, community: Client) -> None:
    person = people_tree.place("grid1").residents[2]
    url = f"/people/{person.pk}/edit/"
    form = html(community.get(url))
    assert person.id_number_masked in form and 'name="id_number"' not in form  # the ID is not editable

    response = community.post(
        url, {"name": "王梓涵", "residence_type": "registered", "household_relation": "child", "is_active": "on"}
    )

    person.refresh_from_db()
    assert response.status_code == 302
    assert person.name == "王梓涵" and person.phone_masked == "139****0003"
    event = AuditEvent.objects.filter(action="person.update").latest("id")
    assert event.changes == {"name": ["王子涵", "王梓涵"]}


def test_edit_moves_someone_to_another_home_in_scope(people_tree: PeopleTree, community: Client) -> None:
    person = people_tree.place("grid1").residents[2]
    target = people_tree.place("grid2")

    response = community.post(
        f"/people/{person.pk}/edit/",
        {
            "name": person.name,
            "residence_type": "registered",
            "building_code": target.building.code,
            "unit_number": "1",
            "room_number": target.rooms[2].number,
            "is_active": "on",
        },
    )

    person.refresh_from_db()
    assert response.status_code == 302 and person.room == target.rooms[2] and person.region_code == target.grid.code


def test_edit_refuses_a_home_outside(people_tree: PeopleTree, community: Client) -> None:
    person = people_tree.place("grid1").residents[2]
    elsewhere = people_tree.place("grid3")

    page = html(
        community.post(
            f"/people/{person.pk}/edit/",
            {
                "name": person.name,
                "residence_type": "registered",
                "building_code": elsewhere.building.code,
                "unit_number": "1",
                "room_number": elsewhere.rooms[0].number,
                "is_active": "on",
            },
        )
    )

    person.refresh_from_db()
    assert "您的辖区内没有这一户室" in page and person.region_code == people_tree.place("grid1").grid.code


# ------------------------------------------------------------------------ import / export


def test_import_reports_every_bad_row_and_imports_nothing(people_tree: PeopleTree, community: Client) -> None:
    grid1 = people_tree.place("grid1")
    rows: list[dict[str, object]] = [
        {NAME: "好人一", ID_NUMBER: new_id(811), GRID: grid1.grid.code},
        {
            NAME: "坏校验",
            ID_NUMBER: new_id(812)[:-1] + "0" if new_id(812)[-1] != "0" else new_id(812)[:-1] + "1",
            GRID: grid1.grid.code,
        },
        {NAME: "好人二", ID_NUMBER: new_id(813), PHONE: "139", GRID: grid1.grid.code},
        {NAME: "外网格", ID_NUMBER: new_id(814), GRID: people_tree.place("grid3").grid.code},
        {NAME: "有住址", ID_NUMBER: new_id(815), BUILDING: grid1.building.code, UNIT: 1, ROOM: "999", RELATION: "户主"},
    ]
    before = Person.objects.count()

    response = community.post("/people/import/", {"community": grid1.community.code, "file": xlsx(rows)})

    page = html(response)
    assert response.status_code == 200 and Person.objects.count() == before
    report = page[page.index('id="import-errors"') :]
    for row in (3, 4, 5, 6):
        assert f'<td class="num">{row}</td>' in report
    assert '<td class="num">2</td>' not in report
    assert "未导入任何数据" in page and "4 个问题" in page


def test_a_good_import_lands_and_says_how_many(people_tree: PeopleTree, community: Client) -> None:
    grid1 = people_tree.place("grid1")
    rows: list[dict[str, object]] = [
        {NAME: f"新人{i}", ID_NUMBER: new_id(820 + i), PHONE: f"1380000{i:04d}", GRID: grid1.grid.code}
        for i in range(5)
    ]

    response = community.post("/people/import/", {"community": grid1.community.code, "file": xlsx(rows)}, follow=True)

    assert response.redirect_chain[-1][0] == "/people/"
    assert "已导入 5 人" in html(response)
    assert Person.objects.filter(name__startswith="新人").count() == 5
    assert AuditEvent.objects.filter(action="people.import").count() == 1


def test_import_refuses_a_file_that_is_not_excel(people_tree: PeopleTree, community: Client) -> None:
    upload = io.BytesIO(b"name,id\n")
    upload.name = "people.csv"

    page = html(community.post("/people/import/", {"community": "320113001001", "file": upload}))

    assert "请上传 Excel 工作簿" in page


def test_import_template_has_the_columns(community: Client) -> None:
    response = community.get("/people/import/template.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert "attachment" in response["Content-Disposition"]


def test_export_is_a_masked_workbook_of_the_filtered_list(people_tree: PeopleTree, community: Client) -> None:
    grid2 = people_tree.place("grid2")

    response = community.post("/people/export/", {"region": grid2.grid.code})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    names = {r[0] for r in rows[1:]}
    assert names == {p.name for p in grid2.residents}
    text = str(rows)
    assert grid2.resident.id_number_masked in text
    for value in people_tree.all_plaintext():
        assert value not in text
    event = AuditEvent.objects.get(action="people.export")
    assert event.changes["count"] == 3 and grid2.grid.code in event.changes["filter"]


def test_export_with_a_bad_filter_exports_nothing(community: Client) -> None:
    response = community.post("/people/export/", {"region": "32x"}, follow=True)

    assert response.redirect_chain[-1][0] == "/people/" and "筛选条件有误" in html(response)
    assert not AuditEvent.objects.filter(action="people.export").exists()


def test_export_is_not_a_link(community: Client) -> None:
    # An audited act is a POST: a prefetcher or a pasted URL must not produce exports.
    assert community.get("/people/export/").status_code == 405


def test_list_buttons_follow_the_capabilities(people_tree: PeopleTree, grid_worker: Client, community: Client) -> None:
    worker = html(grid_worker.get("/people/"))
    staff = html(community.get("/people/"))
    leader = html(client_for(people_tree.users[Role.DISTRICT_LEADER]).get("/people/"))

    assert "/people/add/" in worker and "/people/import/" not in worker and "/people/export/" not in worker
    assert "/people/add/" in staff and "/people/import/" in staff and "/people/export/" in staff
    assert "/people/add/" not in leader and "/people/import/" not in leader and "/people/export/" in leader


# ------------------------------------------------------------------------------- party


def test_party_tree_lists_parents_before_children(people_tree: PeopleTree, community: Client) -> None:
    page = html(client_for(people_tree.users[Role.STREET_STAFF]).get("/party-organizations/"))

    order = [
        "尧化街道党工委",
        "尧化门社区党委",
        "第一网格党支部",
        "第一网格1幢党小组",
        "第二网格党支部",
        "新尧社区党总支",
    ]
    positions = [page.index(name) for name in order]
    assert positions == sorted(positions)
    assert "马群" not in page
    assert "tree-depth-3" in page  # the building group is indented under its branch


def test_party_list_filters_by_kind(community: Client) -> None:
    page = html(community.get("/party-organizations/", {"kind": "grid_branch"}))

    assert "第一网格党支部" in page and "第二网格党支部" in page and "尧化门社区党委</a>" not in page


def test_party_organisation_detail_lists_children_and_members(people_tree: PeopleTree, community: Client) -> None:
    committee = people_tree.community_committee

    page = html(community.get(f"/party-organizations/{committee.pk}/"))

    assert "第一网格党支部" in page and "第二网格党支部" in page  # children
    assert "吴敏" in page and "在职党员" in page  # the in-service member registered here
    assert "尧化街道党工委" in page  # the breadcrumb names the parent …
    assert f'href="/party-organizations/{people_tree.street_committee.pk}/"' not in page  # … without a dead link


def test_in_service_member_is_seen_by_the_community_but_their_home_is_not_linked(
    people_tree: PeopleTree, community: Client
) -> None:
    member = people_tree.in_service_member

    page = html(community.get(f"/party-members/{member.pk}/"))

    assert "吴敏" in page and people_tree.place("grid1").unit.name in page
    assert f'href="/people/{member.person_id}/"' not in page  # lives in 马群: outside this community
    assert community.get(f"/people/{member.person_id}/").status_code == 404


def test_party_member_list(people_tree: PeopleTree, grid_worker: Client) -> None:
    page = html(grid_worker.get("/party-members/"))

    assert "王建国" in page and "陈建国" not in page and "吴敏" not in page


# ------------------------------------------------------------------------------- units


def test_unit_pages_mask_the_liaison_phone(people_tree: PeopleTree, community: Client, secretary: Client) -> None:
    unit = people_tree.place("grid1").unit

    listing = html(community.get("/units/"))
    detail = html(community.get(f"/units/{unit.pk}/"))
    shown = secretary.post(f"/units/{unit.pk}/unmask/", {"reason": "联系共建"}, headers=HTMX)

    assert unit.name in listing and unit.liaison_phone_masked in listing
    assert people_tree.place("grid3").unit.name not in listing
    assert unit.liaison_phone_masked in detail and "/unmask/" not in detail
    assert "<dt>共建单位</dt><dd>是</dd>" in detail  # `yesno:_("Yes,No")` is translated too
    assert "吴敏" in detail  # its in-service member
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert re.search(r"1370000\d{4}", html(shown))


def test_unit_create_and_edit(people_tree: PeopleTree, community: Client) -> None:
    code = make_credit_code("91", "320113", "MA000555")
    created = community.post(
        "/units/add/",
        {
            "name": "银城物业",
            "credit_code": code.lower(),
            "unit_type": "private_enterprise",
            "community": "320113001001",
            "is_cobuilding": "on",
            "liaison_name": "钱经理",
            "liaison_phone": "13912345678",
        },
    )
    unit = Unit.objects.get(name="银城物业")
    edited = community.post(f"/units/{unit.pk}/edit/", {"name": "银城物业服务公司", "unit_type": "private_enterprise"})

    unit.refresh_from_db()
    assert created.status_code == 302 and edited.status_code == 302
    assert unit.credit_code == code and unit.liaison_phone_masked == "139****5678"
    assert (
        unit.name == "银城物业服务公司" and unit.is_cobuilding is False and unit.liaison_phone_masked == "139****5678"
    )


def test_unit_create_reports_a_bad_credit_code(community: Client) -> None:
    page = html(
        community.post(
            "/units/add/",
            {"name": "坏代码", "credit_code": "91320113MA00055X00", "unit_type": "other", "community": "320113001001"},
        )
    )

    assert Unit.objects.filter(name="坏代码").count() == 0
    assert "field-invalid" in page and "信用代码" in page


# -------------------------------------------------------------------------- departments


def test_the_system_admin_keeps_departments(people_tree: PeopleTree) -> None:
    admin = client_for(people_tree.users[Role.SYSTEM_ADMIN])

    listing = html(admin.get("/departments/"))
    created = admin.post("/departments/add/", {"region": "320113", "code": "320113-09", "name": "南京市栖霞区民政局"})

    assert "南京市栖霞区城市管理局" in listing and "南京市雨花台区城市管理局" in listing
    assert created.status_code == 302
    department = Department.objects.get(code="320113-09")
    assert created["Location"] == f"/departments/{department.pk}/"
    detail = html(admin.get(created["Location"]))
    assert "南京市栖霞区民政局" in detail and "栖霞区" in detail


def test_department_staff_see_their_district_only(people_tree: PeopleTree) -> None:
    staff = client_for(people_tree.users[Role.DEPARTMENT_STAFF])

    page = html(staff.get("/departments/"))

    assert "南京市栖霞区城市管理局" in page and "雨花台" not in page and "/departments/add/" not in page


def test_duplicate_department_code_is_reported_on_the_field(people_tree: PeopleTree) -> None:
    admin = client_for(people_tree.users[Role.SYSTEM_ADMIN])

    page = html(admin.post("/departments/add/", {"region": "320113", "code": "320113-01", "name": "重复局"}))

    assert "320113-01" in page and "field-invalid" in page
    assert not Department.objects.filter(name="重复局").exists()


# ------------------------------------------------------------------------------- navigation


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.GRID_WORKER, ["/people/", "/party-organizations/", "/party-members/", "/units/"], []),
        (Role.DEPARTMENT_STAFF, ["/units/", "/departments/"], ["/people/", "/party-members/"]),
        (Role.SYSTEM_ADMIN, ["/departments/"], ["/people/", "/units/", "/party-organizations/"]),
        (Role.AUDIT_ADMIN, [], ["/people/", "/units/", "/departments/"]),
    ],
)
def test_navigation_shows_what_the_role_may_open(
    people_tree: PeopleTree, role: str, shown: list[str], hidden: list[str]
) -> None:
    page = html(client_for(people_tree.users[role]).get("/"))
    nav = page[page.index('<nav class="sidenav"') : page.index("</nav>", page.index('<nav class="sidenav"'))]

    for url in shown:
        assert f'href="{url}"' in nav
    for url in hidden:
        assert f'href="{url}"' not in nav


def test_the_active_nav_entry_is_marked(people_tree: PeopleTree, community: Client) -> None:
    page = html(community.get(f"/people/{people_tree.place('grid1').resident.pk}/"))

    assert '<a href="/people/" class="active" aria-current="page">居民</a>' in page
