"""Voice recordings: checked, transcoded small, stripped, stored by content hash.

What a phone records (AAC in MP4/3GP, AMR, Opus in WebM/Ogg, WAV, MP3...) is decoded with PyAV
(FFmpeg) and written again as Opus in WebM, mono at 24 kbit/s (constrained VBR): about 200 KB a
minute, clear for speech. Only the
audio samples cross over, so tags, location and device names stay behind. Nothing touches the disk
until the recording has been fully decoded and re-encoded: a refused file leaves no trace.
The container is recognised from its first bytes and handed to FFmpeg by name, so FFmpeg never guesses
(a playlist or concat file that would make it open other files is not audio and is refused).
"""
import hashlib
import io
import time
from dataclasses import dataclass

import av
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from storefront.media.storage import public_dir, write_atomically

MAX_AUDIO_BYTES = 12 * 1024 * 1024  # a 3-minute WAV from a phone at 32 kHz mono fits; AAC is far smaller
MAX_AUDIO_BYTES_PLUS_ONE = MAX_AUDIO_BYTES + 1
MAX_SECONDS = 180
MIN_SECONDS = 1
OPUS_BITRATE = 24_000
OPUS_RATE = 48_000
AUDIO_SUBDIR = "audio"
AUDIO_MIME = "audio/webm"


class AudioRejected(ValueError):
    """A recording we do not keep; `code` picks the message she reads."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def rejection_message(code):
    return {
        "empty": _("The recording is empty. Record again."),
        "too_big": _("The recording is too big. Record at most 3 minutes."),
        "too_long": _("The recording is longer than 3 minutes. Record a shorter one."),
        "too_short": _("The recording is too short. Record again, speaking a little longer."),
        "not_audio": _("This file is not a recording we can play. Record again with the phone."),
    }.get(code, _("The recording could not be used. Record again."))


@dataclass(frozen=True)
class StoredAudio:
    content_hash: str
    duration_ms: int
    size_bytes: int

    @property
    def filename(self):
        return f"{self.content_hash}.webm"


def _container_of(data: bytes):
    """The FFmpeg demuxer for a recording's first bytes, or None when it is no audio container we take."""
    head = data[:16]
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head[4:8] == b"ftyp":
        return "mov"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"caff"):
        return "caf"
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "aac" if head[1] & 0xF6 == 0xF0 else "mp3"  # ADTS (AAC) is the MPEG sync with layer 00
    return None


def transcode(data: bytes) -> tuple[bytes, int]:
    """(Opus-in-WebM bytes, duration in ms) of a recording, or AudioRejected."""
    if not data:
        raise AudioRejected("empty")
    if len(data) > MAX_AUDIO_BYTES:
        raise AudioRejected("too_big")
    container_format = _container_of(data)
    if container_format is None:
        raise AudioRejected("not_audio")
    try:
        return _transcode(data, container_format)
    except AudioRejected:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError):
        raise AudioRejected("not_audio") from None


def _transcode(data, container_format):
    out = io.BytesIO()
    with av.open(io.BytesIO(data), format=container_format, mode="r") as source:
        if not source.streams.audio:
            raise AudioRejected("not_audio")
        stream = source.streams.audio[0]
        with av.open(out, mode="w", format="webm", options={"fflags": "+bitexact"}) as target:
            # Constrained VBR: a pure tone or a noisy room cannot push a minute past ~200 KB.
            encoder = target.add_stream("libopus", rate=OPUS_RATE, layout="mono",
                                        options={"vbr": "constrained", "application": "voip"})
            encoder.codec_context.bit_rate = OPUS_BITRATE
            resampler = av.AudioResampler(format="s16", layout="mono", rate=OPUS_RATE)
            samples = 0
            for frame in source.decode(stream):
                frame.pts = None
                for converted in resampler.resample(frame):
                    samples += converted.samples
                    if samples > (MAX_SECONDS + 1) * OPUS_RATE:
                        raise AudioRejected("too_long")
                    for packet in encoder.encode(converted):
                        target.mux(packet)
            for converted in resampler.resample(None):
                samples += converted.samples
                for packet in encoder.encode(converted):
                    target.mux(packet)
            for packet in encoder.encode(None):
                target.mux(packet)
    if samples < MIN_SECONDS * OPUS_RATE:
        raise AudioRejected("too_short" if samples else "not_audio")
    return out.getvalue(), samples * 1000 // OPUS_RATE


def audio_path(content_hash):
    return public_dir() / AUDIO_SUBDIR / f"{content_hash}.webm"


def store_audio(data: bytes) -> StoredAudio:
    """Check and transcode a recording, then keep it under its content hash (public: it is a story
    she chose to tell buyers, and the name cannot be guessed)."""
    encoded, duration_ms = transcode(data)
    content_hash = hashlib.sha256(encoded).hexdigest()[:32]
    path = audio_path(content_hash)
    if not path.exists():
        write_atomically(path, encoded)
    return StoredAudio(content_hash=content_hash, duration_ms=duration_ms, size_bytes=len(encoded))


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="telar-pending-voice")


def pending_token(stored: StoredAudio, user_id: int) -> str:
    """A signed note of an accepted recording, carried by a form that failed elsewhere."""
    return _serializer().dumps({"h": stored.content_hash, "d": stored.duration_ms, "s": stored.size_bytes,
                                "u": user_id})


def read_pending_token(token: str, user_id: int):
    try:
        data = _serializer().loads(token or "")
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id:
        return None
    stored = StoredAudio(content_hash=data["h"], duration_ms=data["d"], size_bytes=data["s"])
    return stored if audio_path(stored.content_hash).exists() else None


def prune_unused_audio(older_than_seconds: int = 24 * 3600) -> int:
    """Remove recordings no story, guide, news or commission post uses (accepted with a form never saved),
    once old enough."""
    from sqlalchemy import select

    from storefront.extensions import db
    from storefront.models import ArtisanUpdate, CommissionPost, ScreenGuide, VoiceStory

    folder = public_dir() / AUDIO_SUBDIR
    if not folder.exists():
        return 0
    used = set(db.session.scalars(select(VoiceStory.content_hash)))
    used |= set(db.session.scalars(select(ScreenGuide.content_hash)))
    used |= {h for h in db.session.scalars(select(ArtisanUpdate.voice_hash)) if h}
    used |= {h for h in db.session.scalars(select(CommissionPost.voice_hash)) if h}
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in folder.glob("*.webm"):
        if path.stem not in used and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
