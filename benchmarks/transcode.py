"""Transcoding benchmark, side by side in one run (issue 13).

    python benchmarks/transcode.py [--quick] [--workdir DIR] [--only NAME,...]

Transcodes ``big.dcm`` of ``make_data.py`` (full: 512 frames of 1024 x 1024 uint16 = 1 GiB of
pixel data; quick: 64 frames of 512 x 512) to RLE Lossless and to JPEG 2000 Lossless with

* lazydcm ``save_as(transfer_syntax=...)`` (one frame at a time, RLE our own encoder, J2K
  through imagecodecs/OpenJPEG),
* pydicom 3 ``Dataset.compress`` (+ ``save_as``) with its ``pylibjpeg`` plugins,
* ``gdcmconv --rle`` / ``gdcmconv --j2k`` and DCMTK ``dcmcrle``,

each in a fresh process. For the Python libraries the memory figure is the peak RSS growth
during the transcode (``VmHWM`` after minus ``VmRSS`` before, see ``harness.py``); for the
command-line tools it is their whole maximum RSS (``/usr/bin/time``), which includes their own
start-up. Then the RLE encoding of one frame is timed against pylibjpeg-rle's encoder.
Every output is checked: its first and last frames decode (with pydicom) to the source's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
import make_data  # noqa: E402

RLE = "1.2.840.10008.1.2.5"
J2K = "1.2.840.10008.1.2.4.90"


def _lazydcm(src: str, out: str, uid: str) -> None:
    import lazydcm  # imported before the measurement by single()

    ds = lazydcm.dcmread(src)
    ds.save_as(out, transfer_syntax=uid, fsync=False)


def _pydicom(src: str, out: str, uid: str) -> None:
    import pydicom  # imported before the measurement by single()

    ds = pydicom.dcmread(src)
    ds.compress(uid, encoding_plugin="pylibjpeg")
    ds.save_as(out)


PY_CASES = {
    "lazydcm-rle": (_lazydcm, RLE),
    "lazydcm-j2k": (_lazydcm, J2K),
    "pydicom-rle": (_pydicom, RLE),
    "pydicom-j2k": (_pydicom, J2K),
}
TOOL_CASES = {
    "gdcmconv-rle": (["gdcmconv", "--rle"], RLE),
    "dcmcrle": (["dcmcrle"], RLE),
    "gdcmconv-j2k": (["gdcmconv", "--j2k"], J2K),
}


def single(name: str, src: str, out: str) -> dict:
    """Run one Python case in this process and return its measurement."""
    func, uid = PY_CASES[name]
    # import each library and its codecs before measuring: the figures are the transcode's
    if name.startswith("lazydcm"):
        import imagecodecs  # noqa: F401

        import lazydcm.pixels.transcode  # noqa: F401
    else:
        import openjpeg  # noqa: F401
        import pydicom.pixels  # noqa: F401
        import rle  # noqa: F401
    with harness.MemorySampler() as mem:
        start = time.perf_counter()
        func(src, out, uid)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss": mem.peak_rss, "anon_peak": mem.anon_peak}


def run_python_case(name: str, src: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--single", name, "--src", str(src), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_tool_case(name: str, src: Path, out: Path) -> dict:
    argv, _ = TOOL_CASES[name]
    cmd = ["/usr/bin/time", "-f", "%e %M", *argv, str(src), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    seconds, max_kib = done.stderr.strip().splitlines()[-1].split()
    return {"seconds": float(seconds), "max_rss": int(max_kib) * 1024}


def check(src: Path, out: Path, frames: int) -> str:
    """'ok' when the first and last frames of ``out`` decode to those of ``src`` (pydicom)."""
    import numpy as np
    import pydicom
    from pydicom.pixels import pixel_array

    want_ts = None
    try:
        want_ts = pydicom.dcmread(out, stop_before_pixels=True).file_meta.TransferSyntaxUID
        for k in (0, frames - 1):
            if not np.array_equal(pixel_array(out, index=k), pixel_array(src, index=k)):
                return f"frame {k} differs"
    except Exception as exc:  # noqa: BLE001 - reported in the table
        return f"unreadable: {type(exc).__name__}"
    return f"ok ({want_ts.name})"


def rle_speed(rows: int, cols: int, repeat: int = 5) -> dict:
    """Best-of-``repeat`` seconds to RLE-encode one uint16 frame: lazydcm vs pylibjpeg-rle."""
    import numpy as np
    from rle.utils import encode_pixel_data

    from lazydcm.pixels.rle import rle_decode_frame
    from lazydcm.pixels.rle_encode import encode_rle_frame
    from lazydcm.pixels.spec import PixelSpec

    frame = make_data.frame_pixels(make_data.frame_pattern(rows, cols), 3).reshape(rows, cols)
    smooth = np.repeat(np.arange(rows, dtype=np.uint16)[:, None] // 8, cols, axis=1)
    spec = PixelSpec(rows=rows, columns=cols, bits_allocated=16, bits_stored=12)
    results = {}
    for label, arr in (("noise", frame), ("smooth", smooth)):
        ours = theirs = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            mine = encode_rle_frame(arr, spec)
            ours = min(ours, time.perf_counter() - t)
            t = time.perf_counter()
            other = encode_pixel_data(
                arr.tobytes(),
                rows=rows,
                columns=cols,
                samples_per_pixel=1,
                bits_allocated=16,
                byteorder="<",
            )
            theirs = min(theirs, time.perf_counter() - t)
        assert np.array_equal(rle_decode_frame(mine, spec), arr)
        assert np.array_equal(rle_decode_frame(other, spec), arr)
        results[label] = {
            "lazydcm": ours,
            "pylibjpeg-rle": theirs,
            "bytes": (len(mine), len(other)),
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workdir", type=Path, default=make_data.DEFAULT_WORKDIR)
    parser.add_argument("--only", default="")
    parser.add_argument("--single", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.single:
        print(json.dumps(single(args.single, args.src, args.out)))
        return 0
    data = make_data.ensure(args.workdir, quick=args.quick)
    p = data.params
    scratch = data.scratch
    scratch.mkdir(parents=True, exist_ok=True)
    names = [*PY_CASES, *TOOL_CASES]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    size = data.big.stat().st_size
    print(f"source: {data.big} ({harness.fmt_bytes(size)}, {p.frames} frames of {p.rows}x{p.cols})")
    print(harness.machine_info())
    rows = []
    for name in names:
        out = scratch / f"{name}.dcm"
        if out.exists():
            out.unlink()
        runner = run_python_case if name in PY_CASES else run_tool_case
        result = runner(name, data.big, out)
        if "error" in result:
            rows.append([name, "-", "-", "-", result["error"][:60]])
        else:
            mem = result.get("peak_rss", result.get("max_rss"))
            kind = "added" if "peak_rss" in result else "max RSS"
            rows.append(
                [
                    name,
                    harness.fmt_time(result["seconds"]),
                    f"{harness.fmt_bytes(mem)} {kind}",
                    harness.fmt_bytes(out.stat().st_size),
                    check(data.big, out, p.frames),
                ]
            )
        print("  " + " | ".join(rows[-1]), flush=True)
        if out.exists():
            out.unlink()
    print(harness.table(["case", "time", "memory", "output", "check"], rows))
    speed = rle_speed(p.rows, p.cols)
    print(f"RLE encode of one {p.rows}x{p.cols} uint16 frame (best of 5):")
    for label, r in speed.items():
        print(
            f"  {label}: lazydcm {r['lazydcm'] * 1e3:.1f} ms, pylibjpeg-rle "
            f"{r['pylibjpeg-rle'] * 1e3:.1f} ms, sizes {r['bytes'][0]} / {r['bytes'][1]} bytes"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
