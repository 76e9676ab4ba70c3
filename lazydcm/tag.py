"""pydicom's ``tag`` module as a face over :mod:`lazydcm.model.tag`.

``Tag`` is the one tag class (an ``int``); ``BaseTag`` is the same class under pydicom's name,
``TupleTag((group, element))`` builds one from a pair, and :func:`tag_in_exception` adds the
tag to the message of an exception raised while handling that element.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lazydcm.model.tag import Tag, TagLike, tag_repr

__all__ = [
    "BaseTag",
    "ItemTag",
    "ItemDelimiterTag",
    "SequenceDelimiterTag",
    "Tag",
    "TagLike",
    "TupleTag",
    "tag_in_exception",
    "tag_repr",
]

#: pydicom's name for the tag class: ``isinstance(t, BaseTag)`` holds for every ``Tag``.
BaseTag = Tag

#: PS3.5 7.5: the item and delimiter tags.
ItemTag = Tag(0xFFFEE000)
ItemDelimiterTag = Tag(0xFFFEE00D)
SequenceDelimiterTag = Tag(0xFFFEE0DD)


def TupleTag(group_element: tuple[int, int]) -> Tag:  # noqa: N802 - pydicom's name
    """``Tag`` from a ``(group, element)`` pair. Raises as ``Tag``."""
    return Tag(group_element)


@contextmanager
def tag_in_exception(tag: TagLike) -> Iterator[None]:
    """Re-raise any exception from the block as the same type with ``tag`` in its message.

    The original exception is kept as ``__cause__``. An exception type that cannot be built
    from one message argument is re-raised unchanged.
    """
    try:
        yield
    except Exception as exc:
        label = tag_repr(int(Tag(tag)))
        try:
            wrapped: Any = type(exc)(f"while handling tag {label}: {exc}")
        except Exception:
            raise exc from None
        raise wrapped from exc
