"""Normalisers as tables of variants: every spelling in the raw-extract spec, plus ones seen since."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.clean import normalise as n

REGIONS = [
    ("Київська обл.", "UA-32"), ("Київська область", "UA-32"), ("КИЇВСЬКА", "UA-32"),
    ("Kyivska oblast", "UA-32"), ("Kyiv Oblast", "UA-32"), ("Kiev region", "UA-32"),
    ("Киевская обл.", "UA-32"), ("м. Київ", "UA-30"), ("Kyiv city", "UA-30"), ("Київ", "UA-30"),
    ("м.Київ", "UA-30"), ("Kiev", "UA-30"), ("АР Крим", "UA-43"), ("Автономна Республіка Крим", "UA-43"),
    ("Івано-Франківська", "UA-26"), ("Ivano-Frankivsk", "UA-26"), ("Ivano Frankivsk", "UA-26"),
    ("Вінницька обл.", "UA-05"), ("Вінницька", "UA-05"), ("Хмельницька область", "UA-68"),
    ("Кіровоградська обл", "UA-35"), ("Донецька область", "UA-14"), ("Odessa region", "UA-51"),
    ("Одеська", "UA-51"), ("Запорізька", "UA-23"), ("Zaporizhzhia Oblast", "UA-23"),
    ("Львівська обл.", "UA-46"), ("Lvivska oblast", "UA-46"), ("м. Севастополь", "UA-40"),
    ("Sevastopol", "UA-40"), ("Кемеровская область", "RU-KEM"), ("Кемеровская обл.", "RU-KEM"),
    ("Kemerovo Oblast", "RU-KEM"), ("Кузбасс", "RU-KEM"), ("  полтавська   ОБЛ. ", "UA-53"),
    ("Чернігівська", "UA-74"), ("Chernihiv Oblast", "UA-74"), ("Луганська обл.", "UA-09"),
    ("Закарпатська", "UA-21"), ("Тернопільська", "UA-61"), ("Харківська", "UA-63"),
    ("Херсонська", "UA-65"), ("Черкаська", "UA-71"), ("Чернівецька", "UA-77"), ("Рівненська", "UA-56"),
    ("Сумська", "UA-59"), ("Житомирська", "UA-18"), ("Волинська", "UA-07"), ("Миколаївська", "UA-48"),
    ("Дніпропетровська обл.", "UA-12"), ("Полтавська", "UA-53"),
]


@pytest.mark.parametrize("raw, code", REGIONS)
def test_region_variants(raw, code):
    assert n.region(raw) == code


@pytest.mark.parametrize("raw", ["Галицька земля", "", "Мордор", "Oblast", "Київ-Мордор"])
def test_unknown_region_is_refused_with_its_name(raw):
    with pytest.raises(n.Invalid) as e:
        n.region(raw)
    assert e.value.reason == "unknown_region" and raw[:20] in str(e.value)


@pytest.mark.parametrize("raw, expected", [
    ("17.11.2023", dt.date(2023, 11, 17)), ("2023-11-17", dt.date(2023, 11, 17)),
    ("17/11/2023", dt.date(2023, 11, 17)), ("45247", dt.date(2023, 11, 17)),
    ("17.11.2023 14:03:11", dt.date(2023, 11, 17)), ("2024-04-08", dt.date(2024, 4, 8)),
    ("03/04/2024", dt.date(2024, 4, 3)), ("2023-11-17 00:00:00", dt.date(2023, 11, 17)), ("", None),
])
def test_dates(raw, expected):
    assert n.date(raw) == expected


@pytest.mark.parametrize("raw", ["2023-13-01", "31.02.2024", "1900-01-01", "yesterday", "99999", "12.2023"])
def test_bad_dates(raw):
    with pytest.raises(n.Invalid) as e:
        n.date(raw)
    assert e.value.reason == "bad_date"


@pytest.mark.parametrize("raw, expected", [("2012-05", dt.date(2012, 5, 1)), ("05.2012", dt.date(2012, 5, 1)),
                                           ("2012-05-17", dt.date(2012, 5, 1))])
def test_months(raw, expected):
    assert n.month(raw) == expected


@pytest.mark.parametrize("raw, expected", [("48,8203", 48.8203), ("48.8203", 48.8203), ("7,5", 7.5),
                                           ("1 000", 1000.0), ("", None), (" 12 ", 12.0)])
def test_numbers(raw, expected):
    assert n.number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "nan", "inf"])
def test_bad_numbers(raw):
    with pytest.raises(n.Invalid):
        n.number(raw)


@pytest.mark.parametrize("raw, ok", [("3", 3.0), ("10", 10.0), ("1", 1.0), ("", None)])
def test_self_rating_in_range(raw, ok):
    assert n.score(raw, "self_rating", 1, 10, whole=True) == ok


@pytest.mark.parametrize("raw", ["11", "0", "7,5", "-1"])
def test_self_rating_out_of_range(raw):
    with pytest.raises(n.Invalid) as e:
        n.score(raw, "self_rating", 1, 10, whole=True)
    assert e.value.reason == "self_rating_out_of_range"


@pytest.mark.parametrize("field, raw, code", [
    ("gender", "Жінка", "female"), ("gender", "Ж", "female"), ("gender", "F", "female"),
    ("gender", "Чоловік", "male"), ("gender", "Ч", "male"), ("gender", "M", "male"),
    ("gender", "інше", "other"), ("status", "Активний", "active"), ("status", "Призупинено", "suspended"),
    ("status", "Закрито", "closed"), ("status", "ТОТ", "occupied"), ("status", "Активен", "active"),
    ("bool", "Так", "true"), ("bool", "так", "true"), ("bool", "1", "true"), ("bool", "yes", "true"),
    ("bool", "Ні", "false"), ("bool", "0", "false"), ("bool", "no", "false"),
    ("employment", "працює", "employed"), ("employment", "безробітний", "unemployed"),
    ("employment", "безробітний/шукає роботу", "unemployed"), ("employment", "пенсіонер", "retired"),
    ("employment", "студент", "student"), ("employment", "інше", "other"),
    ("yes_no", "так", "yes"), ("yes_no", "ні", "no"), ("settlement_type", "місто", "city"),
    ("settlement_type", "селище", "town"), ("settlement_type", "село", "village"),
    ("format", "групове заняття", "group"), ("format", "індивідуальна консультація", "individual"),
    ("format", "онлайн", "online"), ("level", "тренер", "trainer"), ("level", "координатор", "coordinator"),
    ("level", "Координатор", "coordinator"), ("stage", "до", "pre"), ("stage", "після", "post"),
    ("stage", "after", "post"), ("institution_type", "публічна бібліотека", "public_library"),
    ("institution_type", "бібліотека-філія", "library_branch"), ("institution_type", "ЦНАП", "cnap"),
    ("institution_type", "заклад освіти", "education"), ("institution_type", "сельская библиотека", "library_branch"),
    ("programme", "Хаби цифрової освіти", "ua_hubs"), ("programme", "Твой курс", "kem_centres"),
    ("partner_type", "hospital", "hospital"), ("partner_type", "social services", "social_services"),
    ("partner_type", "employment centre", "employment_centre"),
])
def test_categories(field, raw, code):
    assert n.category(field, raw) == code


def test_blank_category_takes_the_default_and_unknown_is_refused():
    assert n.category("gender", "  ", "unknown") == "unknown"
    with pytest.raises(n.Invalid) as e:
        n.category("gender", "кіт")
    assert e.value.reason == "unknown_gender"


@pytest.mark.parametrize("birth, age, year, band", [
    ("1951", "", 2023, "70_plus"), ("1960", "", 2023, "60_69"), ("1970", "", 2023, "45_59"),
    ("1988", "", 2023, "25_44"), ("2003", "", 2023, "under_25"), ("", "70+", 2023, "70_plus"),
    ("70+", "", 2023, "70_plus"), ("", "64", 2024, "60_69"), ("-", "", 2023, "unknown"), ("", "", 2023, "unknown"),
    ("1930", "", 2023, "70_plus"),
])
def test_age_bands(birth, age, year, band):
    assert n.age_band(birth, age, year) == band


@pytest.mark.parametrize("birth, age", [("1900", ""), ("2030", ""), ("19x0", ""), ("", "200"), ("", "abc")])
def test_impossible_ages(birth, age):
    with pytest.raises(n.Invalid) as e:
        n.age_band(birth, age, 2023)
    assert e.value.reason in {"impossible_birth_year", "impossible_age"}


@pytest.mark.parametrize("a, b", [
    ("Петренко Ганна Іванівна", "петренко  ганна іванівна"), ("Мар'яна Коваль", "Мар’яна  КОВАЛЬ"),
])
def test_person_names_match(a, b):
    assert n.person_name(a) == n.person_name(b)


@pytest.mark.parametrize("raw", ["+380671234500", "067 123 45 00", "0671234500", "+38 (067) 123-45-00"])
def test_phone_digits(raw):
    assert n.phone_digits(raw) == "671234500"


@pytest.mark.parametrize("raw, name, kind", [
    ("смт Брацлав", "Брацлав", "town"), ("м. Київ", "Київ", "city"), ("с. Мар’янівка", "Мар’янівка", "village"),
    ("сел. Козин", "Козин", "town"), ("г. Кемерово", "Кемерово", "city"), ("Ягуново", "Ягуново", "unknown"),
])
def test_settlements(raw, name, kind):
    assert n.settlement(raw) == (name, kind)


@pytest.mark.parametrize("lat, lon, expected", [
    ("48,8203", "28,9386", (48.8203, 28.9386)), ("30.8610", "50.4890", (50.489, 30.861)),
    ("55.3547", "86.0873", (55.3547, 86.0873)), ("", "30.5", (None, None)),
])
def test_coordinates(lat, lon, expected):
    assert n.coordinates(lat, lon) == expected


def test_coordinates_outside_the_area_are_refused():
    with pytest.raises(n.Invalid):
        n.coordinates("0", "0")


@pytest.mark.parametrize("course, topic", [
    ("Базові цифрові навички для людей елегантного віку", "seniors_basics"), ("Кібербезпека", "cybersecurity"),
    ("Електронні послуги Дія", "e_services"), ("Базові цифрові навички", "basic_skills"), ("Вишивка", "other"),
])
def test_topics(course, topic):
    assert n.topic(course) == topic


NORMALISERS = [n.region, n.date, n.month, n.number, lambda s: n.age_band(s, s, 2024),
               lambda s: n.coordinates(s, s), n.settlement, n.topic, lambda s: n.category("gender", s)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NORMALISERS), st.text(max_size=2000))
def test_normalisers_return_a_value_or_a_clear_refusal(fn, text):
    try:
        fn(text)
    except n.Invalid as e:
        assert e.reason and str(e)


def test_every_reference_name_maps_to_its_own_code():
    """The region vocabulary agrees with the region reference's official names in both languages."""
    from dashboard.geo import load_region_reference

    ref = load_region_reference()
    for code, uk, en in ref[["region_code", "name_uk", "name_en"]].itertuples(index=False):
        assert n.region(uk) == code, uk
        assert n.region(en) == code, en
