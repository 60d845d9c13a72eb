"""Recordings made on the fly for the voice tests (a tone, in the containers phones use)."""
import io
import math
import struct
import wave


def wav(seconds=2.0, rate=16000, frequency=440):
    """A mono 16-bit WAV tone."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(seconds * rate)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * n / rate)))
                                 for n in range(frames)))
    return buffer.getvalue()


def encoded(seconds=2.0, container="mp4", codec="aac", title=None):
    """A tone encoded as a phone would (AAC in MP4 by default), optionally with a title tag."""
    import av
    buffer = io.BytesIO()
    with av.open(io.BytesIO(wav(seconds)), format="wav") as source, \
            av.open(buffer, mode="w", format=container) as out:
        if title:
            out.metadata["title"] = title
        stream = out.add_stream(codec, rate=16000, layout="mono")
        resampler = av.AudioResampler(format=stream.codec_context.codec.audio_formats[0].name, layout="mono",
                                      rate=16000)
        for frame in source.decode(audio=0):
            frame.pts = None
            for converted in resampler.resample(frame):
                for packet in stream.encode(converted):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()
