#!/usr/bin/env bash
# Smishing quality by 5-fold cross-validation over the shared training and
# development data (4,778 messages, 422 smishing): each fold trains a model
# with `wardline model train` on four fifths and runs `wardline model eval`
# (the whole pipeline: model, rules, organisation profile) on the fifth; the
# confusion matrices are summed. Ten times the dev set's 53 smishing
# messages, so thresholds chosen on it do not follow one small sample.
# Run: bench/smish_cv.sh [BUILD_DIR] [DATA_DIR]   (default: build ../shared/data)
set -euo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DATA=${2:-$SRC/../shared/data}
WARDLINE="$BUILD/wardline"
WORK=$(mktemp -d /tmp/wardline-smish-cv.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for f in sms_train.tsv sms_dev.tsv; do
  [ -f "$DATA/$f" ] || { echo "missing $DATA/$f: pass the shared data folder as the second argument" >&2; exit 1; }
done

python3 - "$DATA" "$WORK" <<'PY'
import random, sys
data, work = sys.argv[1:]
header, rows = None, []
for name in ("sms_train.tsv", "sms_dev.tsv"):
    lines = open(f"{data}/{name}", encoding="utf-8").read().splitlines()
    header = lines[0]
    rows += [l for l in lines[1:] if l]
random.Random(7).shuffle(rows)
for k in range(5):
    with open(f"{work}/train{k}.tsv", "w", encoding="utf-8") as f:
        f.write("\n".join([header] + [r for i, r in enumerate(rows) if i % 5 != k]) + "\n")
    with open(f"{work}/test{k}.tsv", "w", encoding="utf-8") as f:
        f.write("\n".join([header] + [r for i, r in enumerate(rows) if i % 5 == k]) + "\n")
PY

for k in 0 1 2 3 4; do
  "$WARDLINE" model train --data "$WORK/train$k.tsv" --out "$WORK/model$k.ftz" >/dev/null
  "$WARDLINE" model eval --data "$WORK/test$k.tsv" --model "$WORK/model$k.ftz" >"$WORK/eval$k.txt"
done

# Sums the confusion matrices `model eval` prints: the pipeline's classes,
# malicious-or-suspicious vs ham, and the classifier alone.
python3 - "$WORK" <<'PY'
import collections, sys
work = sys.argv[1]
tables = [collections.Counter() for _ in range(3)]
for k in range(5):
    lines = open(f"{work}/eval{k}.txt").read().splitlines()
    starts = [i for i, l in enumerate(lines) if l.strip().startswith("confusion")]
    for table, start in zip(tables, starts):
        columns = lines[start + 1].split()
        for line in lines[start + 2:start + 2 + len(columns)]:
            cells = line.split()
            for column, count in zip(columns, cells[1:]):
                table[(cells[0], column)] += int(count)

def f1(table, positive):
    tp = table[(positive, positive)]
    fp = sum(n for (truth, said), n in table.items() if said == positive and truth != positive)
    fn = sum(n for (truth, said), n in table.items() if truth == positive and said != positive)
    return 2 * tp / (2 * tp + fp + fn), tp, fp, fn

for title, table, positive in (("smishing class (pipeline)", tables[0], "smishing"),
                               ("malicious-vs-ham (verdict)", tables[1], "malicious"),
                               ("smishing class (classifier alone)", tables[2], "smishing")):
    score, tp, fp, fn = f1(table, positive)
    print(f"{title:36s} F1 {score:.3f}   tp {tp}  fp {fp}  fn {fn}")
PY
