# Floe — build, test and demo. `make test` and `make demo` install what is missing first.
SHELL := /bin/bash
APT_PACKAGES := libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev libbrotli-dev pkg-config python3-venv time zstd
SWIFT ?= swift
RELEASE_BIN = $$($(SWIFT) build -c release --show-bin-path)/floe
DEBUG_BIN = $$($(SWIFT) build --show-bin-path)/floe
VENV := .venv
PY := $(VENV)/bin/python
PY_PACKAGES := pyarrow==26.0.1 duckdb==2.0.0 polars==2.1.0
# The S3 side of the tests: moto's server, boto3/botocore (IAM setup, the reference SigV4 signer).
BOTOCORE := 1.44.8
S3_PY_PACKAGES := 'moto[server]==5.2.5' boto3==1.44.8 botocore==$(BOTOCORE)
SIGV4_DIR := .build/sigv4
SIGV4_SUITE := $(SIGV4_DIR)/botocore-$(BOTOCORE)/tests/unit/auth/aws4_testsuite
SAMPLE := Tests/ParquetTests/TestVectors/parquet-testing/data/alltypes_plain.snappy.parquet
NESTED := Tests/ParquetTests/TestVectors/parquet-testing/data/nonnullable.impala.parquet

.PHONY: all deps venv sigv4-vectors build release test test-swift test-objectstore test-cli test-interop test-damaged test-crash demo bench clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

venv: deps
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	@$(PY) -c "import pyarrow, duckdb, polars" 2>/dev/null || $(PY) -m pip install -q $(PY_PACKAGES)
	@$(PY) -c "import moto, boto3, flask" 2>/dev/null || $(PY) -m pip install -q $(S3_PY_PACKAGES)

# AWS's SigV4 test suite (aws4_testsuite), as botocore's source distribution on PyPI ships it; fetched at test time,
# never committed.
sigv4-vectors: venv
	@[ -d $(SIGV4_SUITE) ] || { mkdir -p $(SIGV4_DIR) && \
	  $(PY) -m pip download -q --no-deps --no-binary :all: -d $(SIGV4_DIR) botocore==$(BOTOCORE) && \
	  tar -xzf $(SIGV4_DIR)/botocore-$(BOTOCORE).tar.gz -C $(SIGV4_DIR) botocore-$(BOTOCORE)/tests/unit/auth/aws4_testsuite; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product floe

test: test-swift test-objectstore test-cli test-interop test-damaged test-crash

test-swift: deps venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --skip ObjectStoreTests

# ObjectStore against real components (Tests/Support/servers.py starts and stops them on loopback ports): moto's S3
# server with signatures enforced, the fault-injecting proxy in front of it; SigV4 against AWS's published suite and
# against botocore's signer on 300 generated requests.
# Then floe itself on s3:// (Tests/Interop/s3_interop.py): outputs equal to the local ones, request economy counted
# at the proxy, rewrites in and out of the bucket read back by pyarrow's S3FileSystem, every fault class at 10%.
test-objectstore: venv sigv4-vectors release
	$(SWIFT) build --build-tests
	$(PY) Tests/Support/sigv4_cases.py $(SIGV4_DIR)/botocore-cases.jsonl 300
	FLOE_SIGV4_SUITE=$(SIGV4_SUITE) FLOE_SIGV4_BOTOCORE=$(SIGV4_DIR)/botocore-cases.jsonl \
	  $(PY) Tests/Support/servers.py --s3 --proxy -- $(SWIFT) test --skip-build --filter ObjectStoreTests
	$(PY) Tests/Support/servers.py --s3 --proxy -- $(PY) Tests/Interop/s3_interop.py $(RELEASE_BIN)

# The command-line contract (exit codes, diagnostics, formats) against the debug binary built above.
test-cli: deps
	$(SWIFT) build --product floe
	FLOE="$(DEBUG_BIN)" bash Tests/CLI/cli_test.sh

# Rewrites every readable parquet-testing file under each codec x page version x dictionary setting and checks that
# pyarrow, DuckDB and Polars read the same rows as from the original (Tests/Interop/rewrite_interop.py); floe convert
# on events with 3% bad records against pyarrow converting the good lines alone, and DuckDB (convert_interop.py);
# floe merge against DuckDB running the serving-layer SQL, with a DuckDB reader during merges (merge_property.py);
# the demo pipeline end to end, checked by DuckDB through the printed DDL (e2e_warehouse.py).
test-interop: venv release
	$(PY) Tests/Interop/rewrite_interop.py $(RELEASE_BIN)
	$(PY) Tests/Interop/convert_interop.py $(RELEASE_BIN)
	$(PY) Tests/Interop/merge_property.py $(RELEASE_BIN)
	$(PY) Tests/Interop/e2e_warehouse.py $(RELEASE_BIN)

# Damaged copies of every test file (20 truncations, 50 byte flips each) through the release binary: a read or a
# clean one-line error, never a crash, a hang or a peak RSS beyond a small multiple of the file size.
test-damaged: deps release
	python3 Tests/Interop/damaged_files.py $(RELEASE_BIN)

# floe convert --checkpoint on 40 MB of events, SIGKILLed at 6 random moments: no partial file ever visible, and
# after the final rerun every record is there exactly once (Tests/Interop/convert_crash.py).
test-crash: venv release
	$(PY) Tests/Interop/convert_crash.py $(RELEASE_BIN)

DEMO_WAREHOUSE := .build/demo-warehouse

# Reads sample Parquet files, then runs the warehouse pipeline end to end (scripts/demo_pipeline.sh): generated
# events -> floe ingest into hourly partitions -> partitions sync -> batch and speed layers -> merge -> serving layer.
demo: release
	@echo "== floe schema $(SAMPLE)"; $(RELEASE_BIN) schema $(SAMPLE)
	@echo "== floe meta $(SAMPLE)"; $(RELEASE_BIN) meta $(SAMPLE)
	@echo "== floe head -n 5 $(SAMPLE)"; $(RELEASE_BIN) head -n 5 $(SAMPLE)
	@echo "== floe head -n 3 --format table $(NESTED)"; $(RELEASE_BIN) head -n 3 --format table $(NESTED)
	@echo "== floe cat $(NESTED)"; $(RELEASE_BIN) cat $(NESTED)
	@rm -rf $(DEMO_WAREHOUSE)
	bash scripts/demo_pipeline.sh "$(RELEASE_BIN)" $(DEMO_WAREHOUSE)

clean:
	rm -rf .build
