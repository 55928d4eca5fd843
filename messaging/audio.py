"""What a voice note really is, read from its bytes: the container, that it holds sound and no picture,
and how long it plays.

Browsers record in three containers: WebM/Opus (Chrome, Edge, Android), Ogg/Opus
(Firefox) and MP4/AAC (Safari). `filetype` names the container from the first
bytes, never from the file name or the browser's word; then a few lines per
container read what the recorder wrote:

- WebM: the EBML elements. A live recording has no Duration in its header and
  clusters of unknown size, so the length is the last block's time (cluster
  timecode + block offset); its track types say audio (2), and no video (1).
- Ogg: the last page's granule position over the sample rate (48 kHz for Opus,
  the Vorbis header's rate); a Theora stream is a video.
- MP4: `mvhd`'s duration over its timescale; a `vide` handler is a video.
  Safari's fragmented MP4 may say 0: the recorder's own figure is used then.
- MP3 and WAV (a file sent through the API): WAV from its header, MP3 from the
  recorder's figure.

`inspect(data)` answers an `AudioFacts` or None (not a recording we play).
"""
import struct
from dataclasses import dataclass

import filetype


@dataclass(frozen=True)
class AudioFacts:
    content_type: str
    extension: str
    duration: float | None  # Seconds; None when the container does not say.


def inspect(data):
    kind = filetype.guess(data[:8192])
    if kind is None:
        return None
    reader = _READERS.get(kind.mime)
    return reader(data) if reader else None


# --- WebM (EBML) -------------------------------------------------------------
_SEGMENT, _CLUSTER, _TRACKS, _TRACK_ENTRY, _INFO, _BLOCK_GROUP = (
    0x18538067, 0x1F43B675, 0x1654AE6B, 0xAE, 0x1549A966, 0xA0)
_MASTERS = {_SEGMENT, _CLUSTER, _TRACKS, _TRACK_ENTRY, _INFO, _BLOCK_GROUP}
_TIMECODE_SCALE, _DURATION, _TRACK_TYPE, _TIMECODE, _SIMPLE_BLOCK, _BLOCK = (
    0x2AD7B1, 0x4489, 0x83, 0xE7, 0xA3, 0xA1)


def _vint(data, pos, *, keep_marker):
    if pos >= len(data):
        return None, 0
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        return None, 0
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1:pos + length]:
        value = (value << 8) | byte
    if not keep_marker and value == (1 << (7 * length)) - 1:
        return -1, length  # "Unknown size": a live recording's segment and clusters.
    return value, length


def _webm(data):
    pos, scale, duration, cluster, last, types = 0, 1_000_000, None, 0, 0, set()
    while pos < len(data):
        element, n = _vint(data, pos, keep_marker=True)
        size, m = _vint(data, pos + n, keep_marker=False)
        if element is None or size is None:
            break
        body = pos + n + m
        if element in _MASTERS:
            pos = body
            continue
        if size < 0:
            break
        payload = data[body:body + size]
        if element == _TIMECODE_SCALE:
            scale = int.from_bytes(payload, "big") or scale
        elif element == _DURATION and size in (4, 8):
            duration = struct.unpack(">f" if size == 4 else ">d", payload)[0]
        elif element == _TRACK_TYPE:
            types.add(int.from_bytes(payload, "big"))
        elif element == _TIMECODE:
            cluster = int.from_bytes(payload, "big")
        elif element in (_SIMPLE_BLOCK, _BLOCK):
            _track, t = _vint(payload, 0, keep_marker=False)
            if t and len(payload) >= t + 2:
                last = max(last, cluster + struct.unpack(">h", payload[t:t + 2])[0])
        pos = body + size
    if 2 not in types or 1 in types:
        return None
    ticks = duration if duration else last
    return AudioFacts("audio/webm", ".webm", ticks * scale / 1e9 if ticks else None)


# --- Ogg -----------------------------------------------------------------------
def _ogg(data):
    head = data[:4096]
    if b"\x80theora" in head:
        return None
    if b"OpusHead" in head:
        rate = 48000
    elif (i := head.find(b"\x01vorbis")) >= 0 and len(head) >= i + 16:
        rate = int.from_bytes(head[i + 12:i + 16], "little")
    else:
        return None
    last = data.rfind(b"OggS")
    granule = int.from_bytes(data[last + 6:last + 14], "little") if last >= 0 else 0
    return AudioFacts("audio/ogg", ".ogg", granule / rate if rate and 0 < granule < 1 << 62 else None)


# --- MP4 -----------------------------------------------------------------------
def _boxes(data, start, end):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, min(pos + size, end)
        pos += size


def _mp4(data):
    duration, handlers = None, set()

    def walk(start, end):
        nonlocal duration
        for kind, body, stop in _boxes(data, start, end):
            if kind in (b"moov", b"trak", b"mdia"):
                walk(body, stop)
            elif kind == b"mvhd" and stop - body >= 20:
                if data[body] == 1 and stop - body >= 32:
                    scale, length = struct.unpack(">IQ", data[body + 20:body + 32])
                else:
                    scale, length = struct.unpack(">II", data[body + 12:body + 20])
                duration = length / scale if scale and length else None
            elif kind == b"hdlr" and stop - body >= 12:
                handlers.add(data[body + 8:body + 12])

    walk(0, len(data))
    if b"vide" in handlers or (handlers and b"soun" not in handlers):
        return None
    return AudioFacts("audio/mp4", ".m4a", duration)


# --- WAV, MP3 ------------------------------------------------------------------
def _wav(data):
    if len(data) < 44 or data[12:16] != b"fmt ":
        return None
    byte_rate = int.from_bytes(data[28:32], "little")
    return AudioFacts("audio/wav", ".wav", (len(data) - 44) / byte_rate if byte_rate else None)


def _mp3(data):
    return AudioFacts("audio/mpeg", ".mp3", None)


_READERS = {
    "video/webm": _webm, "audio/webm": _webm, "video/x-matroska": _webm,
    "audio/ogg": _ogg, "video/ogg": _ogg, "audio/opus": _ogg,
    "video/mp4": _mp4, "audio/mp4": _mp4, "audio/m4a": _mp4, "audio/x-m4a": _mp4, "video/quicktime": _mp4,
    "audio/x-wav": _wav, "audio/wav": _wav,
    "audio/mpeg": _mp3,
}
