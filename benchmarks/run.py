"""Side-by-side benchmarks of pydicom and lazydcm (and ``cp`` as the floor for copy-through).

    python benchmarks/run.py [--quick] [--only NAME[,NAME...]] [--workdir DIR] [--warm]
                             [--rounds N]

Builds the data (make_data.py, skipped when present), then measures every implementation of
every selected benchmark in a fresh Python process (``run.py --single NAME --impl IMPL``), so
that memory growth is per action and nothing is shared between libraries. Prints one table row
per comparison: baseline time and memory, lazydcm time and memory, the ratio
(baseline time / lazydcm time, so bigger is better for lazydcm), the target and PASS/FAIL.

Times are the best warm run (median and run count are in the details below the table). When the
page cache can be dropped (root, writable ``/proc/sys/vm/drop_caches``) each process's first run
is cold and reported separately; ``--warm`` never drops it.

Benchmarks: open, small-attrs, frame, pixel-index, sum, save, edit, index, edit-many, deid-small,
deid-big.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import harness
import make_data
from harness import MIB, Measurement, fmt_bytes, fmt_time

RESULT_PREFIX = "RESULT "
CHILD_TIMEOUT = 1800  # seconds for one implementation of one benchmark


# --- targets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One comparison: ``subject`` (lazydcm) against ``baseline``, with its targets.

    ``min_ratio``: baseline best time / subject best time must be at least this.
    ``max_time``: the subject's best time must be below this (seconds).
    ``mem_limit``: the subject's ``mem_metric`` growth must be below this (bytes).
    ``compare``: the two implementations' check strings must be equal.
    """

    bench: str
    label: str
    baseline: str
    subject: str
    min_ratio: float | None = None
    max_time: float | None = None
    mem_metric: str = "peak_rss"
    mem_limit: int | None = None
    compare: bool = True

    def target_text(self) -> str:
        parts = []
        if self.min_ratio is not None:
            if self.min_ratio < 1:
                parts.append(f">={self.min_ratio:.2f}x (within {1 / self.min_ratio:.1f}x)")
            else:
                parts.append(f">={self.min_ratio:g}x")
        if self.max_time is not None:
            parts.append(f"<{fmt_time(self.max_time)}")
        if self.mem_limit is not None:
            kind = "anon" if self.mem_metric.startswith("anon") else "RSS"
            parts.append(f"<{self.mem_limit // MIB} MiB {kind}")
        return ", ".join(parts) or "(info)"


ROWS = [
    Row(
        "open", "open + 4 attrs vs dcmread", "pydicom", "lazydcm", min_ratio=300, mem_limit=10 * MIB
    ),
    Row("open", "open + 4 attrs vs stop_before_pixels", "pydicom-sbp", "lazydcm", min_ratio=5),
    Row("small-attrs", "5 attrs x small files", "pydicom-sbp", "lazydcm", min_ratio=3),
    Row("frame", "one frame (materialised)", "pydicom", "lazydcm", min_ratio=2),
    # the check strings carry each side's page count (mincore), so they differ by design; the
    # frame sums in them must agree (tests/test_pixel_access.py pins the values)
    Row(
        "pixel-index",
        "pixel_array[300] vs index read",
        "pydicom",
        "lazydcm",
        min_ratio=2,
        compare=False,
    ),  # fmt: skip
    Row(
        "sum",
        "sum of all pixels",
        "pydicom",
        "lazydcm",
        min_ratio=1.0,
        mem_metric="anon_peak",
        mem_limit=50 * MIB,
    ),
    Row(
        "save",
        "save_as(fsync=False) vs cp",
        "cp",
        "lazydcm-nofsync",
        min_ratio=1 / 1.2,
        mem_metric="anon_peak",
        mem_limit=50 * MIB,
        compare=False,
    ),
    Row(
        "save",
        "save_as (durable) vs cp+fsync",
        "cp+fsync",
        "lazydcm",
        min_ratio=1 / 1.2,
        mem_metric="anon_peak",
        mem_limit=50 * MIB,
        compare=False,
    ),
    Row("save", "PatientName + save_as vs pydicom", "pydicom", "lazydcm", mem_metric="anon_peak"),
    Row("edit", "same-length in-place edit (big)", "pydicom", "lazydcm", max_time=0.010),
    Row("index", "index small files, 1 job", "pydicom-sbp", "lazydcm-j1", min_ratio=3),
    Row("index", "index small files, 2 jobs", "pydicom-sbp", "lazydcm-j2", min_ratio=3),
    Row("edit-many", "edit PatientName, small files", "pydicom", "lazydcm-nofsync", min_ratio=3),
    Row("edit-many", "edit PatientName (fsync each)", "pydicom", "lazydcm"),
    *(
        Row(f"deid-{which}", f"de-identify {what} vs {tool}", tool, "lazydcm", compare=False)
        for which, what in (("small", "1,000 small files"), ("big", "the big file"))
        for tool in ("dicognito", "deid", "gdcmanon")
    ),
]


def judge(row: Row, base: Measurement, subj: Measurement) -> tuple[str, str]:
    """Return (ratio text, result) for a row whose two measurements are in hand."""
    if base.error:
        return "-", "ERROR (baseline)"
    if subj.error:
        return "-", "N/A" if subj.error.startswith("not available") else "ERROR"
    ratio = base.best / subj.best if subj.best > 0 else float("inf")
    text = f"{ratio:.1f}x" if ratio >= 10 else f"{ratio:.2f}x"
    if row.compare and base.check != subj.check:
        return text, "MISMATCH"
    ok = True
    if row.min_ratio is not None:
        ok &= ratio >= row.min_ratio
    if row.max_time is not None:
        ok &= subj.best < row.max_time
    if row.mem_limit is not None:
        ok &= getattr(subj, row.mem_metric) < row.mem_limit
    has_target = row.min_ratio is not None or row.max_time is not None or row.mem_limit is not None
    return text, ("PASS" if ok else "FAIL") if has_target else "-"


# --- child process: one implementation of one benchmark ---------------------------------------


def run_single(name: str, impl: str, data: make_data.DataSet, *, cold: bool) -> Measurement:
    """Prepare and measure one case in this process; errors become ``Measurement.error``."""
    import cases

    factory = cases.BENCHMARKS[name].impls[impl]
    try:
        case = factory(data)
        return harness.measure(case, cold=cold)
    except (ImportError, AttributeError) as exc:
        if not impl.startswith("lazydcm"):
            traceback.print_exc()
            return Measurement(error=f"failed: {type(exc).__name__}: {exc}")
        return Measurement(error=f"not available: {type(exc).__name__}: {exc}")
    except Exception as exc:
        traceback.print_exc()
        return Measurement(error=f"failed: {type(exc).__name__}: {exc}")


def spawn_single(
    name: str, impl: str, args: argparse.Namespace, *, cold: bool
) -> tuple[Measurement, str]:
    """Run ``--single`` in a fresh interpreter; return its measurement and its stderr."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--single", name, "--impl", impl]
    cmd += ["--workdir", str(args.workdir)]
    if args.quick:
        cmd.append("--quick")
    if cold:
        cmd.append("--cold")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Measurement(error=f"failed: timed out after {CHILD_TIMEOUT} s"), ""
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return Measurement.from_json(json.loads(line[len(RESULT_PREFIX) :])), proc.stderr
    tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
    return Measurement(error=f"failed: child process: {tail[0]}"), proc.stderr


# --- the report -------------------------------------------------------------------------------


def merge_rounds(first: Measurement, later: Measurement) -> Measurement:
    """One measurement from two rounds of the same implementation: all warm times, the first
    round's cold time, the larger memory figures; a differing check is an error."""
    merged = Measurement(
        times=first.times + later.times,
        cold=first.cold,
        peak_rss=max(first.peak_rss, later.peak_rss),
        anon_peak=max(first.anon_peak, later.anon_peak),
        anon_after=max(first.anon_after, later.anon_after),
        check=first.check,
        note=first.note,
    )
    if later.check != first.check:
        merged.error = f"check differs between rounds: {first.check} vs {later.check}"
    return merged


def mem_of(m: Measurement, metric: str) -> str:
    return "-" if m.error else fmt_bytes(getattr(m, metric))


def time_of(m: Measurement | None) -> str:
    if m is None:
        return "(not run)"
    return "-" if m.error or not m.times else fmt_time(m.best)


def print_table(rows: list[Row], results: dict[tuple[str, str], Measurement]) -> int:
    lines, failures = [], 0
    for row in rows:
        base, subj = results[(row.bench, row.baseline)], results[(row.bench, row.subject)]
        ratio, verdict = judge(row, base, subj)
        failures += verdict not in ("PASS", "-")
        lines.append(
            [
                row.label,
                row.baseline,
                time_of(base),
                mem_of(base, row.mem_metric),
                time_of(subj),
                mem_of(subj, row.mem_metric),
                ratio,
                row.target_text(),
                verdict,
            ]
        )
    headers = [
        "benchmark",
        "baseline",
        "time",
        "mem",
        "lazydcm",
        "mem",
        "ratio",
        "target",
        "result",
    ]
    print(harness.table(headers, lines))
    print(
        "time: best warm run; mem: peak RSS growth, or anonymous memory growth where the target "
        "says anon; ratio: baseline time / lazydcm time"
    )
    return failures


def print_details(
    selected: list[str], results: dict[tuple[str, str], Measurement], n_small: int
) -> None:
    import cases

    print("\ndetails")
    for name in selected:
        bench = cases.BENCHMARKS[name]
        print(f"  {name}: {bench.title}")
        for impl in bench.impls:
            m = results[(name, impl)]
            if m.error:
                print(f"    {impl:<12} {m.error}")
                continue
            cold = f", cold first run {fmt_time(m.cold)}" if m.cold is not None else ""
            per_file = name in ("index", "small-attrs", "edit-many")
            extra = f", {n_small / m.best:,.0f} files/s" if per_file else ""
            print(
                f"    {impl:<12} best {fmt_time(m.best)}, median {fmt_time(m.median)}, "
                f"{len(m.times)} runs{cold}{extra}; peak RSS +{fmt_bytes(m.peak_rss)}, "
                f"anon peak +{fmt_bytes(m.anon_peak)}, anon held +{fmt_bytes(m.anon_after)}"
            )
            if m.check:
                print(f"    {'':<12} check: {m.check}")
            if m.note:
                print(f"    {'':<12} note: {m.note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small data set for a smoke run")
    ap.add_argument("--only", help="comma-separated benchmark names")
    ap.add_argument("--workdir", type=Path, default=make_data.DEFAULT_WORKDIR)
    ap.add_argument("--warm", action="store_true", help="never drop the page cache")
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every implementation this many times, alternating (A B A B ...), each in\n"
        "a fresh process, and keep the best: drift in machine load then hits both sides",
    )
    ap.add_argument("--single", help=argparse.SUPPRESS)
    ap.add_argument("--impl", help=argparse.SUPPRESS)
    ap.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.single:
        data = make_data.locate(args.workdir, quick=args.quick)
        m = run_single(args.single, args.impl, data, cold=args.cold)
        print(RESULT_PREFIX + json.dumps(m.to_json()), flush=True)
        return 0

    import cases

    selected = list(cases.BENCHMARKS)
    if args.only:
        selected = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = [s for s in selected if s not in cases.BENCHMARKS]
        if unknown:
            ap.error(f"unknown benchmark(s) {unknown}; choose from {list(cases.BENCHMARKS)}")

    print("command:", shlex.join([sys.executable, *sys.argv]))
    for key, value in harness.machine_info().items():
        print(f"{key + ':':<10} {value}")
    data = make_data.ensure(args.workdir, quick=args.quick)
    p = data.params
    print(
        f"data:      {data.big} ({p.frames} frames of {p.rows}x{p.cols} uint16, "
        f"{fmt_bytes(data.big.stat().st_size)}); {p.n_small} small files in {data.small_dir}"
    )
    cold = False
    if args.warm:
        print("cache:     warm only (--warm)")
    else:
        cold, reason = harness.drop_caches()
        print(
            "cache:     page cache dropped before each process's first run (cold column); "
            "targets use warm runs"
            if cold
            else f"cache:     warm only: cannot drop the page cache ({reason})"
        )

    results: dict[tuple[str, str], Measurement] = {}
    started = time.perf_counter()
    for name in selected:
        for round_ in range(max(1, args.rounds)):
            for impl in cases.BENCHMARKS[name].impls:
                print(f"  running {name} / {impl} ...", end=" ", flush=True)
                m, stderr = spawn_single(name, impl, args, cold=cold and round_ == 0)
                if round_ and not m.error and not results[(name, impl)].error:
                    m = merge_rounds(results[(name, impl)], m)
                results[(name, impl)] = m
                if m.error:
                    label = "lazydcm" if impl.startswith("lazydcm") else impl
                    print(f"\n  {label}: {m.error}")
                    if not m.error.startswith("not available") and stderr.strip():
                        print("    " + stderr.strip().replace("\n", "\n    "))
                else:
                    print(fmt_time(m.best))
    print(f"(measured in {time.perf_counter() - started:.0f} s)\n")

    failures = print_table([r for r in ROWS if r.bench in selected], results)
    print_details(selected, results, p.n_small)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
