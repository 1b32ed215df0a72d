#!/usr/bin/python3
"""Validate the timeline the two-CPU first-instruction GPF test writes
(unit_kvm_a64_guest: timeline_first_instruction.json) as Chrome/Perfetto
trace-event JSON, and check that it tells the story: the host's writes on
cpu1, the delegations on cpu0 with GPT invalidations that stayed local, the
REC entered on cpu1 with its GPF exit, and the finding on cpu1."""
import json
import sys

path = sys.argv[1]
with open(path) as f:
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
    assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
    assert e["pid"] == 1 and e["tid"] in (0, 1), e
    if e["ph"] == "X":
        assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
    else:
        assert e["s"] == "t", e


def on(tid, name=None, cat=None):
    return [e for e in ev if e["ph"] != "M" and e["tid"] == tid and
            (name is None or e["name"] == name) and (cat is None or e.get("cat") == cat)]


host = on(1, "host write")
assert len(host) == 64, len(host)
delegates = on(0, "GRANULE_DELEGATE")
assert len(delegates) >= 16, len(delegates)
gpt = on(0, "GPT -> Realm + invalidation")
assert len(gpt) == len(delegates), (len(gpt), len(delegates))
assert all(g["args"]["reach"].startswith("local") for g in gpt), gpt[0]
# every GPT change lies inside its GRANULE_DELEGATE slice
for g in gpt:
    assert any(d["ts"] <= g["ts"] <= d["ts"] + d["dur"] for d in delegates), g
enter = on(1, "REC_ENTER")
assert len(enter) == 1, enter
runs = on(1, "REC run")
assert len(runs) == 1 and runs[0]["args"]["esr"] == "0x82000025", runs
assert runs[0]["args"]["exit"] == "SYNC"
r, e = runs[0], enter[0]
assert e["ts"] <= r["ts"] and r["ts"] + r["dur"] <= e["ts"] + e["dur"] + 0.001, (e, r)
finds = on(1, "finding")
assert finds, "no finding on cpu1"
assert "did not reach cpu1" in finds[0]["args"]["text"], finds[0]
assert r["ts"] <= finds[0]["ts"] <= r["ts"] + r["dur"] + 0.001, (r, finds[0])
assert not on(0, "finding")
print("timeline ok: %d events, %d delegations, GPF finding on cpu1" % (len(ev), len(delegates)))
