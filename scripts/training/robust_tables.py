"""Markdown tables of train_robust_classifier.py results: accuracy per scored split and SNR, one row per
model folder (its metrics.json).

Usage: python3 robust_tables.py MODEL_DIR... 
"""
import json
import os
import sys

SNRS = ["clean", "20", "10", "5", "0"]


def main():
    runs = [(d, json.load(open(os.path.join(d, "metrics.json")))) for d in sys.argv[1:]]
    splits = sorted({s.split("@")[0] for _, m in runs for s in m["scored"]})
    for split in splits:
        print(f"\n**{split}** (clips per SNR: {runs[0][1]['scored'][split + '@clean']['clips']})\n")
        print("| model (trained on) | " + " | ".join(f"{s} dB" if s != "clean" else "clean" for s in SNRS) + " |")
        print("|---|" + "---:|" * len(SNRS))
        for d, m in runs:
            cells = [f"{100 * m['scored'][f'{split}@{s}']['accuracy']:.1f}%" for s in SNRS]
            name = f"{os.path.basename(os.path.normpath(d))} ({m['train']}{', cmn' if m['cmn'] else ''})"
            print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    for d, m in runs:
        print(f"- {os.path.basename(os.path.normpath(d))}: {m['epochs']} epochs, {m['steps']} steps in {m['seconds']} s, "
              f"train accuracy {100 * m['train_accuracy']:.1f}% on {m['train_clips']} clips, "
              f"d_model {m['config']['hidden_size']}, {m['config']['num_hidden_layers']} layers")


if __name__ == "__main__":
    main()
