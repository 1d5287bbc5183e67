#!/usr/bin/env python3
"""Campaign clustering quality on our own labelled data: each lure in
tests/data/*.tsv becomes a campaign of copies the way real senders vary them
(recipient names, reference numbers, amounts, per-copy subdomains or
fresh domains, abbreviations, a dropped word), mixed with the
hard negatives; `wardline smish cluster` groups them and this script reports
pairwise precision and recall against the generated campaign labels.
Run: bench/campaign_quality.py [path/to/wardline]"""
import itertools, json, os, random, re, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
wardline = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "wardline")
rng = random.Random(20261128)
names = ["Dana", "Luis", "Mei", "Aisha", "Tom", "Grace", "Omar", "Rachel", "Kwame", "Sofia"]
edits = [("today", "now"), ("your", "ur"), ("Please", "Pls"), ("account", "acct"), ("immediately", "right away")]

def lures():
    out = []
    for f in ("hospital_messages.tsv", "recent_smishing.tsv"):
        rows = [l.split("\t") for l in open(os.path.join(root, "tests", "data", f)).read().splitlines()[1:]]
        for r in rows:
            label, text = r[1], r[-1]
            out.append((label, text))
    return out

def vary(text, k):
    t = re.sub(r"\d+(\.\d+)?", lambda m: str(rng.randrange(10, 99999)), text)
    def new_link(m):
        url = m.group(0)
        host = re.sub(r"^(https?://|hxxps?://)", "", url).split("/")[0]
        roll = rng.random()
        if roll < 0.4:  # a fresh subdomain of the same registrable domain
            return url.replace(host, "x%d.%s" % (rng.randrange(999), host), 1)
        if roll < 0.7:  # a fresh domain altogether: only the wording links the copies
            return "https://%s-%d.%s/%d" % (rng.choice(["secure", "verify", "portal", "login"]), rng.randrange(9999),
                                             rng.choice(["top", "xyz", "click", "info"]), rng.randrange(999))
        return url + "?u=%d" % rng.randrange(10**6)
    t = re.sub(r"(https?|hxxps?)://\S+", new_link, t)
    if rng.random() < 0.7:
        t = ("Hi %s, " % rng.choice(names)) + t
    for a, b in edits:
        if a in t and rng.random() < 0.3:
            t = t.replace(a, b, 1)
    words = t.split(" ")
    if len(words) > 8 and rng.random() < 0.3:  # one word dropped
        del words[rng.randrange(len(words))]
    return " ".join(words)

def words(text):
    text = re.sub(r"(https?|hxxps?)://\S+", " ", text.lower())
    return set(re.sub(r"\d+", "#", w) for w in re.findall(r"[a-z0-9']+", text))

# Seeds that are copies of one lure written twice (the same toll or refund
# text in two files) are one campaign, as the metric joins messages
# with an identical template: word sets (links dropped, digits folded)
# overlapping by 70% or more.
seeds = lures()
campaign_of = list(range(len(seeds)))
for a, b in itertools.combinations(range(len(seeds)), 2):
    wa, wb = words(seeds[a][1]), words(seeds[b][1])
    if len(wa & wb) >= 0.7 * len(wa | wb):
        campaign_of[b] = campaign_of[a]
joined = sum(1 for i, c in enumerate(campaign_of) if c != i)

rows, truth = [], []
for i, (label, text) in enumerate(seeds):
    copies = rng.randint(2, 8) if label != "ham" else 1
    for k in range(copies):
        rows.append(vary(text, k) if label != "ham" else text)
        truth.append(campaign_of[i])
order = list(range(len(rows)))
rng.shuffle(order)
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "in.tsv")
    with open(path, "w") as f:
        f.write("id\ttext\n")
        for n, i in enumerate(order):
            f.write("%d\t%s\n" % (i, rows[i].replace("\t", " ")))
    out = subprocess.run([wardline, "smish", "cluster", "--input", path], capture_output=True, text=True, check=True)
got = {int(j["id"]): j["campaign"] for j in map(json.loads, out.stdout.splitlines())}
tp = fp = fn = 0
for a, b in itertools.combinations(range(len(rows)), 2):
    same_truth, same_got = truth[a] == truth[b], got[a] == got[b]
    tp += same_truth and same_got
    fp += same_got and not same_truth
    fn += same_truth and not same_got
print("%d messages in %d true campaigns (%d seed lures joined to a near-copy): pairwise precision %.3f, recall %.3f" %
      (len(rows), len(set(truth)), joined, tp / max(tp + fp, 1), tp / max(tp + fn, 1)))
