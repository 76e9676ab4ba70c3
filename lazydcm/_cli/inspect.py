"""``lazydcm dump`` and ``lazydcm show``: look at one file's header, or one frame of its image."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from typing import Any

import lazydcm
from lazydcm._cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Console,
    UsageError,
    atomic_path,
    split_list,
)
from lazydcm.archive import describe_error, open_checked, parse_tag

__all__ = ["run_dump", "run_show", "dump_text", "dump_json"]


def _open(path: str, force: bool) -> tuple[Any, str | None]:
    """Open ``path`` lazily; return the dataset and the truncation problem, if any."""
    return open_checked(path, force=force)


def _element_lines(elem: Any, indent: int = 0) -> Iterator[str]:
    from lazydcm.model._display import element_lines  # an unreadable value shows inline

    return element_lines(elem, indent)


def dump_text(ds: Any, tags: list[int] | None = None) -> str:
    """The dump form: ``str(ds)`` (meta group, then the dataset), or only the elements
    ``tags`` (in the order given; absent ones are skipped). Pixel data is shown summarised
    and never read."""
    if tags is None:
        return str(ds)
    lines: list[str] = []
    for tag in tags:
        holder = ds.file_meta if (tag >> 16) == 0x0002 and ds.file_meta is not None else ds
        elem = holder.get(lazydcm.Tag(tag))
        if elem is not None:
            lines.extend(_element_lines(elem))
    return "\n".join(lines)


def dump_json(
    ds: Any,
    tags: list[int] | None,
    threshold: int | None,
    indent: int | None,
    problems: list[str] | None = None,
) -> str:
    """The DICOM JSON Model object of the dataset (PS3.18 F.2), or of only ``tags``. Pixel
    data and binary values above ``threshold`` bytes become ``file:`` BulkDataURIs (never read);
    for a deflated file, whose bytes on disk are compressed, values are inlined instead. An
    element that cannot be decoded is written as UN and its error (offset, tag, reason) is
    appended to ``problems`` (raised when ``problems`` is None)."""
    from lazydcm.json import file_bulk_data_uris, to_json_dict

    on_error = None if problems is None else (lambda elem, exc: problems.append(str(exc)))
    obj = to_json_dict(
        ds,
        bulk_data_threshold=threshold,
        bulk_data_uri=file_bulk_data_uris(ds),
        on_error=on_error,
    )
    if tags is not None:
        wanted = {f"{tag:08X}" for tag in tags}
        obj = {key: value for key, value in obj.items() if key in wanted}
    return json.dumps(obj, indent=indent, allow_nan=False, ensure_ascii=False)


def _parse_tags(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(parse_tag(name)) for name in split_list(text)]
    except ValueError as exc:
        raise UsageError(f"--tags: {exc}") from None


def run_dump(args: argparse.Namespace) -> int:
    console = Console("dump", quiet=args.quiet)
    tags = _parse_tags(args.tags)
    status = EXIT_OK
    many = len(args.files) > 1
    for number, path in enumerate(args.files):
        try:
            ds, problem = _open(path, args.force)
        except Exception as exc:  # noqa: BLE001 - reported, the other files go on
            console.error(path, describe_error(exc))
            status = EXIT_FAILED
            continue
        problems: list[str] = []
        try:
            if args.json:
                text = dump_json(ds, tags, args.bulk_data_threshold, args.indent, problems)
            else:
                text = dump_text(ds, tags)
                if many:
                    text = ("\n" if number else "") + f"==> {path} <==\n" + text
        except Exception as exc:  # noqa: BLE001
            console.error(path, describe_error(exc))
            status = EXIT_FAILED
            continue
        finally:
            ds.close()
        console.out(text)
        for message in problems:  # the element is in the JSON as UN; the rest is whole
            console.error(path, f"written as UN: {message}")
        if problem is not None:
            console.error(path, problem)
            status = EXIT_FAILED
    return status


def _parse_window(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        center, width = (float(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"--window {text!r}: expected CENTER,WIDTH (e.g. 40,400)") from None
    if width <= 0:
        raise UsageError(f"--window {text!r}: the width must be positive")
    return center, width


def _frame_count(ds: Any) -> int:
    try:
        return max(1, int(ds.get("NumberOfFrames", 1) or 1))
    except (TypeError, ValueError):
        return 1


def default_png_name(path: str, frame: int, frames: int) -> str:
    """``<name without .dcm>.png`` in the current directory (``_frameK`` added for a
    multi-frame file)."""
    stem = os.path.basename(path)
    if stem.lower().endswith((".dcm", ".dicom")):
        stem = stem.rsplit(".", 1)[0]
    return f"{stem}_frame{frame}.png" if frames > 1 else f"{stem}.png"


def run_show(args: argparse.Namespace) -> int:
    console = Console("show", quiet=args.quiet)
    window = _parse_window(args.window)
    path = args.file
    try:
        ds, problem = _open(path, args.force)
    except Exception as exc:  # noqa: BLE001
        console.error(path, describe_error(exc))
        return EXIT_FAILED
    try:
        if (
            "PixelData" not in ds
            and "FloatPixelData" not in ds
            and "DoubleFloatPixelData" not in ds
        ):
            console.error(path, "has no pixel data to show")
            return EXIT_FAILED
        frames = _frame_count(ds)
        frame = args.frame
        if not -frames <= frame < frames:
            raise UsageError(f"--frame {frame}: {path} has {frames} frame(s) (0..{frames - 1})")
        frame %= frames
        out = args.output or default_png_name(path, frame, frames)
        try:
            image = ds.to_image(frame=frame, window=window)
            from lazydcm.pixels.render import save_png

            with atomic_path(out) as temp:
                save_png(image, temp)
        except ImportError as exc:
            console.error(path, f"cannot render: {exc}")
            return EXIT_FAILED
        except Exception as exc:  # noqa: BLE001
            console.error(path, describe_error(exc))
            return EXIT_FAILED
        kind = "RGB" if image.ndim == 3 else "grayscale"
        console.out(
            f"{out}: {image.shape[1]}x{image.shape[0]} {kind}, "
            f"frame {frame} of {frames} from {path}"
        )
    finally:
        ds.close()
    if problem is not None:
        console.error(path, problem)
        return EXIT_FAILED
    return EXIT_OK
