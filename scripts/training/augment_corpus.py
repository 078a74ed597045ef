"""Turns the clean corpus of make_tts_corpus.py into the corpus the robust classifier trains and is scored
on. Two kinds of output split:

* Training copies (`<split>` for every split named in --train): COPIES copies of each clean clip, each with
  its own random speed and pitch (resampling by 0.85..1.15), time shift (word start 0.02 s .. as late as
  fits in 1 s), room reverberation (p 0.3: exponentially decaying noise, RT60 0.15..0.7 s), noise (p 0.85:
  white, pink, brown or babble at an SNR of 0..30 dB), level (peak -35..-1 dBFS) and sample rate (8, 11.025,
  16, 22.05, 32, 44.1 or 48 kHz; the Java exporter resamples to the model's 16 kHz like the job does).
* Scored conditions (`<split>@<snr>` for every split named in --score): each clean clip as synthesized
  (16 kHz, word at 0.1 s) clean (`@clean`) and with white, pink or babble noise (in turn by clip) at 20, 10,
  5 and 0 dB SNR (`@20` ...). --score-limit N keeps the first N clips per (voice, digit).

SNR is the speech power (mean square over the word, from its first to its last non-zero sample) over the
noise power (mean square over the whole 1 s clip). Babble is six other clips of the same split, shifted
at random and summed. Everything is drawn from generators seeded per clip, so the output is reproducible.

Usage: python3 augment_corpus.py CLEAN_DIR OUT_DIR --train espeak-ng-train,flite-train --copies 3
           --score espeak-ng-test,flite-test,festival [--score-limit N] [--jobs N]
Writes OUT_DIR/<split>/<name>.wav and OUT_DIR/manifest.tsv (file, digit, split, synth, voice, condition).
"""
import argparse
import os
import wave
from multiprocessing import Pool

import numpy as np
from scipy.signal import fftconvolve, resample_poly

RATE = 16000
RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000]
SCORED_SNRS = [20, 10, 5, 0]
SCORED_NOISES = ["white", "pink", "babble"]


def read_wav(path):
    with wave.open(path) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2, path
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768.0


def write_wav(path, x, rate):
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def word_of(clip):
    """The word: from the first to the last non-zero sample of a clean clip."""
    nz = np.nonzero(clip)[0]
    return clip[nz[0]:nz[-1] + 1] if len(nz) else clip[:1]


def coloured_noise(kind, n, rng):
    if kind == "white":
        return rng.standard_normal(n)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1.0
    spectrum /= np.sqrt(f) if kind == "pink" else f  # power 1/f (pink) or 1/f^2 (brown)
    return np.fft.irfft(spectrum, n)


def babble(pool, n, rng):
    out = np.zeros(n)
    for i in rng.choice(len(pool), size=6, replace=False):
        out += np.roll(pool[i], rng.integers(n))
    return out


def add_noise(x, speech_power, kind, snr_db, pool, rng):
    noise = babble(pool, len(x), rng) if kind == "babble" else coloured_noise(kind, len(x), rng)
    noise *= np.sqrt(speech_power / 10 ** (snr_db / 10) / max(np.mean(noise ** 2), 1e-20))
    return x + noise


def reverberate(x, rng):
    rt60 = rng.uniform(0.15, 0.7)
    t = np.arange(int(rt60 * RATE)) / RATE
    rir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    rir[0] = 1.0
    rir /= np.sqrt(np.sum(rir ** 2))
    return fftconvolve(x, rir)[:len(x)]


def training_copy(clip, pool, rng):
    """One randomly augmented copy; returns (samples at `rate`, rate, condition text)."""
    word = word_of(clip)
    speed = rng.uniform(0.85, 1.15)
    word = resample_poly(word, 1000, int(round(1000 * speed)))[:int(0.9 * RATE)]
    x = np.zeros(RATE)
    start = int(rng.uniform(0.02, max(0.02, 0.98 - len(word) / RATE)) * RATE)
    x[start:start + len(word)] = word[:RATE - start]
    cond = [f"speed={speed:.2f}", f"shift={start / RATE:.2f}"]
    if rng.random() < 0.3:
        x = reverberate(x, rng)
        cond.append("reverb")
    power = np.mean(word ** 2)
    if rng.random() < 0.85:
        kind = rng.choice(["white", "pink", "brown", "babble"])
        snr = rng.uniform(0, 30)
        x = add_noise(x, power, kind, snr, pool, rng)
        cond.append(f"{kind}={snr:.0f}dB")
    peak_db = rng.uniform(-35, -1)
    x *= 10 ** (peak_db / 20) / max(np.max(np.abs(x)), 1e-9)
    rate = int(rng.choice(RATES))
    if rate != RATE:
        g = np.gcd(rate, RATE)
        x = resample_poly(x, rate // g, RATE // g)
    cond += [f"peak={peak_db:.0f}dB", f"rate={rate}"]
    return x, rate, " ".join(cond)


def scored_conditions(clip, index, pool, rng):
    """(suffix, samples) for clean and each scored SNR; noise type in turn by clip index."""
    power = np.mean(word_of(clip) ** 2)
    kind = SCORED_NOISES[index % len(SCORED_NOISES)]
    out = [("clean", "clean", clip)]
    for snr in SCORED_SNRS:
        x = add_noise(clip, power, kind, snr, pool, rng)
        peak = np.max(np.abs(x))
        out.append((str(snr), f"{kind}={snr}dB", x * (0.99 / peak) if peak > 0.99 else x))
    return out


def work(task):
    kind, index, row, clean_dir, out_dir, copies, pool = task
    rel, digit, split, synth, voice = row[:5]
    clip = read_wav(os.path.join(clean_dir, rel))
    rng = np.random.default_rng([index, 20261207])
    base = os.path.splitext(os.path.basename(rel))[0]
    rows = []
    if kind == "train":
        for c in range(copies):
            x, rate, cond = training_copy(clip, pool, rng)
            name = f"{split}/{digit}/{base}_a{c}.wav"
            write_wav(os.path.join(out_dir, name), x, rate)
            rows.append(f"{name}\t{digit}\t{split}\t{synth}\t{voice}\t{cond}")
    else:
        for suffix, cond, x in scored_conditions(clip, index, pool, rng):
            name = f"{split}@{suffix}/{digit}/{base}.wav"
            write_wav(os.path.join(out_dir, name), x, RATE)
            rows.append(f"{name}\t{digit}\t{split}@{suffix}\t{synth}\t{voice}\t{cond}")
    return rows


_POOLS = {}


def _init(pools):
    _POOLS.update(pools)


def _work(task):
    return work(task[:-1] + (_POOLS[task[-1]],))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clean")
    ap.add_argument("out")
    ap.add_argument("--train", default="")
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--score", default="")
    ap.add_argument("--score-limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    args = ap.parse_args()
    lines = open(os.path.join(args.clean, "manifest.tsv")).read().splitlines()[1:]
    rows = [line.split("\t") for line in lines]
    train, score = set(filter(None, args.train.split(","))), set(filter(None, args.score.split(",")))
    pools, tasks, seen = {}, [], {}
    for split in train | score:
        clips = [read_wav(os.path.join(args.clean, r[0])) for r in rows if r[2] == split]
        pools[split] = np.stack(clips)[np.random.default_rng(1).choice(len(clips), size=min(64, len(clips)),
                                                                       replace=False)]
    for i, r in enumerate(rows):
        split = r[2]
        if split in train:
            tasks.append(("train", i, r, args.clean, args.out, args.copies, split))
        if split in score:
            key = (split, r[4], r[1])
            seen[key] = seen.get(key, 0) + 1
            if not args.score_limit or seen[key] <= args.score_limit:
                tasks.append(("score", i, r, args.clean, args.out, 0, split))
    for t in tasks:
        for sub in ([t[2][2]] if t[0] == "train" else [f"{t[2][2]}@{s}" for s in ["clean"] + SCORED_SNRS]):
            os.makedirs(os.path.join(args.out, sub, t[2][1]), exist_ok=True)
    with Pool(args.jobs, initializer=_init, initargs=(pools,)) as pool:
        out_rows = [row for rs in pool.map(_work, tasks, chunksize=32) for row in rs]
    with open(os.path.join(args.out, "manifest.tsv"), "w") as f:
        f.write("file\tdigit\tsplit\tsynth\tvoice\tcondition\n")
        f.write("\n".join(out_rows) + "\n")
    counts = {}
    for row in out_rows:
        s = row.split("\t")[2]
        counts[s] = counts.get(s, 0) + 1
    print("augment_corpus:", dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
