"""Build the benchmark data with pydicom (run directly, or called by run.py).

    python benchmarks/make_data.py [--quick] [--workdir DIR] [--force]

Into ``<workdir>/full/`` (or ``<workdir>/quick/``):

* ``big.dcm`` — Enhanced MR Image Storage, explicit VR little endian: ``frames`` frames of
  ``rows`` x ``cols`` uint16 (12 bits stored), a PerFrameFunctionalGroupsSequence with one item
  per frame (FrameContentSequence, PlanePositionSequence, FrameVOILUTSequence in each) and a
  SharedFunctionalGroupsSequence. Full size: 512 frames of 1024 x 1024 = 1 GiB of pixel data.
  pydicom writes everything up to the pixel data; the Pixel Data element (the dataset's last)
  is then appended frame by frame from a deterministic numpy pattern, so the 1 GiB is never
  held in memory.
* ``small/ct_NNNN.dcm`` — ``n_small`` CT Image Storage slices of 64 x 64 int16 with about 50
  header elements each, spread over several patients, studies and series. Every PatientName
  is exactly 9 characters (``Abc^P0123``) so that same-length edits are possible.

A ``marker.json`` records the parameters; a rebuild happens only when it is missing or differs.
Sequences are written as pydicom writes them (undefined length, with delimiters).
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pydicom
import pydicom.pixels
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

HERE = Path(__file__).resolve().parent
DEFAULT_WORKDIR = HERE / "_work"
FORMAT_VERSION = 1

ENHANCED_MR = "1.2.840.10008.5.1.4.1.1.4.1"  # PS3.4 B.5: Enhanced MR Image Storage
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"  # PS3.4 B.5: CT Image Storage
SURNAMES = ["Abe", "Bao", "Cox", "Dun", "Eto", "Fry", "Gil", "Hua", "Ito", "Joy"]


@dataclass(frozen=True)
class Params:
    frames: int
    rows: int
    cols: int
    n_small: int
    small_size: int = 64
    version: int = FORMAT_VERSION


FULL = Params(frames=512, rows=1024, cols=1024, n_small=1000)
QUICK = Params(frames=64, rows=512, cols=512, n_small=200)


@dataclass(frozen=True)
class DataSet:
    """Paths of a built data set."""

    root: Path
    params: Params

    @property
    def big(self) -> Path:
        return self.root / "big.dcm"

    @property
    def small_dir(self) -> Path:
        return self.root / "small"

    @property
    def small_files(self) -> list[Path]:
        return sorted(self.small_dir.glob("ct_*.dcm"))

    @property
    def scratch(self) -> Path:
        return self.root / "scratch"


def uid(*parts: object) -> str:
    """A deterministic UID (2.25 form) derived from ``parts``."""
    return generate_uid(prefix=None, entropy_srcs=["lazydcm-benchmarks", *map(str, parts)])


def _seq(**elements: object) -> Sequence:
    item = Dataset()
    for keyword, value in elements.items():
        setattr(item, keyword, value)
    return Sequence([item])


def _file_meta(sop_class: str, sop_instance: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_instance
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = uid("implementation")
    meta.ImplementationVersionName = "LAZYDCM_BENCH"
    return meta


def frame_pattern(rows: int, cols: int) -> np.ndarray:
    """The base frame: a cheap deterministic hash of the pixel index, 12-bit values."""
    idx = np.arange(rows * cols, dtype=np.uint32)
    return ((idx * np.uint32(2654435761)) >> np.uint32(20)).astype(np.uint16) & np.uint16(0x0FFF)


def frame_pixels(base: np.ndarray, k: int) -> np.ndarray:
    """Frame ``k`` of the big file, derived from the base pattern."""
    return (base + np.uint16((37 * k) & 0x0FFF)) & np.uint16(0x0FFF)


def big_header(p: Params) -> Dataset:
    """The big file's dataset without Pixel Data."""
    sop = uid("big", "sop")
    ds = Dataset()
    ds.file_meta = _file_meta(ENHANCED_MR, sop)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "NONE"]
    ds.SOPClassUID = ENHANCED_MR
    ds.SOPInstanceUID = sop
    ds.StudyDate = ds.ContentDate = ds.AcquisitionDateTime = "20240102"
    ds.StudyTime = ds.ContentTime = "101500"
    ds.AccessionNumber = "ACC0001"
    ds.Modality = "MR"
    ds.Manufacturer = "lazydcm benchmarks"
    ds.ReferringPhysicianName = "Ref^Doc"
    ds.PatientName = "Bench^Big"
    ds.PatientID = "BIG0001"
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "O"
    ds.StudyInstanceUID = uid("big", "study")
    ds.SeriesInstanceUID = uid("big", "series")
    ds.StudyID = "1"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.FrameOfReferenceUID = uid("big", "for")
    ds.PositionReferenceIndicator = ""
    ds.ContentQualification = "RESEARCH"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.NumberOfFrames = p.frames
    ds.Rows = p.rows
    ds.Columns = p.cols
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"
    ds.PresentationLUTShape = "IDENTITY"

    dim_uid = uid("big", "dimensions")
    ds.DimensionOrganizationSequence = _seq(DimensionOrganizationUID=dim_uid)
    dims = []
    for pointer, group in ((0x00209056, 0x00209111), (0x00209057, 0x00209111)):
        item = Dataset()
        item.DimensionOrganizationUID = dim_uid
        item.DimensionIndexPointer = pointer  # StackID, InStackPositionNumber
        item.FunctionalGroupPointer = group  # FrameContentSequence
        dims.append(item)
    ds.DimensionIndexSequence = Sequence(dims)

    shared = Dataset()
    shared.PixelMeasuresSequence = _seq(PixelSpacing=[0.5, 0.5], SliceThickness=1.0)
    shared.PlaneOrientationSequence = _seq(ImageOrientationPatient=[1, 0, 0, 0, 1, 0])
    shared.MRImageFrameTypeSequence = _seq(
        FrameType=["ORIGINAL", "PRIMARY", "M", "NONE"],
        PixelPresentation="MONOCHROME",
        VolumetricProperties="VOLUME",
        VolumeBasedCalculationTechnique="NONE",
        ComplexImageComponent="MAGNITUDE",
        AcquisitionContrast="T1",
    )
    ds.SharedFunctionalGroupsSequence = Sequence([shared])

    per_frame = []
    for k in range(p.frames):
        item = Dataset()
        item.FrameContentSequence = _seq(
            FrameAcquisitionNumber=k + 1,
            FrameAcquisitionDateTime=f"20240102101500.{k:06d}",
            StackID="1",
            InStackPositionNumber=k + 1,
            DimensionIndexValues=[1, k + 1],
        )
        item.PlanePositionSequence = _seq(ImagePositionPatient=[-128.0, -128.0, 0.5 * k])
        item.FrameVOILUTSequence = _seq(WindowCenter=2048, WindowWidth=4096)
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    return ds


def write_big(path: Path, p: Params) -> None:
    ds = big_header(p)
    tmp = path.with_suffix(".partial")
    ds.save_as(tmp, enforce_file_format=True)
    nbytes = p.frames * p.rows * p.cols * 2
    base = frame_pattern(p.rows, p.cols)
    with open(tmp, "ab") as f:
        # PS3.5 7.1.2: explicit VR OW has 2 reserved bytes and a 32-bit length.
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, nbytes))
        for k in range(p.frames):
            f.write(memoryview(frame_pixels(base, k)))
    tmp.replace(path)


def small_dataset(i: int, size: int) -> Dataset:
    """Slice ``i`` of the small set: 50 patients x 20 slices, 2 series per patient."""
    patient, slice_no = divmod(i, 20)
    series = slice_no // 10
    sop = uid("small", i)
    ds = Dataset()
    ds.file_meta = _file_meta(CT_IMAGE, sop)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = CT_IMAGE
    ds.SOPInstanceUID = sop
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = (
        f"2023{1 + patient % 12:02d}{1 + patient % 28:02d}"
    )
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = f"{8 + patient % 10:02d}3000"
    ds.AccessionNumber = f"A{patient:07d}"
    ds.Modality = "CT"
    ds.Manufacturer = "lazydcm benchmarks"
    ds.InstitutionName = "Benchmark Hospital"
    ds.ReferringPhysicianName = "Ref^Doc"
    ds.StationName = "CT01"
    ds.StudyDescription = "CHEST"
    ds.SeriesDescription = ["AXIAL 1mm", "AXIAL 3mm"][series]
    ds.ManufacturerModelName = "Synthetic"
    ds.PatientName = f"{SURNAMES[patient % len(SURNAMES)]}^P{patient:04d}"  # always 9 chars
    ds.PatientID = f"PID{patient:05d}"
    ds.PatientBirthDate = f"19{40 + patient % 50:02d}0101"
    ds.PatientSex = "MF"[patient % 2]
    ds.PatientAge = f"{30 + patient % 50:03d}Y"
    ds.BodyPartExamined = "CHEST"
    ds.SliceThickness = [1.0, 3.0][series]
    ds.KVP = 120
    ds.SoftwareVersions = "1.0"
    ds.ExposureTime = 500
    ds.XRayTubeCurrent = 200
    ds.ConvolutionKernel = "STANDARD"
    ds.PatientPosition = "HFS"
    ds.StudyInstanceUID = uid("small", "study", patient)
    ds.SeriesInstanceUID = uid("small", "series", patient, series)
    ds.StudyID = str(patient)
    ds.SeriesNumber = series + 1
    ds.AcquisitionNumber = 1
    ds.InstanceNumber = slice_no % 10 + 1
    ds.ImagePositionPatient = [-100.0, -100.0, -50.0 + 2.5 * slice_no]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = uid("small", "for", patient)
    ds.PositionReferenceIndicator = ""
    ds.SliceLocation = -50.0 + 2.5 * slice_no
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = size
    ds.Columns = size
    ds.PixelSpacing = [0.7, 0.7]
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.WindowCenter = 40
    ds.WindowWidth = 400
    ds.RescaleIntercept = -1024
    ds.RescaleSlope = 1
    ds.RescaleType = "HU"
    yy, xx = np.mgrid[0:size, 0:size]
    pixels = ((xx * 7 + yy * 13 + i * 31) % 2000 - 1000).astype("<i2")
    ds.PixelData = pixels.tobytes()
    return ds


def write_small(directory: Path, p: Params) -> None:
    tmp = directory.with_name(directory.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for i in range(p.n_small):
        small_dataset(i, p.small_size).save_as(tmp / f"ct_{i:04d}.dcm", enforce_file_format=True)
    if directory.exists():
        shutil.rmtree(directory)
    tmp.rename(directory)


def locate(workdir: Path, *, quick: bool) -> DataSet:
    """The paths of the data set for these options (built or not)."""
    return DataSet(Path(workdir) / ("quick" if quick else "full"), QUICK if quick else FULL)


def ensure(workdir: Path, *, quick: bool, force: bool = False, log=print) -> DataSet:
    """Build the data set unless ``marker.json`` says it is already there; return its paths."""
    data = locate(workdir, quick=quick)
    p = data.params
    marker = data.root / "marker.json"
    wanted = {**asdict(p), "pydicom": pydicom.__version__}
    if not force and marker.exists() and data.big.exists():
        try:
            if json.loads(marker.read_text()) == wanted and len(data.small_files) == p.n_small:
                return data
        except ValueError:
            pass
    data.root.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    t0 = time.perf_counter()
    log(f"building {data.big} ({p.frames} frames of {p.rows}x{p.cols} uint16) ...")
    write_big(data.big, p)
    log(f"  {data.big.stat().st_size / 2**20:.0f} MiB in {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    log(f"building {p.n_small} small files in {data.small_dir} ...")
    write_small(data.small_dir, p)
    log(f"  done in {time.perf_counter() - t1:.1f} s")
    _verify(data)
    marker.write_text(json.dumps(wanted, indent=1) + "\n")
    return data


def _verify(data: DataSet) -> None:
    """Read the results back with pydicom (pixel data deferred) and check their shape."""
    p = data.params
    ds = pydicom.dcmread(data.big, stop_before_pixels=True)
    if int(ds.NumberOfFrames) != p.frames or len(ds.PerFrameFunctionalGroupsSequence) != p.frames:
        raise RuntimeError(f"{data.big}: frame count read back is wrong")
    last = p.frames - 1
    got = pydicom.pixels.pixel_array(data.big, index=last)
    if not np.array_equal(
        got, frame_pixels(frame_pattern(p.rows, p.cols), last).reshape(got.shape)
    ):
        raise RuntimeError(f"{data.big}: frame {last} read back by pydicom differs")
    files = data.small_files
    if len(files) != p.n_small:
        raise RuntimeError(f"{data.small_dir}: {len(files)} files, expected {p.n_small}")
    one = pydicom.dcmread(files[-1])
    if one.pixel_array.shape != (p.small_size, p.small_size) or len(one.PatientName) != 9:
        raise RuntimeError(f"{files[-1]}: unexpected content")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--quick", action="store_true", help="small big file (64 x 512 x 512)")
    ap.add_argument("--force", action="store_true", help="rebuild even if the marker matches")
    args = ap.parse_args(argv)
    data = ensure(args.workdir, quick=args.quick, force=args.force)
    print(f"data ready in {data.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
