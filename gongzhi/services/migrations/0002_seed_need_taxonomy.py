from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.services.taxonomy_data import NEED_TAXONOMY

    NeedCategory = apps.get_model("services", "NeedCategory")
    order = 0
    for major_code, major_name, minors in NEED_TAXONOMY:
        order += 1
        major, _ = NeedCategory.objects.get_or_create(
            code=major_code, defaults={"name": major_name, "sort_order": order}
        )
        for code, name in minors:
            order += 1
            NeedCategory.objects.get_or_create(code=code, defaults={"name": name, "parent": major, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
