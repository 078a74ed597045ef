"""Makes a spoken-digit corpus ("zero" .. "nine") from three speech synthesizers that Debian packages:
espeak-ng (formant synthesis, its English accents times its voice variants), flite (CMU voices kal, kal16,
awb, rms, slt: diphone and statistical-parametric) and festival (kal and ked diphones, the slt HTS voice).

Every clip: 16 kHz mono 16-bit, leading and trailing silence stripped, the word starting at 0.1 s, 1 s
long (a word longer than 0.88 s is squeezed to 0.88 s). Prosody varies per clip from a fixed seed:
espeak-ng pitch 20..80 and speed 130..210 wpm; flite duration stretch 0.8..1.25 and f0 mean x0.8..1.25;
flite and festival then a sox pitch shift of -250..+250 cents (new speakers from few voices) and
festival a sox tempo of 0.85..1.2.

Splits (the manifest's `split` column) hold out by voice and by synthesizer:
  espeak-ng-train  6 accents x 3 of 4 variants, 1 take      espeak-ng-test  2 other accents x the other variants
  flite-train      kal, kal16, awb, slt, 40 takes           flite-test      rms (held-out voice), 10 takes
  festival         kal_diphone, ked_diphone, slt HTS, 10 takes (a synthesizer no training run uses)
A voice (`voice` column) is accent+variant for espeak-ng and the voice name for flite and festival.

Usage: python3 make_tts_corpus.py OUT_DIR [--jobs N] [--only SPLIT,...]
Needs: espeak-ng, flite, festival with festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts, sox.
Writes OUT_DIR/<split>/<digit>/<name>.wav and OUT_DIR/manifest.tsv (file, digit, split, synth, voice,
settings). Deterministic for the same synthesizer versions.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from multiprocessing import Pool

import numpy as np
from scipy.signal import resample

from augment_corpus import write_wav

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
RATE = 16000
ESPEAK_TRAIN_ACCENTS = ["en-gb", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-us-nyc"]
ESPEAK_TEST_ACCENTS = ["en-029", "en-gb-x-gbcwmd"]
ESPEAK_SKIPPED_VARIANTS = {"fast", "whisper", "whisperf", "announcer", "UniRobot", "anikaRobot", "Demonic", "Mr"}
FLITE_TRAIN_VOICES = {"kal": 105, "kal16": 105, "awb": 110, "slt": 170}  # voice -> typical f0 mean (Hz)
FLITE_TEST_VOICES = {"rms": 100}
FESTIVAL_VOICES = ["kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"]


def espeak_variants():
    out = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True, check=True).stdout
    names = sorted({line.split()[4].replace("!v/", "") for line in out.splitlines()[1:]})
    return [v for v in names if v not in ESPEAK_SKIPPED_VARIANTS and not v.startswith("robosoft")]


def plan():
    """Every clip as (split, synth, voice, digit, settings dict), drawn from one seeded generator."""
    rng = random.Random(20261207)
    variants = espeak_variants()
    train_vars = [v for i, v in enumerate(variants) if i % 4 != 3]
    test_vars = [v for i, v in enumerate(variants) if i % 4 == 3]
    jobs = []
    for split, accents, vars_, takes in (("espeak-ng-train", ESPEAK_TRAIN_ACCENTS, train_vars, 1),
                                         ("espeak-ng-test", ESPEAK_TEST_ACCENTS, test_vars, 1)):
        for a in accents:
            for v in vars_:
                for d in DIGITS:
                    for _ in range(takes):
                        jobs.append((split, "espeak-ng", f"{a}+{v}", d,
                                     {"pitch": rng.randint(20, 80), "speed": rng.randint(130, 210)}))
    for split, voices, takes in (("flite-train", FLITE_TRAIN_VOICES, 40), ("flite-test", FLITE_TEST_VOICES, 10)):
        for v, f0 in voices.items():
            for d in DIGITS:
                for _ in range(takes):
                    jobs.append((split, "flite", v, d, {"stretch": round(rng.uniform(0.8, 1.25), 3),
                                                        "f0": int(f0 * rng.uniform(0.8, 1.25)),
                                                        "cents": rng.randint(-250, 250)}))
    for v in FESTIVAL_VOICES:
        for d in DIGITS:
            for _ in range(10):
                jobs.append(("festival", "festival", v, d, {"tempo": round(rng.uniform(0.85, 1.2), 3),
                                                            "cents": rng.randint(-250, 250)}))
    return jobs


def synthesize(synth, voice, digit, s, raw):
    if synth == "espeak-ng":
        cmd = ["espeak-ng", "-v", voice, "-p", str(s["pitch"]), "-s", str(s["speed"]), "-w", raw, digit]
        subprocess.run(cmd, check=True)
    elif synth == "flite":
        subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={s['stretch']}",
                        "--setf", f"int_f0_target_mean={s['f0']}", "-t", digit, "-o", raw], check=True)
    else:
        subprocess.run(["text2wave", "-eval", f"(voice_{voice})", "-o", raw], input=digit, text=True, check=True,
                       capture_output=True)


def make_clip(job, out):
    split, synth, voice, digit, s = job
    name = voice + "_" + "_".join(f"{k[0]}{v}" for k, v in s.items())
    rel = f"{split}/{digit}/{name}.wav"
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw, word = os.path.join(tmp, "raw.wav"), os.path.join(tmp, "word.wav")
        synthesize(synth, voice, digit, s, raw)
        effects = []
        if "cents" in s:
            effects += ["pitch", str(s["cents"])]
        if "tempo" in s:
            effects += ["tempo", "-s", str(s["tempo"])]
        subprocess.run(["sox", "-V1", raw, "-r", str(RATE), "-b", "16", "-c", "1", word, *effects,
                        "silence", "1", "0.005", "0.5%", "reverse", "silence", "1", "0.005", "0.5%", "reverse"],
                       check=True)
        with wave.open(word) as w:
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64)
    limit = int(0.88 * RATE)
    if len(x) > limit:
        x = resample(x, limit)
    clip = np.zeros(RATE)
    clip[int(0.1 * RATE):int(0.1 * RATE) + len(x)] = x
    write_wav(path, clip / 32767.0, RATE)
    settings = ",".join(f"{k}={v}" for k, v in s.items())
    return f"{rel}\t{digit}\t{split}\t{synth}\t{voice}\t{settings}"


def _run(args):
    return make_clip(*args)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--only", help="comma-separated splits to make")
    args = ap.parse_args()
    for tool in ("espeak-ng", "flite", "text2wave", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"make_tts_corpus: {tool} not found; install it: apt-get install -y espeak-ng flite festival "
                     "festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts sox")
    jobs = plan()
    if args.only:
        keep = set(args.only.split(","))
        jobs = [j for j in jobs if j[0] in keep]
    os.makedirs(args.out, exist_ok=True)
    with Pool(args.jobs) as pool:
        rows = pool.map(_run, [(j, args.out) for j in jobs], chunksize=16)
    with open(os.path.join(args.out, "manifest.tsv"), "w") as f:
        f.write("file\tdigit\tsplit\tsynth\tvoice\tsettings\n")
        f.write("\n".join(sorted(rows)) + "\n")
    counts = {}
    for j in jobs:
        counts[j[0]] = counts.get(j[0], 0) + 1
    print("make_tts_corpus:", counts)


if __name__ == "__main__":
    main()
