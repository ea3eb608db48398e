"""Deposits are grouped into frames a relay reads whole: at most 64 packets and 1 MiB of them,
in order (a file's 64 KiB chunks once made 4 MiB frames that a relay closed the channel on)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from node.edges.relay_transport import MAX_FRAME_PACKET_BYTES, _frames
from node.protocol.relay_wire import MAX_DEPOSIT_BATCH


@given(st.lists(st.sampled_from([256, 4096, 16384, 65536]), max_size=300))
def test_frames_keep_order_and_bounds(sizes: list[int]) -> None:
    packets = [index.to_bytes(4, "big") * (size // 4) for index, size in enumerate(sizes)]
    frames = _frames(packets)
    assert [packet for frame in frames for packet in frame] == packets
    for frame in frames:
        assert 1 <= len(frame) <= MAX_DEPOSIT_BATCH
        assert sum(map(len, frame)) <= MAX_FRAME_PACKET_BYTES


def test_sixty_four_chunks_of_a_file_take_several_frames() -> None:
    chunks = [bytes(65536)] * 64
    assert [len(frame) for frame in _frames(chunks)] == [16, 16, 16, 16]
