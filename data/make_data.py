"""Build the small sample files in ``data/`` with lazydcm's own writer.

    python data/make_data.py [--out DIR]

Every file is a dataset built in code (``lazydcm.Dataset``) and written with ``save_as``; the
values are invented for the samples (no patient data) and the output is byte-for-byte
reproducible: UIDs are derived from fixed names (PS3.5 B.2, the ``2.25.`` UUID root), pixels
come from closed-form formulas. See ``data/README.md`` for what each file holds.
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

import numpy as np

import lazydcm
from lazydcm import Dataset

HERE = Path(__file__).resolve().parent

# Transfer syntaxes (PS3.5 A.1, A.2, A.3) and SOP classes (PS3.4 B.5).
IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
EXPLICIT_BE = "1.2.840.10008.1.2.2"
RT_PLAN = "1.2.840.10008.5.1.4.1.1.481.5"
RT_STRUCTURE_SET = "1.2.840.10008.5.1.4.1.1.481.3"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
MULTIFRAME_BYTE_SC = "1.2.840.10008.5.1.4.1.1.7.2"


def uid(name: str) -> str:
    """A fixed UID for ``name``: ``2.25.`` + the decimal form of a name-based UUID."""
    return "2.25." + str(uuid.uuid5(uuid.NAMESPACE_URL, f"lazydcm-sample/{name}").int)


def _patient(ds: Dataset, name: str, patient_id: str, study: str) -> None:
    ds.PatientName = name
    ds.PatientID = patient_id
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "O"
    ds.StudyInstanceUID = uid(f"study/{study}")
    ds.StudyDate = "20240115"
    ds.StudyTime = "093000"
    ds.StudyID = "1"
    ds.AccessionNumber = "A0001"
    ds.ReferringPhysicianName = ""


def rt_plan() -> Dataset:
    """An RT Plan like the one the pydicom documentation explores: a patient, dose references,
    a fraction group and beams with control points (nested sequences)."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.InstanceCreationDate = "20240115"
    ds.InstanceCreationTime = "101500"
    ds.SOPClassUID = RT_PLAN
    ds.SOPInstanceUID = uid("rtplan")
    ds.Modality = "RTPLAN"
    ds.Manufacturer = "lazydcm samples"
    ds.OperatorsName = "Operator^Olga"
    ds.ManufacturerModelName = "Planning system"
    _patient(ds, "Doe^Jane^Q^Dr", "RT0001", "rt")
    ds.SeriesInstanceUID = uid("series/rtplan")
    ds.SeriesNumber = 1
    ds.RTPlanLabel = "Plan1"
    ds.RTPlanName = "Prostate 2 beams"
    ds.RTPlanDate = "20240115"
    ds.RTPlanTime = "101500"
    ds.RTPlanGeometry = "PATIENT"

    doses = []
    for number, (kind, description, dose) in enumerate(
        [("ORGAN_AT_RISK", "rectum", 70.0), ("TARGET", "PTV", 78.0)], start=1
    ):
        item = Dataset()
        item.DoseReferenceNumber = number
        item.DoseReferenceStructureType = "COORDINATES"
        item.DoseReferenceDescription = description
        item.DoseReferencePointCoordinates = [10.5, -22.25, 100.0 + number]
        item.DoseReferenceType = kind
        if kind == "TARGET":
            item.TargetPrescriptionDose = dose
        else:
            item.OrganAtRiskMaximumDose = dose
        doses.append(item)
    ds.DoseReferenceSequence = doses

    beams, referenced = [], []
    for number, (name, gantry) in enumerate([("Field 1", 0.0), ("Field 2", 180.0)], start=1):
        beam = Dataset()
        beam.Manufacturer = "Linac maker"
        beam.TreatmentMachineName = "LINAC1"
        beam.PrimaryDosimeterUnit = "MU"
        beam.SourceAxisDistance = 1000.0
        devices = []
        for axis in ("X", "Y"):
            device = Dataset()
            device.RTBeamLimitingDeviceType = axis
            device.NumberOfLeafJawPairs = 1
            devices.append(device)
        beam.BeamLimitingDeviceSequence = devices
        beam.BeamNumber = number
        beam.BeamName = name
        beam.BeamType = "STATIC"
        beam.RadiationType = "PHOTON"
        beam.TreatmentDeliveryType = "TREATMENT"
        beam.NumberOfWedges = 0
        beam.NumberOfCompensators = 0
        beam.NumberOfBoli = 0
        beam.NumberOfBlocks = 0
        beam.FinalCumulativeMetersetWeight = 1.0
        beam.NumberOfControlPoints = 2
        points = []
        for index in range(2):
            point = Dataset()
            point.ControlPointIndex = index
            point.CumulativeMetersetWeight = float(index)
            if index == 0:
                point.NominalBeamEnergy = 6.0
                point.DoseRateSet = 600.0
                positions = []
                for axis in ("X", "Y"):
                    position = Dataset()
                    position.RTBeamLimitingDeviceType = axis
                    position.LeafJawPositions = [-50.0, 50.0]
                    positions.append(position)
                point.BeamLimitingDevicePositionSequence = positions
                point.GantryAngle = gantry
                point.GantryRotationDirection = "NONE"
                point.IsocenterPosition = [0.0, -10.0, 5.5]
            points.append(point)
        beam.ControlPointSequence = points
        beam.ReferencedPatientSetupNumber = 1
        beams.append(beam)
        ref = Dataset()
        ref.BeamMeterset = 120.5 + number
        ref.ReferencedBeamNumber = number
        referenced.append(ref)

    group = Dataset()
    group.FractionGroupNumber = 1
    group.NumberOfFractionsPlanned = 39
    group.NumberOfBeams = len(beams)
    group.NumberOfBrachyApplicationSetups = 0
    group.ReferencedBeamSequence = referenced
    ds.FractionGroupSequence = [group]
    ds.BeamSequence = beams

    setup = Dataset()
    setup.PatientPosition = "HFS"
    setup.PatientSetupNumber = 1
    ds.PatientSetupSequence = [setup]
    structure = Dataset()
    structure.ReferencedSOPClassUID = RT_STRUCTURE_SET
    structure.ReferencedSOPInstanceUID = uid("rtstruct")
    ds.ReferencedStructureSetSequence = [structure]
    ds.ApprovalStatus = "UNAPPROVED"
    return ds


def _phantom(size: int, shift: float = 0.0) -> np.ndarray:
    """A water disc with a bone ring in air, in Hounsfield units."""
    y, x = np.mgrid[0:size, 0:size]
    r = np.hypot(x - size / 2 + 0.5 - shift, y - size / 2 + 0.5)
    hu = np.full((size, size), -1000.0)
    hu[r < size * 0.42] = 1000.0  # bone ring
    hu[r < size * 0.36] = 0.0  # water
    hu[np.hypot(x - size * 0.62, y - size * 0.45) < size * 0.08] = 60.0  # a small lesion
    return hu


def ct_slice(number: int, size: int = 64) -> Dataset:
    """An axial CT slice: signed 16-bit, rescaled to HU, with a soft tissue window."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = CT_IMAGE
    ds.SOPInstanceUID = uid(f"ct/{number}")
    ds.Modality = "CT"
    ds.Manufacturer = "lazydcm samples"
    _patient(ds, "Roe^Richard", "CT0001", "ct")
    ds.SeriesInstanceUID = uid("series/ct")
    ds.SeriesNumber = 2
    ds.InstanceNumber = number
    ds.SliceThickness = 2.5
    ds.KVP = 120
    ds.ImagePositionPatient = [-16.0, -16.0, 2.5 * number]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = uid("frame-of-reference/ct")
    ds.SliceLocation = 2.5 * number
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = size
    ds.Columns = size
    ds.PixelSpacing = [0.5, 0.5]
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.WindowCenter = 40
    ds.WindowWidth = 400
    ds.RescaleIntercept = -1024
    ds.RescaleSlope = 1
    ds.RescaleType = "HU"
    stored = (_phantom(size, shift=number) + 1024).astype("<i2")  # PS3.3 C.11.1: HU = m*SV + b
    ds.PixelData = stored.tobytes()
    return ds


def mr_slice(size: int = 64) -> Dataset:
    """An MR slice: unsigned 12-bit in 16-bit words (written big endian by the caller)."""
    ds = Dataset()
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    ds.SOPClassUID = MR_IMAGE
    ds.SOPInstanceUID = uid("mr/1")
    ds.Modality = "MR"
    ds.Manufacturer = "lazydcm samples"
    _patient(ds, "Poe^Paula", "MR0001", "mr")
    ds.SeriesInstanceUID = uid("series/mr")
    ds.SeriesNumber = 3
    ds.InstanceNumber = 1
    ds.ScanningSequence = "SE"
    ds.SequenceVariant = "NONE"
    ds.MRAcquisitionType = "2D"
    ds.EchoTime = 15.0
    ds.RepetitionTime = 500.0
    ds.MagneticFieldStrength = 1.5
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = size
    ds.Columns = size
    ds.PixelSpacing = [1.0, 1.0]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    y, x = np.mgrid[0:size, 0:size]
    signal = 2000 + 1500 * np.cos(np.hypot(x - size / 2, y - size / 2) / 4.0)
    signal *= np.hypot(x - size / 2, y - size / 2) < size * 0.45
    ds.PixelData = np.clip(signal, 0, 4095).astype("<u2").tobytes()
    return ds


def multiframe(frames: int = 8, size: int = 64) -> Dataset:
    """Multi-frame Grayscale Byte Secondary Capture: a bright spot moving along a diagonal."""
    ds = Dataset()
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.SOPClassUID = MULTIFRAME_BYTE_SC
    ds.SOPInstanceUID = uid("multiframe/1")
    ds.Modality = "OT"
    ds.ConversionType = "WSD"
    _patient(ds, "Moe^Max", "SC0001", "multiframe")
    ds.SeriesInstanceUID = uid("series/multiframe")
    ds.SeriesNumber = 4
    ds.InstanceNumber = 1
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.NumberOfFrames = frames
    ds.FrameTime = 100.0
    ds.FrameIncrementPointer = lazydcm.Tag("FrameTime")  # PS3.3 C.7.6.6: frames step in time
    ds.Rows = size
    ds.Columns = size
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    y, x = np.mgrid[0:size, 0:size]
    stack = np.empty((frames, size, size), dtype=np.uint8)
    for k in range(frames):
        centre = 8 + k * (size - 16) / max(1, frames - 1)
        spot = 255 * np.exp(-((x - centre) ** 2 + (y - centre) ** 2) / 40.0)
        stack[k] = np.clip(20 + spot + (x + y) % 16, 0, 255).astype(np.uint8)
    ds.PixelData = stack.tobytes()
    return ds


#: file name -> (dataset factory, transfer syntax)
SAMPLES = {
    "rtplan.dcm": (rt_plan, EXPLICIT_LE),
    "ct_slice.dcm": (lambda: ct_slice(1), EXPLICIT_LE),
    "ct_implicit.dcm": (lambda: ct_slice(2), IMPLICIT_LE),
    "mr_big_endian.dcm": (mr_slice, EXPLICIT_BE),
    "multiframe.dcm": (multiframe, EXPLICIT_LE),
}


def build(out: Path) -> list[Path]:
    """Write every sample into ``out``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (factory, syntax) in SAMPLES.items():
        path = out / name
        factory().save_as(path, transfer_syntax=syntax)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output directory (default: data/)")
    args = parser.parse_args()
    for path in build(args.out):
        print(f"{path}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
