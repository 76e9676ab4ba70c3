"""lazydcm.valuerep, organised as pydicom's valuerep API reference (PersonName, DA/DT/TM,
DS/DSfloat/DSdecimal, IS, MultiValue) and its "Element VRs and Python types" guide (empty
values, coercions at assignment)."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest

import lazydcm
from lazydcm.valuerep import (
    DA,
    DS,
    DT,
    IS,
    TM,
    DSdecimal,
    DSfloat,
    MultiValue,
    PersonName,
    PersonName3,
    PersonNameUnicode,
    format_number_as_ds,
    is_valid_ds,
)

# -- PersonName ------------------------------------------------------------------------------


def test_person_name_components():
    pn = PersonName("Adams^John Robert Quincy^^Rev.^B.A. M.Div.")
    assert pn.family_name == "Adams"
    assert pn.given_name == "John Robert Quincy"
    assert pn.middle_name == ""
    assert pn.name_prefix == "Rev."
    assert pn.name_suffix == "B.A. M.Div."
    assert pn.family_comma_given() == "Adams, John Robert Quincy"
    assert pn.formatted("%(family_name)s/%(given_name)s") == "Adams/John Robert Quincy"


def test_person_name_groups_from_bytes_with_encodings():
    raw = b"Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B"
    pn = PersonName(raw, encodings=["", "ISO 2022 IR 87"])
    assert pn.alphabetic == "Yamada^Tarou"
    assert pn.ideographic == "山田^太郎"
    assert pn.phonetic == "やまだ^たろう"
    assert pn.components == ("Yamada^Tarou", "山田^太郎", "やまだ^たろう")
    assert pn.original_string == raw
    assert PersonName(b"M\xfcller^K", "latin_1") == "Müller^K"  # a Python codec name


def test_person_name_from_named_components():
    pn = PersonName.from_named_components(
        family_name="Yamada",
        given_name="Tarou",
        family_name_ideographic="山田",
        given_name_ideographic="太郎",
    )
    assert str(pn) == "Yamada^Tarou=山田^太郎"
    vet = PersonName.from_named_components_veterinary(
        responsible_party_name="ABC Farms", patient_name="Running on Water"
    )
    assert str(vet) == "ABC Farms^Running on Water"
    with pytest.raises(ValueError):
        PersonName.from_named_components(family_name="A^B")


def test_person_name_trailing_group_delimiter_is_insignificant():
    assert PersonName("A^B=") == PersonName("A^B")
    assert PersonName("A^B==") == "A^B"
    assert hash(PersonName("A^B=")) == hash(PersonName("A^B"))
    assert PersonName("A^B=C") != PersonName("A^B")


def test_person_name_str_like_behaviour():
    pn = PersonName("Doe^John")
    assert list(pn) == list("Doe^John")
    assert "John" in pn and len(pn) == 8 and bool(pn) and not PersonName("")
    assert repr(pn) == "'Doe^John'"
    assert pn.encode() == b"Doe^John"
    assert pickle.loads(pickle.dumps(pn)) == pn
    assert PersonNameUnicode is PersonName and PersonName3 is PersonName
    with pytest.raises(TypeError):
        PersonName(5)


# -- DA / DT / TM ------------------------------------------------------------------------------


def test_da_is_usable_as_a_date_and_keeps_its_text():
    da = DA("20240131")
    assert (da.year, da.month, da.day) == (2024, 1, 31)
    assert da == dt.date(2024, 1, 31) and da < dt.date(2024, 2, 1) and da > dt.date(2023, 1, 1)
    assert da - dt.date(2024, 1, 1) == dt.timedelta(days=30)
    assert da + dt.timedelta(days=1) == dt.date(2024, 2, 1)
    assert da.isoformat() == "2024-01-31" and da.original_string == "20240131"
    assert repr(da) == '"20240131"'
    assert DA(dt.date(2024, 1, 31)) == "20240131"


def test_tm_and_dt_are_usable_as_time_and_datetime():
    tm = TM("070907.0705")
    assert (tm.hour, tm.minute, tm.second, tm.microsecond) == (7, 9, 7, 70500)
    assert tm == dt.time(7, 9, 7, 70500) and tm < dt.time(8)
    value = DT("20240131123456.5+0100")
    assert value.year == 2024 and value.hour == 12
    assert value.utcoffset() == dt.timedelta(hours=1)
    assert value.date() == dt.date(2024, 1, 31)
    assert value == dt.datetime(2024, 1, 31, 11, 34, 56, 500000, tzinfo=dt.timezone.utc)


def test_dates_keep_the_exact_text_through_a_dataset_round_trip(tmp_path):
    ds = lazydcm.Dataset()
    ds.StudyDate = "20240131"
    ds.StudyTime = "0709"
    ds.save_as(tmp_path / "d.dcm", enforce_file_format=True)
    back = lazydcm.dcmread(tmp_path / "d.dcm")
    assert back.StudyDate.year == 2024 and back.StudyTime.minute == 9
    assert back.StudyTime.original_string == "0709"


def test_invalid_date_text_stays_text():
    assert DA("20240101-20240131") == "20240101-20240131"  # a range (query keys)
    with pytest.raises(AttributeError):
        DA("20240101-20240131").year  # noqa: B018


# -- DS / IS ---------------------------------------------------------------------------------------


def test_ds_and_is_compare_with_their_text_as_pydicom_3():
    assert DS("1.50") == "1.50" and DS("1.50") == 1.5 and DS("1.50") != "1.5"
    assert IS("3") == "3" and IS("3") == 3
    assert repr(DS("1.50")) == "'1.50'" and repr(IS("003")) == "'3'" and str(IS("003")) == "003"
    assert DSfloat is DS


def test_ds_is_none_and_blank():
    assert DS(None) is None and IS(None) is None
    assert DS("") == "" and IS("  ") == "  "
    assert DSdecimal(None) is None


def test_dsdecimal():
    value = DSdecimal("1.50")
    assert isinstance(value, Decimal) and value == Decimal("1.5") and value == "1.50"
    assert value.original_string == "1.50" and repr(value) == "'1.50'"
    assert DSdecimal(0.1).original_string == format_number_as_ds(0.1)
    assert pickle.loads(pickle.dumps(value)).original_string == "1.50"
    with pytest.raises(ValueError):
        DSdecimal("abc")


def test_is_valid_ds():
    assert is_valid_ds("1.5e3") and not is_valid_ds("1" * 17) and not is_valid_ds("x")


# -- MultiValue and assignment coercions (Element VRs and Python types) ------------------------------


def test_multivalue_coerces_items():
    ds = lazydcm.Dataset()
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    assert isinstance(ds.ImageType, MultiValue)
    ds.PixelSpacing = [0.5, "0.25"]
    assert ds.PixelSpacing == [0.5, 0.25] and all(isinstance(v, DS) for v in ds.PixelSpacing)


def test_assignment_coercions():
    ds = lazydcm.Dataset()
    ds.InstanceNumber = 7
    ds.StationName = 5  # int -> SH text
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = "Müller^K".encode()  # bytes -> text with the dataset's character set
    ds.add_new(0x00090010, "LO", "ACME")
    ds.add_new(0x00091001, "UN", "text")  # str for UN
    assert ds.InstanceNumber == 7 and ds.StationName == "5" and ds[0x00091001].value == b"text"
    assert ds.PatientName == "Müller^K" and isinstance(ds.PatientName, PersonName)
    ds.Rows = None
    ds.LossyImageCompressionRatio = [1.5, 2]  # multi-valued DS from numbers
    assert ds.Rows is None and ds.LossyImageCompressionRatio == [1.5, 2]
