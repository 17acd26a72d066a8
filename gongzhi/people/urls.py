"""Pages of people, party organisations and members, units and departments.

NetBox-style names (`person_list`, `person`, `person_add`, `person_edit`) and database ids in the
URL: unlike regions, these objects have no public code — and a person's ID number must never be
one.
"""

from django.urls import path

from gongzhi.people import views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/import/", views.person_import, name="person_import"),
    path("people/import/template.xlsx", views.person_import_template, name="person_import_template"),
    path("people/export/", views.person_export, name="person_export"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/unmask/<str:field>/", views.person_unmask, name="person_unmask"),
    path("party-organizations/", views.partyorg_list, name="partyorg_list"),
    path("party-organizations/<int:pk>/", views.partyorg_detail, name="partyorg"),
    path("party-members/", views.partymember_list, name="partymember_list"),
    path("party-members/<int:pk>/", views.partymember_detail, name="partymember"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/add/", views.unit_add, name="unit_add"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/unmask/", views.unit_unmask, name="unit_unmask"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/add/", views.department_add, name="department_add"),
    path("departments/<int:pk>/", views.department_detail, name="department"),
]
