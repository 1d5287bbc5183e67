# Wardline: the two commands a new user needs are `make demo` and `make test`.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: deps configure build test demo bench fuzz model clean

deps:
	@scripts/setup-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: configure
	ninja -C $(BUILD) -j$(JOBS)

test: deps
	@$(MAKE) --no-print-directory build
	ctest --test-dir $(BUILD) -j$(JOBS) --output-on-failure

demo: deps
	@$(MAKE) --no-print-directory build
	@scripts/demo.sh $(BUILD)/wardline

bench: deps
	cmake -S . -B $(BUILD)-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DWARDLINE_BENCH=ON
	ninja -C $(BUILD)-bench -j$(JOBS)
	@for b in $(BUILD)-bench/bench/bench_*; do echo "== $$b"; WARDLINE_SOURCE_DIR=$(CURDIR) $$b; done
	@echo "== bench/campaign_scale.sh"; bench/campaign_scale.sh $(BUILD)-bench
	@echo "== bench/campaign_quality.py"; python3 bench/campaign_quality.py $(BUILD)-bench/wardline

# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 30
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -G Ninja -DWARDLINE_FUZZ=ON
	ninja -C $(BUILD)-fuzz -j$(JOBS)
	@for f in $(BUILD)-fuzz/fuzz/fuzz_*; do \
	  name=$$(basename $$f); mkdir -p $(BUILD)-fuzz/corpus/$$name; \
	  echo "== $$name ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)-fuzz/corpus/$$name fuzz/corpus/$$name || exit 1; \
	done

# Rebuilds the shipped smishing classifier from the shared training data
# (fixed seed, one thread: the same data gives the same model).
TRAIN_DATA ?= ../shared/data/sms_train.tsv
model: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/wardline model train --data $(TRAIN_DATA) --out models/smish.ftz
	$(BUILD)/wardline model eval --data ../shared/data/sms_dev.tsv --model models/smish.ftz

clean:
	rm -rf $(BUILD) $(BUILD)-bench $(BUILD)-fuzz
