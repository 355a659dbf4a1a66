"""The real reference lists: branches, front directions, operations and ranks."""

from django.db import migrations

BRANCHES = [
    ("land_forces", "Сухопутні війська ЗСУ", "Armed Forces: Land Forces"),
    ("navy", "Військово-Морські Сили ЗСУ", "Armed Forces: Navy"),
    ("marines", "Морська піхота ЗСУ", "Armed Forces: Marine Corps"),
    ("air_force", "Повітряні Сили ЗСУ", "Armed Forces: Air Force"),
    ("air_assault", "Десантно-штурмові війська ЗСУ", "Armed Forces: Air Assault Forces"),
    ("territorial_defence", "Сили територіальної оборони ЗСУ", "Armed Forces: Territorial Defence Forces"),
    ("special_operations", "Сили спеціальних операцій ЗСУ", "Armed Forces: Special Operations Forces"),
    ("unmanned_systems", "Сили безпілотних систем ЗСУ", "Armed Forces: Unmanned Systems Forces"),
    ("national_guard", "Національна гвардія України", "National Guard of Ukraine"),
    ("border_guard", "Державна прикордонна служба України", "State Border Guard Service of Ukraine"),
    ("police", "Національна поліція України", "National Police of Ukraine"),
    ("sbu", "Служба безпеки України", "Security Service of Ukraine"),
    ("defence_intelligence", "Головне управління розвідки МО України", "Defence Intelligence of Ukraine"),
    ("emergency_service", "Державна служба України з надзвичайних ситуацій", "State Emergency Service of Ukraine"),
    ("ru_armed_forces", "Збройні сили РФ", "Armed Forces of the Russian Federation"),
    ("ru_other", "Інші збройні формування РФ", "Other armed formations of the Russian Federation"),
]

DIRECTIONS = [
    ("donetsk", "Донецький", "Donetsk"),
    ("zaporizhzhia", "Запорізький", "Zaporizhzhia"),
    ("luhansk", "Луганський", "Luhansk"),
    ("kherson", "Херсонський", "Kherson"),
    ("kharkiv", "Харківський", "Kharkiv"),
    ("sumy", "Сумський", "Sumy"),
    ("kursk", "Курський", "Kursk"),
    ("kyiv", "Київський", "Kyiv"),
    ("chernihiv", "Чернігівський", "Chernihiv"),
]

OPERATIONS = [
    ("mariupol", "Оборона Маріуполя", "Defence of Mariupol"),
    ("snake_island", "Острів Зміїний", "Snake Island"),
    ("chornobyl", "Чорнобильська АЕС", "Chornobyl nuclear power plant"),
    ("sievierodonetsk", "Оборона Сєвєродонецька і Лисичанська", "Defence of Sievierodonetsk and Lysychansk"),
    ("kharkiv_counteroffensive", "Харківський контрнаступ", "Kharkiv counteroffensive"),
    ("bakhmut", "Оборона Бахмута", "Defence of Bakhmut"),
    ("avdiivka", "Оборона Авдіївки", "Defence of Avdiivka"),
    ("kursk", "Курська операція", "Kursk operation"),
]

RANKS = [
    ("recruit", "Рекрут", "Recruit", "private"),
    ("soldier", "Солдат", "Private", "private"),
    ("senior_soldier", "Старший солдат", "Private first class", "private"),
    ("sailor", "Матрос", "Seaman", "private"),
    ("senior_sailor", "Старший матрос", "Senior seaman", "private"),
    ("junior_sergeant", "Молодший сержант", "Junior sergeant", "nco"),
    ("sergeant", "Сержант", "Sergeant", "nco"),
    ("senior_sergeant", "Старший сержант", "Senior sergeant", "nco"),
    ("chief_sergeant", "Головний сержант", "Chief sergeant", "nco"),
    ("staff_sergeant", "Штаб-сержант", "Staff sergeant", "nco"),
    ("master_sergeant", "Майстер-сержант", "Master sergeant", "nco"),
    ("senior_master_sergeant", "Старший майстер-сержант", "Senior master sergeant", "nco"),
    ("chief_master_sergeant", "Головний майстер-сержант", "Chief master sergeant", "nco"),
    ("junior_lieutenant", "Молодший лейтенант", "Junior lieutenant", "officer"),
    ("lieutenant", "Лейтенант", "Lieutenant", "officer"),
    ("senior_lieutenant", "Старший лейтенант", "Senior lieutenant", "officer"),
    ("captain", "Капітан", "Captain", "officer"),
    ("major", "Майор", "Major", "officer"),
    ("lieutenant_colonel", "Підполковник", "Lieutenant colonel", "officer"),
    ("colonel", "Полковник", "Colonel", "officer"),
    ("captain_lieutenant", "Капітан-лейтенант", "Captain lieutenant", "officer"),
    ("captain_3", "Капітан 3 рангу", "Captain 3rd rank", "officer"),
    ("captain_2", "Капітан 2 рангу", "Captain 2nd rank", "officer"),
    ("captain_1", "Капітан 1 рангу", "Captain 1st rank", "officer"),
    ("brigadier_general", "Бригадний генерал", "Brigadier general", "officer"),
    ("major_general", "Генерал-майор", "Major general", "officer"),
]


def load(apps, schema_editor):
    for model, rows in (("Branch", BRANCHES), ("Direction", DIRECTIONS), ("Operation", OPERATIONS)):
        Model = apps.get_model("registry", model)
        for position, (code, uk, en) in enumerate(rows):
            Model.objects.update_or_create(code=code, defaults={"name_uk": uk, "name_en": en, "position": position})
    Rank = apps.get_model("registry", "Rank")
    for position, (code, uk, en, category) in enumerate(RANKS):
        Rank.objects.update_or_create(
            code=code, defaults={"name_uk": uk, "name_en": en, "position": position, "category": category}
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
