"""Remote suite: lazydcm vs pydicom 3 + fsspec vs highdicom over HTTP, side by side in one run.

    python benchmarks/remote.py [--quick] [--workdir DIR] [--only NAME[,NAME...]]

Builds the data with make_data.py (skipped when present), starts nginx on 127.0.0.1 (a free
port, generated config, serving the data directory; ``tests/remote/servers.py``), and for each
case and library runs the action once in a fresh Python process, clearing nginx's access log
before. Bytes and requests come from the access log (body bytes sent, every method); time is
the child's wall time for the action (imports excluded). Cases:

- ``header``: the 1 GiB file's header (lazydcm ``dcmread(url)``; pydicom
  ``dcmread(fsspec file, stop_before_pixels=True)``; highdicom
  ``imread(fsspec file, lazy_frame_retrieval=True)``, which reads the header and prepares
  frame offsets).
- ``frame300``: open + frame 300 (lazydcm ``ds.frame(300)``; pydicom
  ``pydicom.pixels.pixel_array(f, index=300)``; highdicom
  ``image.get_stored_frame(300, as_index=True)`` on the lazy image).
- ``all-frames``: open + every frame in order (lazydcm ``ds.frame(k)``; pydicom
  ``pydicom.pixels.iter_pixels(f)``; highdicom ``get_stored_frame(k, as_index=True)``).
- ``small-headers``: 1,000 small files' headers, one open each (lazydcm and pydicom only;
  see ``NOT_APPLICABLE``).

highdicom's lazy frame reader is the ``highdicom.Image`` that ``highdicom.imread(fp,
lazy_frame_retrieval=True)`` returns; its documentation recommends it over the older
``highdicom.io.ImageFileReader`` and it takes any binary file object (here the fsspec file).
The ``x lazydcm`` column is the cell's bytes moved over lazydcm's for the same case.

Targets: header <= 256 KiB moved and >= 5x fewer bytes than pydicom; frame 300 <= 1.25x the
frame's size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "remote"))

import make_data  # noqa: E402
from servers import Nginx  # noqa: E402

CASES = ("header", "frame300", "all-frames", "small-headers")
IMPLS = ("pydicom", "highdicom", "lazydcm")
# (case, impl) cells that are not run, and why (printed in the output)
NOT_APPLICABLE = {
    ("small-headers", "highdicom"): "highdicom's lazy reader is a frame reader for one image; "
    "reading headers only is pydicom's dcmread (the pydicom row)",
}
KIB = 1024


def child(case: str, impl: str, base: str, big: str, smalls: list[str]) -> dict:
    """Run one case in this process; return {"seconds", "check"}."""
    import fsspec

    if impl == "lazydcm":
        import lazydcm
    elif impl == "highdicom":
        import highdicom
    else:
        import pydicom
        import pydicom.pixels
    url = f"{base}/{big}"
    t0 = time.perf_counter()
    if impl == "lazydcm":
        if case == "header":
            check = str(lazydcm.dcmread(url).SOPInstanceUID)
        elif case == "frame300":
            check = int(lazydcm.dcmread(url).frame(300).astype("int64").sum())
        elif case == "all-frames":
            ds = lazydcm.dcmread(url)
            check = sum(int(ds.frame(k).astype("int64").sum()) for k in range(ds.NumberOfFrames))
        else:
            check = sum(len(str(lazydcm.dcmread(f"{base}/{s}").PatientName)) for s in smalls)
    elif impl == "highdicom":
        with fsspec.open(url, "rb") as f:
            image = highdicom.imread(f, lazy_frame_retrieval=True)
            if case == "header":
                check = str(image.SOPInstanceUID)
            elif case == "frame300":
                check = int(image.get_stored_frame(300, as_index=True).astype("int64").sum())
            elif case == "all-frames":
                check = sum(
                    int(image.get_stored_frame(k, as_index=True).astype("int64").sum())
                    for k in range(image.number_of_frames)
                )
            else:
                raise ValueError(NOT_APPLICABLE[case, impl])
    else:
        if case == "header":
            with fsspec.open(url, "rb") as f:
                check = str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID)
        elif case == "frame300":
            with fsspec.open(url, "rb") as f:
                check = int(pydicom.pixels.pixel_array(f, index=300).astype("int64").sum())
        elif case == "all-frames":
            with fsspec.open(url, "rb") as f:
                check = sum(int(a.astype("int64").sum()) for a in pydicom.pixels.iter_pixels(f))
        else:
            check = 0
            for s in smalls:
                with fsspec.open(f"{base}/{s}", "rb") as f:
                    check += len(str(pydicom.dcmread(f, stop_before_pixels=True).PatientName))
    return {"seconds": time.perf_counter() - t0, "check": check}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workdir", type=Path, default=make_data.DEFAULT_WORKDIR)
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, impl, base, big, smalls = args.child
        result = child(case, impl, base, big, json.loads(smalls))
        print("RESULT " + json.dumps(result))
        return 0
    data = make_data.ensure(args.workdir, quick=args.quick)
    root = data.big.parent
    big = data.big.name
    smalls = [str(p.relative_to(root)) for p in data.small_files]
    frame_bytes = data.params.rows * data.params.cols * 2
    with tempfile.TemporaryDirectory(prefix="lazydcm-nginx-") as prefix:
        server = Nginx(root, Path(prefix))
        try:
            rows = []
            for case in args.only.split(","):
                for impl in IMPLS:
                    if (case, impl) in NOT_APPLICABLE:
                        continue
                    server.clear_log()
                    out = subprocess.run(
                        [sys.executable, __file__, "--child", case, impl, server.url, big,
                         json.dumps(smalls)],  # fmt: skip
                        capture_output=True, text=True, check=False,
                    )  # fmt: skip
                    line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
                    if out.returncode or not line:
                        print(out.stderr[-3000:], file=sys.stderr)
                        raise SystemExit(f"{case}/{impl} failed")
                    result = json.loads(line[0][7:])
                    reqs = server.requests()
                    rows.append((case, impl, result, len(reqs), sum(r[2] for r in reqs)))
        finally:
            server.stop()
    print(f"{'case':<14}{'impl':<10}{'time':>10}{'requests':>10}{'bytes moved':>16}"
          f"{'x lazydcm':>11}  check")  # fmt: skip
    by = {(case, impl): (result, nreq, nbytes) for case, impl, result, nreq, nbytes in rows}
    for case in args.only.split(","):
        for impl in IMPLS:
            if (case, impl) in NOT_APPLICABLE:
                print(f"{case:<14}{impl:<10}  n/a: {NOT_APPLICABLE[case, impl]}")
                continue
            result, nreq, nbytes = by[case, impl]
            ratio = nbytes / max(by[case, "lazydcm"][2], 1)
            print(f"{case:<14}{impl:<10}{result['seconds']:>9.3f}s{nreq:>10}{nbytes:>16,}"
                  f"{ratio:>10.2f}x  {str(result['check'])[:24]}")  # fmt: skip
    verdicts = []
    if ("header", "lazydcm") in by:
        lz, pd = by["header", "lazydcm"][2], by["header", "pydicom"][2]
        verdicts.append(("header <= 256 KiB", lz <= 256 * KIB, f"{lz / KIB:.0f} KiB"))
        verdicts.append(("header >= 5x fewer bytes", pd >= 5 * lz, f"{pd / max(lz, 1):.1f}x"))
    if ("frame300", "lazydcm") in by:
        lz = by["frame300", "lazydcm"][2] - by.get(("header", "lazydcm"), (0, 0, 0))[2]
        verdicts.append(("frame 300 <= 1.25x frame (minus header)", lz <= 1.25 * frame_bytes,
                         f"{lz / frame_bytes:.3f}x of {frame_bytes:,}"))  # fmt: skip
    for case in CASES:
        if (case, "lazydcm") in by:
            ran = [impl for impl in IMPLS if (case, impl) in by]
            same = len({json.dumps(by[case, impl][0]["check"]) for impl in ran}) == 1
            verdicts.append((f"{case}: same result", same, "/".join(ran)))
    for name, ok, detail in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}  {detail}")
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
