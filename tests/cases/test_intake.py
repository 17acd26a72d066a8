"""Intake: validation, locating (point in any declared CRS, or an address), routing by category and
duty list, duplicate warnings, idempotency, photos, and closing on the spot."""

from __future__ import annotations

import io
import threading

import pytest
from django.db import connection
from PIL import Image

from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.intake import Report, do_file_case
from gongzhi.cases.models import Case, CaseEvent, CasePhoto, Status
from gongzhi.cases.photos import clean_photos
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEvent
from gongzhi.regions.crs import wgs84_to_gcj02
from gongzhi.regions.models import Building, Compound
from tests.cases.conftest import GRID1_POINT, GRID2_POINT, Loop


def _png(color: str = "red", exif_gps: bool = False) -> io.BytesIO:
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 30), color)
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.jpg" if exif_gps else "photo.png"
    return buffer


def test_a_report_is_located_routed_and_on_the_timeline(loop: Loop) -> None:
    # given a resident's report of dust from a building site (a 城管局 matter) in 第一网格
    filed = loop.file(category="SJ0302")
    case = filed.case
    # then it sits in that grid, the street registers it, 城管局 is suggested
    assert case.region_code == loop.tree.grid1.code
    assert case.owner_code == loop.tree.street.code
    assert case.suggested_department_id == loop.department.pk
    assert case.status == Status.PENDING
    assert len(case.number) == 14 and filed.token and filed.created
    # and the timeline and audit trail have the filing
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["file"]
    assert AuditEvent.objects.filter(action="case.file", object_id=str(case.pk)).exists()


def test_community_matters_go_to_the_community(loop: Loop) -> None:
    case = loop.file(category="BJ0302", point=GRID2_POINT).case
    assert case.owner_code == loop.tree.community.code


def test_gcj02_coordinates_are_converted_at_the_boundary(loop: Loop) -> None:
    # given the WGS-84 point 10 m inside 第二网格's west edge, sent as GCJ-02 (shifted ~500 m)
    lon, lat = 118.8251, 32.15
    glon, glat = wgs84_to_gcj02(lon, lat)
    # when filed with the CRS declared
    case = loop.file(point=(glon, glat), crs="gcj02").case
    # then it lands in 第二网格, not where the raw numbers would fall
    assert case.region_code == loop.tree.grid2.code
    assert case.lon is not None and abs(case.lon - lon) < 1e-5


def test_an_address_is_resolved_to_its_building(loop: Loop) -> None:
    # given a compound with a building in 第二网格
    compound = Compound.objects.create(community=loop.tree.community, name="仙林东苑", lon=118.84, lat=32.15)
    Building.objects.create(
        code=f"{loop.tree.grid2.code}0001",
        name="12栋",
        compound=compound,
        community=loop.tree.community,
        grid=loop.tree.grid2,
        lon=118.845,
        lat=32.155,
        floors=6,
    )
    from gongzhi.cases import routing

    routing.forget_cached()
    # when a report gives only the address
    filed = do_file_case(
        actor=Actor(),
        report=Report(
            channel="h5",
            title="楼道灯坏了",
            description="仙林东苑12栋3单元楼道灯坏了一周",
            category_code="SJ0104",
            address="栖霞区仙林东苑12栋3单元",
        ),
    )
    # then the case is at the building, in its grid
    assert filed.case.region_code == loop.tree.grid2.code
    assert (filed.case.lon, filed.case.lat) == (118.845, 32.155)


def test_bad_input_lists_every_error_and_stores_nothing(loop: Loop) -> None:
    before = Case.objects.count()
    with pytest.raises(DomainError) as info:
        do_file_case(
            actor=Actor(),
            report=Report(
                channel="h5",
                title="x" * 101,
                description="",
                category_code="MS0501",
                lon=118.81,
                reporter_phone="12345",
                attributes={"workers": "many"},
            ),
        )
    fields = {i.field for i in info.value.items}
    assert {"title", "description", "lon", "reporter_phone", "attributes.employer", "attributes.workers"} <= fields
    assert Case.objects.count() == before


def test_a_point_outside_every_grid_is_refused(loop: Loop) -> None:
    with pytest.raises(DomainError) as info:
        loop.file(point=(118.95, 32.25))
    assert info.value.items[0].code == "outside_area"


def test_the_same_client_key_makes_one_case(loop: Loop) -> None:
    first = loop.file(client_key="abc-1", source="client:7")
    again = loop.file(client_key="abc-1", source="client:7")
    other_source = loop.file(client_key="abc-1", source="client:8")
    assert again.case.pk == first.case.pk and not again.created and again.token == ""
    assert other_source.case.pk != first.case.pk
    assert Case.objects.filter(client_key="abc-1").count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_with_one_key_make_one_case() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    from tests.cases.conftest import make_loop

    loop = make_loop()
    results: list[int] = []
    errors: list[Exception] = []

    def submit() -> None:
        try:
            results.append(loop.file(client_key="same", source="client:1").case.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(set(results)) == 1
    assert Case.objects.filter(client_key="same").count() == 1


def test_a_probable_duplicate_is_flagged(loop: Loop) -> None:
    # given an open case of one category
    first = loop.file(category="SJ0302", point=(118.8100, 32.1500)).case
    # when another of the same category comes from ~50 m away, and one of another category
    near = loop.file(category="SJ0302", point=(118.8105, 32.1502)).case
    other = loop.file(category="BJ0302", point=(118.8105, 32.1502)).case
    far = loop.file(category="SJ0302", point=(118.8200, 32.1400)).case
    # then only the near one of the same category is flagged
    assert near.duplicate_candidate_id == first.pk
    assert other.duplicate_candidate_id is None
    assert far.duplicate_candidate_id is None


def test_photos_are_checked_and_stripped_of_exif(loop: Loop) -> None:
    # given a JPEG carrying EXIF and a PNG
    photos = clean_photos([_png(exif_gps=True), _png()])
    case = do_file_case(
        actor=Actor(),
        report=Report(
            channel="h5",
            title="路灯不亮",
            description="路口路灯连续三晚不亮",
            category_code="BJ0103",
            lon=GRID1_POINT[0],
            lat=GRID1_POINT[1],
        ),
        photos=photos,
    ).case
    stored = list(CasePhoto.objects.filter(case=case))
    assert [p.content_type for p in stored] == ["image/jpeg", "image/png"]
    with Image.open(stored[0].image.path) as image:
        assert not image.getexif()


def test_not_an_image_and_too_many_photos_are_refused() -> None:
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "x.jpg"
    with pytest.raises(DomainError) as info:
        clean_photos([fake])
    assert info.value.items[0].code == "not_an_image"
    with pytest.raises(DomainError) as info:
        clean_photos([_png() for _ in range(7)])
    assert info.value.items[0].code == "too_many"


def test_patrol_closes_on_the_spot_with_a_photo(loop: Loop) -> None:
    # given the grid worker fixed loose flyers during patrol
    filed = do_file_case(
        actor=loop.actor("grid"),
        report=Report(
            channel="patrol",
            title="电线杆小广告",
            description="巡查发现电线杆上贴满小广告",
            category_code="SJ0201",
            lon=GRID1_POINT[0],
            lat=GRID1_POINT[1],
            close_on_spot=True,
            result="已现场清除",
        ),
        photos=clean_photos([_png()]),
    )
    case = filed.case
    # then it is closed on the spot, counted as on time, with both steps on the timeline
    assert (case.status, case.closed_on_spot, case.handled_on_time) == (Status.CLOSED, True, True)
    assert list(case.events.values_list("action", flat=True)) == ["file", "close_on_spot"]


def test_close_on_the_spot_needs_a_photo_and_the_workers_own_grid(loop: Loop) -> None:
    before = Case.objects.count()
    report = Report(
        channel="patrol",
        title="小广告",
        description="电线杆小广告",
        category_code="SJ0201",
        lon=GRID2_POINT[0],
        lat=GRID2_POINT[1],
        close_on_spot=True,
        result="已清除",
    )
    with pytest.raises(DomainError) as info:
        do_file_case(actor=loop.actor("grid"), report=report)
    assert info.value.items[0].field == "photos"
    with pytest.raises(DomainError) as info:
        do_file_case(actor=loop.actor("grid"), report=report, photos=clean_photos([_png()]))
    assert info.value.items[0].code == "not_your_grid"
    assert Case.objects.count() == before


def test_the_reporters_phone_is_sealed(loop: Loop) -> None:
    case = loop.file(reporter_phone="13912345678", reporter_name="王小明").case
    assert case.reporter_phone_masked == "139****5678"
    assert "13912345678" not in case.reporter_phone_ciphertext
    assert case.reporter_name_masked == "王*明"
