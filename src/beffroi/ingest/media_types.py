"""Recognising a media type from its first bytes, so a mislabelled or disguised file is refused."""

from __future__ import annotations

_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
)


def sniff(data: bytes) -> str | None:
    for prefix, mime_type in _PREFIXES:
        if data.startswith(prefix):
            return mime_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:10] == b"qt" else "video/mp4"
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    return None


def compatible(declared: str, sniffed: str) -> bool:
    # MP4 and QuickTime share a container: platforms label either one as the other.
    families = {"video/mp4": "isom", "video/quicktime": "isom"}
    return declared == sniffed or families.get(declared, declared) == families.get(sniffed, sniffed)
