"""Small real recordings built byte by byte, shaped like what browsers' MediaRecorder writes."""
import struct


def _id(value):
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _size(n, *, unknown=False):
    if unknown:
        return b"\x01\xff\xff\xff\xff\xff\xff\xff"
    if n < 127:
        return bytes([0x80 | n])
    return (0x10000000 | n).to_bytes(4, "big")


def _el(element, payload=b"", *, unknown=False):
    return _id(element) + _size(len(payload), unknown=unknown) + payload


def webm(seconds=2.0, *, video=False, frame_ms=20):
    """A WebM/Opus recording as Chrome writes it live: no Duration, segment and clusters of unknown size."""
    header = _el(0x1A45DFA3, _el(0x4286, b"\x01") + _el(0x4282, b"webm") + _el(0x4287, b"\x04") + _el(0x4285, b"\x02"))
    info = _el(0x1549A966, _el(0x2AD7B1, (1_000_000).to_bytes(3, "big")) + _el(0x4D80, b"test"))
    audio = _el(0xAE, _el(0xD7, b"\x01") + _el(0x83, b"\x02") + _el(0x86, b"A_OPUS"))
    tracks = audio + (_el(0xAE, _el(0xD7, b"\x02") + _el(0x83, b"\x01") + _el(0x86, b"V_VP8")) if video else b"")
    body = info + _el(0x1654AE6B, tracks)
    total, cluster_ms = int(seconds * 1000), 0
    while cluster_ms < total:
        blocks = b""
        for offset in range(0, min(1000, total - cluster_ms), frame_ms):
            blocks += _el(0xA3, b"\x81" + struct.pack(">h", offset) + b"\x80" + b"\xfc" * 40)
        body += _el(0x1F43B675, _el(0xE7, cluster_ms.to_bytes(4, "big")) + blocks, unknown=True)
        cluster_ms += 1000
    return header + _el(0x18538067, body, unknown=True)


def ogg(seconds=2.0):
    """An Ogg/Opus file: the first page names Opus, the last page's granule position gives the length."""
    def page(granule, payload, flag=0):
        return b"OggS\x00" + bytes([flag]) + struct.pack("<q", granule) + b"\x01\x00\x00\x00" + b"\x00" * 8 + \
            bytes([1, len(payload)]) + payload
    head = b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
    return page(0, head, 2) + page(0, b"OpusTags" + b"\x00" * 8) + page(int(seconds * 48000), b"\xfc" * 60, 4)


HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
