"""Residents, departments, units, party organisations and members.

Every row that belongs to a place carries `region_code`, the code of the most specific region it
sits in (a grid for residents), so scoping is one prefix filter without joins. Personal data is
stored three ways (see core.pii): ciphertext, keyed digest for exact search, and the masked form.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Building, Region, Room


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class HouseholdRelation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Father or mother")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")
    TENANT = "tenant", _("Tenant")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered resident")  # 户籍人口
    MIGRANT = "migrant", _("Migrant resident")  # 流动人口
    FOREIGN = "foreign", _("Foreign resident")  # 境外人员



class Department(models.Model):
    """职能部门: belongs to a district (or street) and acts on what is sent to it."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("region"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)  # an office line, not personal
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ("code",)
        constraints = [models.UniqueConstraint(fields=("region", "name"), name="people_department_region_name_uniq")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number_ciphertext = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    phone_ciphertext = models.TextField(blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="residents", verbose_name=_("home")
    )
    region_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    household_relation = models.CharField(
        _("relation to head of household"), max_length=12, choices=HouseholdRelation.choices, blank=True
    )
    residence_type = models.CharField(
        _("residence type"), max_length=12, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ("region_code", "name", "id")
        constraints = [
            # One person, one record: the ID number's digest is unique where present.
            models.UniqueConstraint(
                fields=("id_number_digest",),
                condition=~models.Q(id_number_digest=""),
                name="people_person_id_digest_uniq",
            )
        ]
        indexes = [
            models.Index(fields=("region_code",), name="people_person_region_like", opclasses=("varchar_pattern_ops",))
        ]

    def __str__(self) -> str:
        return self.name


class UnitType(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    INSTITUTION = "institution", _("Public institution")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """驻区单位 / 共建单位: an organisation located in, or working with, a community."""

    name = models.CharField(_("name"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    unit_type = models.CharField(_("type"), max_length=24, choices=UnitType.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("community")
    )
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    is_cobuilding = models.BooleanField(_("co-building unit"), default=False)
    liaison_name = models.CharField(_("liaison"), max_length=50, blank=True)
    liaison_phone_ciphertext = models.TextField(blank=True, editable=False)
    liaison_phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    liaison_phone_masked = models.CharField(_("liaison phone"), max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ("region_code", "name")
        constraints = [models.UniqueConstraint(fields=("community", "name"), name="people_unit_community_name_uniq")]

    def __str__(self) -> str:
        return self.name


class PartyOrgKind(models.TextChoices):
    STREET_WORKING_COMMITTEE = "street_committee", _("Street Party Working Committee")  # 街道党工委
    COMMUNITY_COMMITTEE = "community_committee", _("Community Party Committee")  # 社区党委
    COMMUNITY_GENERAL_BRANCH = "community_general_branch", _("Community General Party Branch")  # 党总支
    GRID_BRANCH = "grid_branch", _("Grid Party Branch")  # 网格党支部
    BUILDING_GROUP = "building_group", _("Building Party Group")  # 楼栋党小组
    CENTRAL_HOUSEHOLD = "central_household", _("Party Member Central Household")  # 党员中心户


# Which kind may sit under which: the party tree mirrors the jurisdiction tree.
PARTY_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    PartyOrgKind.STREET_WORKING_COMMITTEE: (),
    PartyOrgKind.COMMUNITY_COMMITTEE: (PartyOrgKind.STREET_WORKING_COMMITTEE,),
    PartyOrgKind.COMMUNITY_GENERAL_BRANCH: (PartyOrgKind.STREET_WORKING_COMMITTEE,),
    PartyOrgKind.GRID_BRANCH: (PartyOrgKind.COMMUNITY_COMMITTEE, PartyOrgKind.COMMUNITY_GENERAL_BRANCH),
    PartyOrgKind.BUILDING_GROUP: (PartyOrgKind.GRID_BRANCH,),
    PartyOrgKind.CENTRAL_HOUSEHOLD: (PartyOrgKind.BUILDING_GROUP,),
}


class PartyOrganization(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=PartyOrgKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="party_organizations", verbose_name=_("region")
    )
    region_code = models.CharField(_("region code"), max_length=15, db_index=True)
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="party_groups",
        verbose_name=_("building"),
    )

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ("region_code", "kind", "name")
        constraints = [models.UniqueConstraint(fields=("parent", "name"), name="people_partyorg_parent_name_uniq")]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    RESIDENT = "resident", _("Resident party member")  # 居民党员 (组织关系在社区)
    IN_SERVICE = "in_service", _("In-service party member")  # 在职党员 (到社区报到)


class PartyMember(models.Model):
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="party_member")
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="members", verbose_name=_("party organisation")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MemberKind.choices)
    registered_community = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="registered_members",
        verbose_name=_("registered with community"),
    )
    # In-service members are seen by the community they registered with; resident ones by their home.
    region_code = models.CharField(_("community code"), max_length=15, db_index=True)
    employer = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="party_members", verbose_name=_("employer")
    )
    joined_on = models.DateField(_("joined the party on"), null=True, blank=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ("region_code", "id")

    def __str__(self) -> str:
        return str(self.person)
