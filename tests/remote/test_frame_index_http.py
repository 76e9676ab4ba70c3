"""A frame index over HTTP (nginx, counted from its access log): an encapsulated file without
an offset table opens without walking its item headers, and each frame costs one request."""

from __future__ import annotations

import numpy as np
import pytest
from _built import encapsulated_file

import lazydcm
from lazydcm.io.ranged import DEFAULT_BLOCK_SIZE
from lazydcm.pixels.frameindex import FrameIndex, frame_index_of

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

FRAMES, FRAGMENT = 24, 100_000  # fragments bigger than a block: one block per item header


@pytest.fixture(scope="module")
def no_bot(nginx):
    path = encapsulated_file(nginx.root / "nobot.dcm", frames=FRAMES, fragment=FRAGMENT, bot=False)
    with lazydcm.dcmread(path) as local:
        index = frame_index_of(local)
        reference = list(local.index.file_order())
    return f"{nginx.url}/nobot.dcm", index, reference


def _gets(nginx):
    return [r for r in nginx.requests("nobot.dcm") if r[0] == "GET"]


def test_without_an_index_opening_walks_every_item_header(nginx, no_bot):
    url, _, reference = no_bot
    nginx.clear_log()
    with lazydcm.dcmread(url) as ds:
        assert list(ds.index.file_order()) == reference
    assert len(_gets(nginx)) > FRAMES  # the cost the frame index removes


def test_with_an_index_open_is_the_header_and_one_delimiter_check(nginx, no_bot):
    url, index, reference = no_bot
    nginx.clear_log()
    ds = lazydcm.dcmread(url, frame_index=index)
    gets = _gets(nginx)
    assert len(gets) == 2, gets  # the header block, the block holding the delimiter
    assert sum(sent for _, _, sent, _ in gets) <= 2 * DEFAULT_BLOCK_SIZE
    assert list(ds.index.file_order()) == reference  # the same elements and ends
    for k in (17, 3, FRAMES - 1):
        nginx.clear_log()
        assert ds.frame_bytes(k) == bytes([k + 1]) * FRAGMENT
        gets = _gets(nginx)
        assert len(gets) == 1, (k, gets)  # one request per frame
        assert gets[0][2] <= FRAGMENT + 8 + 2 * DEFAULT_BLOCK_SIZE
    ds.close()


def test_an_index_whose_end_is_not_the_delimiter_falls_back_to_the_walk(nginx, no_bot):
    url, index, reference = no_bot
    # the last frame trimmed (as an Extended Offset Table may trim it): no delimiter there
    trimmed = FrameIndex(index.size, index.header_length, index.offsets,
                         (*index.lengths[:-1], index.lengths[-1] - 10))  # fmt: skip
    nginx.clear_log()
    with lazydcm.dcmread(url, frame_index=trimmed) as ds:
        assert list(ds.index.file_order()) == reference
        assert len(_gets(nginx)) > FRAMES
        assert ds.frame_bytes(FRAMES - 1) == bytes([FRAMES]) * (FRAGMENT - 10)


def test_a_pickled_url_dataset_reopens_with_its_index(nginx, no_bot):
    import pickle

    url, index, _ = no_bot
    blob = pickle.dumps(lazydcm.dcmread(url, frame_index=index))
    nginx.clear_log()
    back = pickle.loads(blob)
    assert np.frombuffer(back.frame_bytes(5), np.uint8).max() == 6
    assert len(_gets(nginx)) == 3  # header, delimiter check, frame 5
    back.close()
