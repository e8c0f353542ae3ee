"""Speech from text: eSpeak NG (the engine the NVDA screen reader ships, so blind visitors know its voice;
it speaks English, Russian and Ukrainian and runs offline) from PyPI's ``espeakng-loader``, which carries
the library and its voices, driven through ctypes; resampled with soxr and written as Ogg Opus with
soundfile, which Chromium plays and which keeps a phrase of speech to a few kilobytes.

eSpeak NG is one engine per process and not thread-safe: ``synthesize`` holds a lock for the whole
synthesis, so threads of one worker take turns.
"""

from __future__ import annotations

import ctypes
import io
import threading
from dataclasses import dataclass

import espeakng_loader
import numpy as np
import soundfile
import soxr

# Opus takes 8, 12, 16, 24 or 48 kHz; the voice has nothing above 8 kHz, so 16 kHz loses nothing.
OPUS_RATE = 16000
# libsndfile maps 0..1 onto Opus's bitrate from 256 kbit/s down to 6: 0.96 is about 18 kbit/s, clear for
# speech (measured in bench/speech.py) at a tenth of the default's bytes.
OPUS_COMPRESSION = 0.96
AUDIO_TYPE = "audio/ogg"
AUDIO_SUFFIX = ".ogg"
# espeak_AUDIO_OUTPUT and espeak_PARAMETER values (speak_lib.h).
_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_RATE = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
# The engine's own name for each of the kiosk's languages.
VOICES = {"en": "en", "ru": "ru", "uk": "uk"}


class SpeechUnavailable(RuntimeError):
    """The engine could not speak (its library or voice missing, or it failed): said in one sentence."""


@dataclass(frozen=True)
class Voice:
    language: str
    words_per_minute: int

    @property
    def engine_name(self) -> bytes:
        try:
            return VOICES[self.language].encode()
        except KeyError:
            raise SpeechUnavailable(f"There is no voice for the language {self.language!r}.") from None


class _Engine:
    """The loaded library, initialised once per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._library: ctypes.CDLL | None = None
        self.sample_rate = 0
        self._samples: list[np.ndarray] = []
        # Kept on the object: ctypes must not lose the callback while the library holds it.
        self._callback = _CALLBACK(self._collect)

    def _collect(self, samples, count, _events) -> int:
        if count > 0:
            self._samples.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def library(self) -> ctypes.CDLL:
        if self._library is None:
            try:
                library = ctypes.CDLL(espeakng_loader.get_library_path())
            except OSError as error:
                raise SpeechUnavailable(f"The speech engine could not be loaded: {error}.") from error
            data = espeakng_loader.get_data_path().encode()
            rate = library.espeak_Initialize(_SYNCHRONOUS, 0, ctypes.c_char_p(data), 0)
            if rate <= 0:
                raise SpeechUnavailable("The speech engine did not start (its voice data is missing).")
            library.espeak_SetSynthCallback(self._callback)
            self.sample_rate = rate
            self._library = library
        return self._library

    def speak(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        """The engine's samples (16-bit, mono) for ``text`` and their rate."""
        with self.lock:
            library = self.library()
            if library.espeak_SetVoiceByName(ctypes.c_char_p(voice.engine_name)) != 0:
                raise SpeechUnavailable(f"The speech engine has no voice for {voice.language!r}.")
            library.espeak_SetParameter(_RATE, voice.words_per_minute, 0)
            encoded = text.encode()
            self._samples = []
            status = library.espeak_Synth(
                ctypes.c_char_p(encoded), len(encoded) + 1, 0, 0, 0, _CHARS_UTF8, None, None
            )
            library.espeak_Synchronize()
            if status != 0:
                raise SpeechUnavailable(f"The speech engine failed (status {status}).")
            samples = np.concatenate(self._samples) if self._samples else np.zeros(0, dtype=np.int16)
            self._samples = []
            return samples, self.sample_rate


_engine = _Engine()


def encode(samples: np.ndarray, rate: int) -> bytes:
    """Mono samples (integers or floats in -1..1) at ``rate`` as Ogg Opus at OPUS_RATE."""
    if samples.dtype.kind == "i":
        samples = samples.astype(np.float32) / 32768.0
    samples = np.asarray(samples, dtype=np.float32)
    if rate != OPUS_RATE:
        samples = soxr.resample(samples, rate, OPUS_RATE).astype(np.float32)
    buffer = io.BytesIO()
    soundfile.write(
        buffer, samples, OPUS_RATE, format="OGG", subtype="OPUS", compression_level=OPUS_COMPRESSION
    )
    return buffer.getvalue()


def synthesize(text: str, voice: Voice) -> bytes:
    """``text`` spoken in ``voice``, as an Ogg Opus file's bytes."""
    samples, rate = _engine.speak(text, voice)
    if not samples.size:
        raise SpeechUnavailable("The speech engine gave no sound for this text.")
    return encode(samples, rate)


def duration_of(audio: bytes) -> float:
    """How long an audio file plays, in seconds."""
    info = soundfile.info(io.BytesIO(audio))
    return info.frames / info.samplerate
