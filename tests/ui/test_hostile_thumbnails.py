"""A save's thumbnail is untrusted: an image that claims a huge size is never decoded (it would allocate
gigabytes before drawing a pixel), while the game's own thumbnails still show."""
from __future__ import annotations

import base64
import struct
import zlib

import pygame
import pytest

from game.ui.painter import THUMB_WIDTH, decode_thumbnail, encode_thumbnail, image_size


def uri(raw: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(raw).decode("ascii")


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * width
    data = zlib.compress(row * min(height, 4), 9)  # a few rows: the rest would come from the bomb's size
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9 + frame + b"\xff\xd9"


@pytest.mark.parametrize("raw, kind", [(png_claiming(40000, 40000), "png"), (jpeg_claiming(65000, 65000), "jpeg")])
def test_an_image_claiming_a_huge_size_is_not_decoded(raw, kind):
    assert image_size(raw)[0] >= 40000
    assert decode_thumbnail(uri(raw, kind)) is None


def test_the_games_own_thumbnail_still_shows():
    picture = pygame.Surface((1280, 720))
    picture.fill((200, 120, 80))
    data = encode_thumbnail(picture)
    assert image_size(base64.b64decode(data.partition(",")[2])) == (THUMB_WIDTH, 180)
    thumb = decode_thumbnail(data)
    assert thumb is not None and thumb.get_size() == (THUMB_WIDTH, 180)


@pytest.mark.parametrize("raw", [b"", b"\xff\xd8", b"\xff\xd8\x00\x00", b"\x89PNG\r\n\x1a\n", b"GIF89a" + b"\x00" * 20])
def test_a_broken_image_is_no_thumbnail_and_no_error(raw):
    assert decode_thumbnail(uri(raw)) is None
