#!/usr/bin/env bash
# Campaign clustering at scale: `wardline smish cluster` on 100k, 300k and 1M
# synthetic reports (a few thousand lure templates with per-copy names,
# numbers and links, mixed with unique messages), reporting wall time and
# peak memory (GNU time), so that linear growth shows.
# Run: bench/campaign_scale.sh [BUILD_DIR]   (default: build)
set -euo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/wardline-campaign-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'PY'
import random, sys
random.seed(20261128)
words = ("account payroll deposit verify update access parcel toll fee bank card locked suspended reward gift claim "
         "urgent today portal login secure notice held confirm details pay balance final reminder epic mychart "
         "workday benefits bonus refund delivery address service desk password expires session").split()
names = "dana luis mei aisha tom grace omar rachel kwame sofia".split()
templates = [" ".join(random.choice(words) for _ in range(random.randint(8, 18))) for _ in range(3000)]
domains = ["%s-%s.%s" % (random.choice(words), random.choice(words), random.choice(["top", "xyz", "click", "info", "com"]))
           for _ in range(3000)]
def message(i):
    if random.random() < 0.3:  # unique chatter
        return " ".join(random.choice(words + names) for _ in range(random.randint(4, 14)))
    t = random.randrange(len(templates))
    return "Hi %s, %s ref %d https://%s/%d" % (random.choice(names).title(), templates[t], random.randrange(10**6),
                                               domains[t], random.randrange(10**4))
for n in (100000, 300000, 1000000):
    with open("%s/in-%d.tsv" % (sys.argv[1], n), "w") as f:
        f.write("id\ttext\n")
        for i in range(n):
            f.write("m%d\t%s\n" % (i, message(i)))
PY
for n in 100000 300000 1000000; do
  /usr/bin/time -f "$n messages: %e s wall, %M KiB peak" "$SRC/$BUILD/wardline" smish cluster --input "$WORK/in-$n.tsv" \
    >"$WORK/out-$n.jsonl" 2>"$WORK/err-$n" || { cat "$WORK/err-$n"; exit 1; }
  tail -n 2 "$WORK/err-$n"
done
