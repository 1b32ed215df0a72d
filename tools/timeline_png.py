#!/usr/bin/python3
"""Render a librmm timeline (rmm_timeline_save JSON) to a PNG: one lane per
CPU, RMI calls and REC runs as bars, GPT/TLB invalidations, cache
maintenance and findings as markers. Needs Debian's python3-matplotlib.

    tools/timeline_png.py timeline.json out.png [title]
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

src, out = sys.argv[1], sys.argv[2]
title = sys.argv[3] if len(sys.argv) > 3 else src
ev = json.load(open(src))["traceEvents"]
cpus = sorted({e["tid"] for e in ev if "tid" in e})
lane = {t: len(cpus) - 1 - i for i, t in enumerate(cpus)}
fig, ax = plt.subplots(figsize=(13, 1.6 + 1.3 * len(cpus)))
colours = {"rmi": "#4c72b0", "host": "#8c8c8c", "rec": "#c44e52"}
seen = set()


def label_once(key):
    if key in seen:
        return None
    seen.add(key)
    return key


for e in ev:
    if e["ph"] != "X":
        continue
    y = lane[e["tid"]]
    cat = e.get("cat", "")
    h, off = (0.5, 0.0) if cat != "rec" else (0.22, 0.0)
    name = {"rmi": "RMI call", "host": "host access", "rec": "REC run"}.get(cat, cat)
    ax.broken_barh([(e["ts"], max(e["dur"], 0.05))], (y - h / 2 + off, h),
                   facecolors=colours.get(cat, "#55a868"), edgecolor="none",
                   label=label_once(name), zorder=3 if cat == "rec" else 2)
    if cat == "rec" or e["name"] in ("REC_ENTER", "REALM_ACTIVATE", "REALM_CREATE"):
        txt = e["name"] if cat != "rec" else "REC run: exit %s ESR %s" % (
            e["args"]["exit"], e["args"]["esr"])
        ax.annotate(txt, (e["ts"], y + (0.3 if cat != "rec" else -0.55)), fontsize=8,
                    ha="right" if cat == "rec" else "left")
marks = {"gpt": ("v", "#dd8452", "GPT change + invalidation"),
         "tlbi": ("|", "#937860", "stage-2 TLBI"),
         "cmo": ("d", "#64b5cd", "DC CIPAPA"),
         "finding": ("*", "#d62728", "finding")}
for e in ev:
    if e["ph"] != "i":
        continue
    m, c, name = marks.get(e.get("cat"), ("o", "k", e["name"]))
    if e.get("cat") == "gpt" and "local" in e["args"].get("reach", ""):
        name += " (local only)"
    y = lane[e["tid"]] + (0.38 if e.get("cat") == "finding" else -0.38)
    ax.plot(e["ts"], y, m, color=c, markersize=12 if m == "*" else 7,
            label=label_once(name))
    if e.get("cat") == "finding":
        text = e["args"]["text"]
        ax.annotate(text[:95] + ("..." if len(text) > 95 else ""), (e["ts"], y + 0.1),
                    fontsize=7, color=c, ha="right")
ax.set_yticks([lane[t] for t in cpus])
ax.set_yticklabels(["cpu%d" % t for t in cpus])
ax.set_ylim(-0.8, len(cpus) - 0.2)
ax.set_xlabel("time since the instance was created (us)")
ax.set_title(title, fontsize=10)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=4, fontsize=8, frameon=False)
fig.tight_layout()
fig.savefig(out, dpi=110)
print("wrote", out)
