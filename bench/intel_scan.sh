#!/usr/bin/env bash
# Threat-intel scanning side by side: `wardline intel scan` against
# `grep -F -f indicators.txt` on a generated Squid access.log (2M lines by
# default) with 1M domain indicators. grep only finds substrings and parses
# nothing; wardline parses every line, normalises hosts, matches domains and
# their parents, IPs by longest prefix, and prints JSON hits.
# Reports wall time, lines/s, peak memory (GNU time) and the ratios, and the
# indicator set's own size against the indicator file's. Scans are timed on
# the compiled set ('intel feed pull', as in production), on one core, and
# cold (--feeds FILE: read and normalise the indicators first).
# Run: bench/intel_scan.sh [BUILD_DIR] [LINES] [INDICATORS]   (default: build 2000000 1000000)
set -euo pipefail
BUILD=${1:-build}
LINES=${2:-2000000}
INDICATORS=${3:-1000000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/wardline-intel-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" "$LINES" "$INDICATORS" <<'PY'
import random, sys
work, lines, indicators = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(20261128)
syll = "ka lo mi ne ru sa ti vo ze pa qu li do re fu ga hi jo be ny".split()
words = ("secure login verify account update portal mychart epic payroll benefit parcel toll delivery bank "
         "support helpdesk reset mfa access cloud mail docs share auth sso health clinic").split()
tlds = ["com", "net", "org", "info", "top", "xyz", "click", "online", "site", "co.uk", "com.au", "io"]
def name():
    return "".join(random.choice(syll) for _ in range(random.randint(2, 4)))
def bad_domain():
    return "%s-%s%d.%s" % (random.choice(words), name(), random.randrange(1000), random.choice(tlds))
bad = set()
while len(bad) < indicators:
    bad.add(bad_domain())
bad = list(bad)
with open(work + "/indicators.txt", "w") as f:
    f.write("\n".join(bad) + "\n")
# Benign traffic: a Zipf-like popularity over 50k hosts; 1% of requests go to listed domains.
benign = ["%s.%s.%s" % (random.choice(["www", "api", "cdn", "static", "img", "login"]), name() + name(), random.choice(tlds))
          for _ in range(50000)]
weights = [1.0 / (i + 1) for i in range(len(benign))]
picks = random.choices(benign, weights=weights, k=200000)
clients = ["10.20.%d.%d" % (random.randrange(256), random.randrange(1, 255)) for _ in range(2000)]
codes = ["TCP_MISS/200", "TCP_HIT/200", "TCP_MISS/304", "TCP_TUNNEL/200", "TCP_DENIED/403"]
paths = ["/", "/index.html", "/api/v1/session", "/static/app.js", "/img/logo.png", "/login?next=%2Fhome", "/track.gif?u=123"]
t = 1709251200.0
with open(work + "/access.log", "w") as f:
    out = []
    for i in range(lines):
        t += 0.003
        host = random.choice(bad) if random.random() < 0.01 else picks[i % len(picks)]
        if random.random() < 0.2:
            method, url, peer = "CONNECT", host + ":443", "HIER_DIRECT/%d.%d.%d.%d" % (random.randrange(1, 224), random.randrange(256), random.randrange(256), random.randrange(1, 255))
        else:
            method, url, peer = "GET", "http://%s%s" % (host, random.choice(paths)), "HIER_DIRECT/%d.%d.%d.%d" % (random.randrange(1, 224), random.randrange(256), random.randrange(256), random.randrange(1, 255))
        out.append("%.3f %6d %s %s %d %s %s - %s text/html\n" % (t, random.randrange(1, 3000), random.choice(clients),
                   random.choice(codes), random.randrange(200, 90000), method, url, peer))
        if len(out) == 100000:
            f.write("".join(out)); out = []
    f.write("".join(out))
PY
log_bytes=$(stat -c %s "$WORK/access.log")
ind_bytes=$(stat -c %s "$WORK/indicators.txt")
echo "input: $LINES Squid lines ($((log_bytes / 1048576)) MiB), $INDICATORS domain indicators ($((ind_bytes / 1048576)) MiB)"

W="$SRC/$BUILD/wardline"
# Production path: the feed is subscribed and compiled once ('intel feed pull'),
# scans load the compiled set.
"$W" intel feed add bench "$WORK/indicators.txt" --data-dir "$WORK/data" >/dev/null 2>&1
/usr/bin/time -f "%e %M" -o "$WORK/pull.time" "$W" intel feed pull --data-dir "$WORK/data" >"$WORK/pull.out" 2>&1 ||
  { cat "$WORK/pull.out"; exit 1; }
/usr/bin/time -f "%e %M" -o "$WORK/wardline.time" "$W" intel scan --data-dir "$WORK/data" --format squid "$WORK/access.log" \
  >"$WORK/hits.jsonl" 2>"$WORK/wardline.err" || { cat "$WORK/wardline.err"; exit 1; }
/usr/bin/time -f "%e %M" -o "$WORK/one.time" "$W" intel scan -q --threads 1 --data-dir "$WORK/data" --format squid \
  "$WORK/access.log" >/dev/null 2>&1
# Cold path: the indicator file is read and normalised by the scan itself.
/usr/bin/time -f "%e %M" -o "$WORK/cold.time" "$W" intel scan -q --feeds "$WORK/indicators.txt" --format squid \
  "$WORK/access.log" >"$WORK/hits-cold.jsonl" 2>&1
LC_ALL=C /usr/bin/time -f "%e %M" -o "$WORK/grep.time" grep -F -c -f "$WORK/indicators.txt" "$WORK/access.log" \
  >"$WORK/grep.count" || true

read -r p_s p_kib <"$WORK/pull.time"
read -r w_s w_kib <"$WORK/wardline.time"
read -r o_s o_kib <"$WORK/one.time"
read -r c_s c_kib <"$WORK/cold.time"
read -r g_s g_kib <"$WORK/grep.time"
set_kib=$(sed -n 's/^compiled [0-9]* indicators (\([0-9]*\) KiB.*/\1/p' "$WORK/pull.out")
grep -E "^scanned" "$WORK/wardline.err"
python3 - "$LINES" "$p_s" "$w_s" "$w_kib" "$o_s" "$c_s" "$c_kib" "$g_s" "$g_kib" "$set_kib" "$ind_bytes" \
  "$(wc -l <"$WORK/hits.jsonl")" "$(cat "$WORK/grep.count")" "$(nproc)" <<'PY'
import sys
a = sys.argv[1:]
lines = int(a[0]); p_s, w_s = float(a[1]), float(a[2]); w_kib = int(a[3]); o_s, c_s = float(a[4]), float(a[5])
c_kib = int(a[6]); g_s = float(a[7]); g_kib = int(a[8]); set_kib = int(a[9]); ind_bytes = int(a[10])
hits, grep_lines, cores = a[11], a[12], a[13]
print("intel feed pull (compile 1 feed once):   %.2f s" % p_s)
print("wardline intel scan (compiled set):      %.2f s wall on %s cores, %d MiB peak, %s hits" % (w_s, cores, w_kib // 1024, hits))
print("wardline intel scan --threads 1:         %.2f s wall = %.2fM lines/s on one core, parsing included" % (o_s, lines / o_s / 1e6))
print("wardline intel scan --feeds FILE (cold): %.2f s wall, %d MiB peak" % (c_s, c_kib // 1024))
print("grep -F -f indicators.txt:               %.2f s wall, %d MiB peak, %s matching lines" % (g_s, g_kib // 1024, grep_lines))
print("ratios vs grep: %.1fx faster (compiled set), %.1fx (one core), %.1fx (cold); memory %.2fx of grep's"
      % (g_s / w_s, g_s / o_s, g_s / c_s, w_kib / g_kib))
print("indicator set: %.1f MiB for a %.1f MiB indicator file = %.2fx" % (set_kib / 1024, ind_bytes / 1048576, set_kib * 1024 / ind_bytes))
PY
