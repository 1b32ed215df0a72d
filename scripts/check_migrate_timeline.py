#!/usr/bin/python3
"""Validate the timeline that destination B writes in issue 13's case 2
(linux_realm --migrate-at ... --dest-cpu 1 --gpti-local --timeline FILE):
Chrome/Perfetto trace-event JSON with a track per CPU, the import's RMI
calls on cpu0 with GPT changes whose invalidation stayed local, and on cpu1
the REC run that ends in ESR 0x820000a5 with the finding inside it."""
import json
import sys

with open(sys.argv[1]) as f:
    doc = json.load(f)
ev = doc["traceEvents"]
assert isinstance(ev, list) and ev, "no events"
names = {e["tid"]: e["args"]["name"] for e in ev
         if e.get("ph") == "M" and e.get("name") == "thread_name"}
assert names == {0: "cpu0", 1: "cpu1"}, names
for e in ev:
    if e["ph"] == "M":
        continue
    assert e["ph"] in ("X", "i"), e
    assert e["pid"] == 1 and e["tid"] in (0, 1), e
    assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e


def on(tid, name=None):
    return [e for e in ev if e["ph"] != "M" and e["tid"] == tid and
            (name is None or e["name"] == name)]


cpu0 = on(0)
assert len(cpu0) > 100, "the import's calls on cpu0: %d events" % len(cpu0)
gpt = on(0, "GPT -> Realm + invalidation")
assert gpt and all(g["args"]["reach"].startswith("local") for g in gpt), gpt[:1]
runs = [r for r in on(1, "REC run") if r["args"].get("esr") == "0x820000a5"]
assert len(runs) == 1, "one REC run on cpu1 ending in 0x820000a5: %r" % on(1, "REC run")[-3:]
r = runs[0]
finds = [x for x in on(1, "finding") if "did not reach cpu1" in x["args"]["text"]]
assert finds, "no GPT finding on cpu1"
assert r["ts"] <= finds[0]["ts"] <= r["ts"] + r["dur"] + 0.001, (r, finds[0])
assert not on(0, "finding"), "a finding on cpu0"
last_import = max(e["ts"] for e in cpu0)
assert last_import <= r["ts"], "the REC ran before the import finished"
print("timeline ok: %d events; cpu0: %d (import tail, %d local GPT invalidations); "
      "cpu1: REC run with ESR 0x820000a5 and the finding" % (len(ev), len(cpu0), len(gpt)))
