#!/usr/bin/env python3
"""Long test streams for audio-detect: noise with spoken digits at random moments, and their truth table.

    scripts/make-detection-streams.py CLIPS OUT [--streams 5] [--seconds 60] [--digits 20] [--snr 10|clean]
                                      [--noise white|pink|alternate] [--seed 1]

CLIPS is a folder of 1 s digit clips with a labels.tsv (file, digit, voice, condition), such as
testdata/audio/heldout-festival (festival voices: a synthesizer the shipped classifier never heard); its
clean clips are used. Each stream is SECONDS long at the clips' rate, 16-bit mono, and holds DIGITS words,
one in each of DIGITS equal slots, at a random place inside the slot (at least 0.3 s from its edges, so
words are at least 0.6 s apart). The noise is white or pink (alternate: white for even streams, pink for
odd ones) at a fixed level; each word is scaled so that its mean square over the word itself is SNR dB
above the noise's mean square (pink: power 1/f from 20 Hz up; clean: no noise, words at the same level as with noise). Writes
OUT/audio/stream-NNN.wav and OUT/truth.tsv (stream, start_s, end_s, label: the word's extent, where the clip's
10 ms frames are within 35 dB of its loudest), which `scanflow audio-detect --truth` reads. Needs numpy.
"""
import argparse
import csv
import os
import wave

import numpy as np

NOISE_RMS = 0.005   # -46 dBFS: words at 20 dB SNR peak well under full scale
FRAME_SECONDS = 0.01
EXTENT_DB = 35.0


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise SystemExit(f"{path}: expected 16-bit mono PCM")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
        return data, w.getframerate()


def write_wav(path, samples, rate):
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def word_extent(clip, rate):
    """First and last sample (exclusive) of the 10 ms frames within EXTENT_DB of the loudest frame."""
    n = max(1, int(FRAME_SECONDS * rate))
    frames = len(clip) // n
    ms = (clip[:frames * n].reshape(frames, n) ** 2).mean(axis=1)
    loud = np.nonzero(ms >= ms.max() * 10 ** (-EXTENT_DB / 10))[0]
    return int(loud[0]) * n, int(loud[-1] + 1) * n


def noise(kind, length, rate, rng):
    white = rng.standard_normal(length)
    if kind == "pink":  # power 1/f from 20 Hz up (amplitude 1/sqrt(f)); nothing below, as in an audio chain
        spectrum = np.fft.rfft(white)
        f = np.fft.rfftfreq(length, 1.0 / rate)
        spectrum[f < 20.0] = 0.0
        spectrum[f >= 20.0] /= np.sqrt(f[f >= 20.0])
        white = np.fft.irfft(spectrum, n=length)
    return white / np.sqrt(np.mean(white ** 2)) * NOISE_RMS


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clips")
    ap.add_argument("out")
    ap.add_argument("--streams", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--digits", type=int, default=20)
    ap.add_argument("--snr", default="10", help="dB, or 'clean' for no noise")
    ap.add_argument("--noise", choices=["white", "pink", "alternate"], default="alternate")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    with open(os.path.join(a.clips, "labels.tsv"), newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["condition"] == "clean"]
    if not rows:
        raise SystemExit(f"{a.clips}/labels.tsv: no clips with condition 'clean'")
    clips = []
    rate = None
    for r in rows:
        samples, clip_rate = read_wav(os.path.join(a.clips, r["file"]))
        if rate not in (None, clip_rate):
            raise SystemExit(f"{r['file']}: {clip_rate} Hz, other clips are {rate} Hz")
        rate = clip_rate
        clips.append((samples, word_extent(samples, rate), r["digit"]))

    slot = a.seconds / a.digits
    if slot < 1.6:
        raise SystemExit(f"--digits {a.digits} in {a.seconds} s leaves {slot:.2f} s per word; at least 1.6 s needed")
    clean = a.snr == "clean"
    os.makedirs(os.path.join(a.out, "audio"), exist_ok=True)
    rng = np.random.default_rng(a.seed)
    truth = []
    length = int(round(a.seconds * rate))
    for s in range(a.streams):
        kind = a.noise if a.noise != "alternate" else ("white" if s % 2 == 0 else "pink")
        # Noise from its own generator, so every SNR gets the same words at the same moments.
        stream = np.zeros(length) if clean else noise(kind, length, rate, np.random.default_rng([a.seed, s]))
        word_ms = NOISE_RMS ** 2 * 10 ** ((20.0 if clean else float(a.snr)) / 10)
        name = f"stream-{s:03d}.wav"
        for d in range(a.digits):
            samples, (w0, w1), digit = clips[rng.integers(len(clips))]
            gain = np.sqrt(word_ms / np.mean(samples[w0:w1] ** 2))
            earliest = d * slot + 0.3
            latest = (d + 1) * slot - 0.3 - (w1 - w0) / rate
            start = int(round(rng.uniform(earliest, max(earliest, latest)) * rate))  # where the word starts
            at = start - w0  # where the clip starts
            lo, hi = max(0, at), min(length, at + len(samples))
            stream[lo:hi] += gain * samples[lo - at:hi - at]
            truth.append((name, start / rate, (start + w1 - w0) / rate, digit))
        write_wav(os.path.join(a.out, "audio", name), stream, rate)
    with open(os.path.join(a.out, "truth.tsv"), "w") as f:
        f.write("stream\tstart_s\tend_s\tlabel\n")
        for name, t0, t1, digit in truth:
            f.write(f"{name}\t{t0:.3f}\t{t1:.3f}\t{digit}\n")
    print(f"{a.streams} streams of {a.seconds:g} s at {rate} Hz, {len(truth)} words, "
          f"{'clean' if clean else a.snr + ' dB SNR'} -> {a.out}")


if __name__ == "__main__":
    main()
