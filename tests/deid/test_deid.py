"""``lazydcm.deid``: actions, options, keyed replacements, nesting, private and repeating groups."""

from __future__ import annotations

import pytest

import lazydcm
from lazydcm.deid import Profile, action_for, deidentify, uid_for
from lazydcm.deid.keyed import date_shift_days, shift_da, shift_dt
from lazydcm.model.dataset import Dataset
from lazydcm.model.sequence import Sequence

KEY = b"unit-test-key"


def _dataset() -> Dataset:
    ds = Dataset()
    ds.add_new(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2")
    ds.add_new(0x00080018, "UI", "1.2.3.4.5")
    ds.add_new(0x00080020, "DA", "20200131")  # Study Date: Z, K (full), C (modified)
    ds.add_new(0x00080030, "TM", "101010")
    ds.add_new(0x00080060, "CS", "CT")
    ds.add_new(0x00080080, "LO", "General Hospital")  # Institution Name
    ds.add_new(0x00081030, "LO", "Head for Jane Doe")  # Study Description: X, C (clean desc)
    ds.add_new(0x00100010, "PN", "Doe^Jane")
    ds.add_new(0x00100020, "LO", "PID-1")
    ds.add_new(0x00101010, "AS", "042Y")  # Patient's Age: X, K (patient characteristics)
    ds.add_new(0x0020000D, "UI", "1.2.3.4")
    ref = Dataset()
    ref.add_new(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2")
    ref.add_new(0x00081155, "UI", "1.2.3.4.6")
    ref.add_new(0x00100010, "PN", "Nested^Name")
    ds.add_new(0x00081140, "SQ", Sequence([ref]))  # Referenced Image Sequence: X/Z/U*
    ds.add_new(0x60004000, "LT", "overlay note")  # Overlay Comments (60xx,4000): X
    ds.add_new(0x60000010, "US", 2)  # Overlay Rows: not in the table, kept
    block = ds.private_block(0x0009, "ACME 1.0", create=True)
    block.add_new(0x01, "LO", "secret")
    safe = ds.private_block(0x7053, "Philips PET Private Group", create=True)
    safe.add_new(0x00, "DS", "1.5")  # (7053,xx00) in Table E.3.10-1
    return ds


def test_basic_profile_actions():
    ds = _dataset()
    report = deidentify(ds, Profile(), KEY)
    assert "StudyDescription" not in ds and "PatientAge" not in ds  # X
    assert not ds.PatientName and not ds.StudyDate and "PatientName" in ds  # Z
    assert ds.InstitutionName == "ANONYMIZED"  # X/Z/D -> D under "conformant"
    assert ds.PatientID.startswith("ANON") and ds.PatientID != "PID-1"
    assert ds.SOPInstanceUID == uid_for("1.2.3.4.5", KEY)
    assert ds.StudyInstanceUID == uid_for("1.2.3.4", KEY)
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"  # not in the table: kept
    # X/Z/U* keeps the sequence; the profile applies inside: U on the UID, Z on the name
    item = ds.ReferencedImageSequence[0]
    assert item.ReferencedSOPInstanceUID == uid_for("1.2.3.4.6", KEY)
    assert item.ReferencedSOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
    assert not item.PatientName
    # repeating group 60xx: (60xx,4000) removed, unlisted (60xx,0010) kept
    assert 0x60004000 not in ds and ds[0x60000010].value == 2
    # every private element and creator goes
    assert not [t for t in ds.tags() if t.group & 1]
    assert ds.PatientIdentityRemoved == "YES"
    code = ds.DeidentificationMethodCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator) == ("113100", "DCM")
    assert "ReferencedImageSequence[0].ReferencedSOPInstanceUID" in report.replaced
    assert "StudyDescription" in report.removed and "PatientName" in report.emptied
    assert dict(report.uids)["1.2.3.4.5"] == ds.SOPInstanceUID


def _report_text() -> Dataset:
    ds = Dataset()
    ds.add_new(0x00080018, "UI", "1.2.3.4.5")
    text = Dataset()
    text.add_new(0x0040A040, "CS", "TEXT")
    text.add_new(0x0040A160, "UT", "Jane Doe, 42 Elm Street")  # Text Value: not in the table
    ds.add_new(0x0040A730, "SQ", Sequence([text]))  # Content Sequence: D, C (clean struct.)
    code = Dataset()
    code.add_new(0x00080100, "SH", "GH1")
    code.add_new(0x00080104, "LO", "General Hospital")
    ds.add_new(0x00080082, "SQ", Sequence([code]))  # Institution Code Sequence: X/Z/D
    return ds


def test_d_on_a_sequence_leaves_one_empty_item_and_nothing_of_the_original():
    ds = _report_text()
    report = deidentify(ds, Profile(), KEY)
    for keyword in ("ContentSequence", "InstitutionCodeSequence"):
        assert len(ds[keyword].value) == 1 and len(ds[keyword].value[0]) == 0
        assert keyword in report.replaced
    # Clean Structured Content keeps the content items, each under the profile (C)
    ds = _report_text()
    deidentify(ds, Profile(clean_structured_content=True), KEY)
    assert ds.ContentSequence[0].ValueType == "TEXT"


def test_options_override_the_basic_profile():
    profile = Profile.from_names(
        ["retain-uids", "Retain Patient Characteristics Option", "RetainSafePrivate",
         "retain_institution_identity", "clean-descriptors"]
    )  # fmt: skip
    ds = _dataset()
    report = deidentify(ds, profile, KEY)
    assert ds.SOPInstanceUID == "1.2.3.4.5" and ds.StudyInstanceUID == "1.2.3.4"
    assert ds.PatientAge == "042Y" and ds.InstitutionName == "General Hospital"
    assert ds.StudyDescription == "ANONYMIZED"  # C on free text: replaced
    # safe private kept with its creator, the unsafe one removed with its creator
    assert str(ds[0x70530010].value) == "Philips PET Private Group"
    assert str(ds[0x70531000].value) == "1.5"
    assert 0x00091001 not in ds and 0x00090010 not in ds
    assert "PatientAge" in report.kept
    values = [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]
    assert values == ["113100", "113111", "113110", "113112", "113108", "113105"]
    assert list(ds.DeidentificationMethod)[0] == "Basic Application Confidentiality Profile"


def test_modified_dates_shift_per_patient_and_full_dates_keep():
    ds = _dataset()
    report = deidentify(ds, Profile(retain_long_modified_dates=True), KEY)
    days = date_shift_days("PID-1", KEY)
    assert report.date_shift_days == days and 1 <= days <= 3652
    assert ds.StudyDate == shift_da("20200131", days) != "20200131"
    assert ds.StudyTime == "101010"  # whole-day shift keeps times of day
    assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
    ds = _dataset()
    deidentify(ds, Profile(retain_long_full_dates=True), KEY)
    assert ds.StudyDate == "20200131"
    assert ds.LongitudinalTemporalInformationModified == "UNMODIFIED"
    with pytest.raises(ValueError, match="E.3.6"):
        Profile(retain_long_full_dates=True, retain_long_modified_dates=True)


def test_date_shifting_keeps_form_offsets_and_ranges():
    assert shift_da("20200301", 1) == "20200229"
    assert shift_da("20200301-20200302", 1) == "20200229-20200301"
    assert shift_da("-20200302", 1) == "-20200301"
    assert shift_da("2020.03.01", 1) == "20200229"
    assert shift_dt("20200301101010.5+0100", 1) == "20200229101010.5+0100"
    assert shift_dt("20200301-0500", 1) == "20200229-0500"  # an offset, not a range
    assert shift_dt("20200301-20200302", 1) == "20200229-20200301"
    assert shift_dt("2020", 400) == "2018"  # a year stays a year
    # "-2021" is no UTC offset (hours run to 14, PS3.5 6.2): a range of years, both ends moved
    assert shift_dt("2020-2021", 1) == "2019-2020"
    assert shift_dt("20200301-20200302-0500", 1) == "20200229-20200301-0500"
    assert shift_dt("20200301+1460", 1) is None
    assert shift_da("not a date", 1) is None


def test_uids_are_deterministic_keyed_and_valid():
    a = uid_for("1.2.3", KEY)
    assert a == uid_for("1.2.3\x00", KEY) == uid_for("1.2.3", KEY)
    assert a != uid_for("1.2.3", b"other key") and a != uid_for("1.2.4", KEY)
    assert a.startswith("2.25.") and len(a) <= 64
    assert all(part.isdigit() and (part == "0" or part[0] != "0") for part in a.split("."))


def test_combined_actions_can_remove_instead():
    ds = _dataset()
    deidentify(ds, Profile(combined="remove"), KEY)
    assert "InstitutionName" not in ds and "ReferencedImageSequence" not in ds
    assert not ds.PatientID  # Z/D -> Z


def test_action_resolution():
    assert action_for(0x00100010, Profile()) == "Z"
    assert action_for(0x00080080, Profile()) == "D"  # X/Z/D
    assert action_for(0x00080080, Profile(combined="remove")) == "X"
    assert action_for(0x00081140, Profile()) == "U"  # X/Z/U*
    assert action_for(0x50021234, Profile()) == "X"  # (50xx,xxxx) curve data
    assert action_for(0x50021234, Profile(clean_graphics=True)) == "C"
    assert action_for(0x00080016, Profile()) == "?"
    with pytest.raises(ValueError, match="unknown de-identification option"):
        Profile.from_names(["retain-everything"])


def test_empty_key_is_refused():
    with pytest.raises(ValueError, match="empty"):
        deidentify(_dataset(), Profile(), b"")


def test_file_round_trip_copies_pixels(tmp_path):
    from lazydcm.deid import deidentify_file

    ds = _dataset()
    ds.add_new(0x00280010, "US", 2)
    ds.add_new(0x00280011, "US", 2)
    ds.add_new(0x00280100, "US", 8)
    ds.add_new(0x7FE00010, "OB", b"\x01\x02\x03\x04")
    src = tmp_path / "in.dcm"
    ds.save_as(src, fsync=False)
    result = deidentify_file(src, tmp_path / "sub" / "out.dcm", key=KEY, fsync=False)
    assert result.ok and result.bytes_written > 0
    out = lazydcm.dcmread(result.output)
    assert out.PixelData == b"\x01\x02\x03\x04"
    assert out.file_meta.MediaStorageSOPInstanceUID == uid_for("1.2.3.4.5", KEY)
    with pytest.raises(FileExistsError):
        deidentify_file(src, result.output, key=KEY)


def test_clean_graphics_removes_overlay_bitmaps_and_cleans_comments():
    ds = _dataset()
    ds.add_new(0x60003000, "OW", b"\x01\x00" * 4)  # Overlay Data
    report = deidentify(ds, Profile(clean_graphics=True), KEY)
    assert 0x60003000 not in ds and "OverlayData" in report.removed
    assert ds[0x60004000].value == "ANONYMIZED" and "OverlayComments" in report.replaced


def test_burned_in_text_is_reported_and_pixels_left_alone():
    from lazydcm.deid import burned_in_reason

    ds = _dataset()
    assert burned_in_reason(ds) is None
    ds.add_new(0x00280301, "CS", "YES")
    assert "Burned In Annotation" in burned_in_reason(ds)
    ds = _dataset()
    ds.Modality = "US"
    assert "Modality US" in deidentify(ds, Profile(), KEY).burned_in
    ds = _dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture Image Storage
    assert "Secondary Capture" in burned_in_reason(ds)


def test_retain_safe_private_follows_private_data_element_characteristics():
    ds = _dataset()
    block = ds.private_block(0x0029, "VENDOR X", create=True)
    block.add_new(0x10, "LO", "kept: listed as nonidentifying")
    block.add_new(0x11, "LO", "Doe^Jane")  # identifying, action Z
    block.add_new(0x12, "UI", "1.2.3.99")  # identifying, action U
    block.add_new(0x13, "LO", "unknown")  # not described: removed
    whole = ds.private_block(0x0031, "VENDOR SAFE", create=True)
    whole.add_new(0x01, "LO", "all safe")
    described = Dataset()
    described.add_new(0x00080301, "US", 0x0029)
    described.add_new(0x00080302, "LO", "VENDOR X")
    described.add_new(0x00080303, "CS", "MIXED")
    described.add_new(0x00080304, "US", [0x10])
    zero, uid = Dataset(), Dataset()
    zero.add_new(0x00080306, "US", [0x11])
    zero.add_new(0x00080307, "CS", "Z")
    uid.add_new(0x00080306, "US", [0x12])
    uid.add_new(0x00080307, "CS", "U")
    described.add_new(0x00080305, "SQ", Sequence([zero, uid]))
    safe_block = Dataset()
    safe_block.add_new(0x00080301, "US", 0x0031)
    safe_block.add_new(0x00080302, "LO", "VENDOR SAFE")
    safe_block.add_new(0x00080303, "CS", "SAFE")
    ds.add_new(0x00080300, "SQ", Sequence([described, safe_block]))
    deidentify(ds, Profile(retain_safe_private=True), KEY)
    slot = next(t for t in ds.tags() if t.group == 0x0029 and t.element < 0x100)
    base = (0x0029 << 16) | (slot.element << 8)
    assert ds[base | 0x10].value == "kept: listed as nonidentifying"
    assert not ds[base | 0x11].value
    assert ds[base | 0x12].value == uid_for("1.2.3.99", KEY)
    assert (base | 0x13) not in ds
    assert any(t.group == 0x0031 and t.element >= 0x1000 for t in ds.tags())
    # without the option every private element goes, whatever the sequence says
    ds2 = _dataset()
    ds2.add_new(0x00080300, "SQ", Sequence([safe_block]))
    deidentify(ds2, Profile(), KEY)
    assert not [t for t in ds2.tags() if t.group & 1]
