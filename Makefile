# Floe — build, test and demo. `make test` and `make demo` install what is missing first.
SHELL := /bin/bash
APT_PACKAGES := libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev libbrotli-dev libsqlite3-dev pkg-config python3-venv time zstd \
	postgresql
SWIFT ?= swift
# Every release build links the Swift runtime statically (what `make install` ships), so the interop checks and
# the install share one build. The three -l options name static archives that the runtime's Foundation needs but
# does not pull in by itself on Linux; they are command-line options, not unsafeFlags in Package.swift, so Floe
# stays usable as a dependency.
STATIC_LINK := --static-swift-stdlib -Xlinker -l_FoundationCShims -Xlinker -l_FoundationCollections \
	-Xlinker -lswiftSynchronization
# The release build has a scratch folder of its own, apart from the debug build's .build: SwiftPM locks its scratch
# folder for the length of every command, so with one folder the release build could not compile while the debug
# build's tests run (`make test` overlaps them). A plain `swift build -c release` (Benchmarks/) still uses .build.
RELEASE_SCRATCH := .build-release
RELEASE_FLAGS := -c release --scratch-path $(RELEASE_SCRATCH) $(STATIC_LINK)
RELEASE_BIN = $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/floe
DEBUG_BIN = $$($(SWIFT) build --show-bin-path)/floe
VENV := .venv
PY := $(VENV)/bin/python
PY_PACKAGES := pyarrow==26.0.1 duckdb==2.0.0 polars==2.1.0 cryptography==50.0.2
# The Iceberg interop peers (Tests/IcebergTests/*InteropTests.swift through Tests/Interop/avro_interop.py and
# iceberg_interop.py): fastavro as an Avro reader/writer, pyiceberg's SqlCatalog on SQLite as a table reader and
# second writer (pyiceberg-core does its partition transforms when it writes), and its SqlCatalog on PostgreSQL
# through psycopg2.
ICEBERG_PY_PACKAGES := fastavro==1.13.1 'pyiceberg[sql-sqlite,sql-postgres,pyarrow]==0.12.0' \
	pyiceberg-core==0.10.1 psycopg2-binary==2.9.13
# floe serve's real clients: boto3 and the AWS CLI v1, and requests-aws4auth as the second SigV4 signer
SERVE_PY_PACKAGES := boto3==1.44.18 awscli==1.46.3 requests-aws4auth==1.4.0
# The S3 side of the tests: moto's server, boto3/botocore (IAM setup, the reference SigV4 signer); the same boto3
# and botocore as floe serve's clients, so the two sets resolve together.
BOTOCORE := 1.44.18
S3_PY_PACKAGES := 'moto[server]==5.2.5' boto3==1.44.18 botocore==$(BOTOCORE)
# floe validate's CI checks (test-validate-ci): pre-commit, lxml for the JUnit XSD, check-jsonschema as the peer
VALIDATE_CI_PACKAGES := pre-commit==4.3.0 lxml==6.2.0 check-jsonschema==0.39.0
SIGV4_DIR := .build/sigv4
SIGV4_SUITE := $(SIGV4_DIR)/botocore-$(BOTOCORE)/tests/unit/auth/aws4_testsuite
SAMPLE := Tests/ParquetTests/TestVectors/parquet-testing/data/alltypes_plain.snappy.parquet
NESTED := Tests/ParquetTests/TestVectors/parquet-testing/data/nonnullable.impala.parquet

.PHONY: all deps venv sigv4-vectors build release install test test-debug-side test-packaging test-swift test-iceberg-interop test-iceberg-cli test-iceberg-delivery test-objectstore test-objectstore-swift test-s3-interop test-cli test-interop test-serve test-damaged test-crash test-hostile test-validate-ci test-precommit test-install test-consumer test-docs docs demo bench clean

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
	@$(PY) -c "import pyarrow, duckdb, polars, cryptography" 2>/dev/null || $(PY) -m pip install -q $(PY_PACKAGES)
	@$(PY) -c "import fastavro, pyiceberg.catalog.sql, pyiceberg_core, sqlalchemy, psycopg2" 2>/dev/null || $(PY) -m pip install -q $(ICEBERG_PY_PACKAGES)
	@$(PY) -c "import moto, boto3, flask" 2>/dev/null || $(PY) -m pip install -q $(S3_PY_PACKAGES)
	@$(PY) -c "import boto3, awscli, requests_aws4auth" 2>/dev/null || $(PY) -m pip install -q $(SERVE_PY_PACKAGES)
	@$(PY) -c "import pre_commit, lxml, check_jsonschema" 2>/dev/null || $(PY) -m pip install -q $(VALIDATE_CI_PACKAGES)

# AWS's SigV4 test suite (aws4_testsuite), as botocore's source distribution on PyPI ships it; fetched at test time,
# never committed.
sigv4-vectors: venv
	@[ -d $(SIGV4_SUITE) ] || { mkdir -p $(SIGV4_DIR) && \
	  $(PY) -m pip download -q --no-deps --no-binary :all: -d $(SIGV4_DIR) botocore==$(BOTOCORE) && \
	  tar -xzf $(SIGV4_DIR)/botocore-$(BOTOCORE).tar.gz -C $(SIGV4_DIR) botocore-$(BOTOCORE)/tests/unit/auth/aws4_testsuite; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product floe

# Every test target, in three steps that keep both cores busy:
#  1. the debug build and the Swift tests (test-swift, test-objectstore-swift), alone: some of them hold wall time
#     to a limit (hang guards, retry budgets) that a release build beside them can break on a loaded machine
#     (RobustnessTests' 60 s guard saw 80 s under a load of 19);
#  2. the release build (in its own scratch folder, RELEASE_SCRATCH) while test-cli and test-docs use the debug
#     build (test-debug-side): the release build compiles each module as a whole, mostly on one core;
#  3. two at a time (TEST_POOL, longest first): the targets that run the release binary from Python, and
#     test-packaging. The Python tests mostly wait (on floe, on servers, on kills and restarts); each picks its own
#     loopback ports and temporary folders, and none holds wall time to a limit but a hang timeout (10 s per small
#     input at most, 20 s or more elsewhere). test-packaging runs test-install, then test-consumer: that one builds in
#     the tree's .build (see below), leaving Floe's modules compiled as a dependency, which the next build of the
#     tree itself compiles again, so it comes after every other target that builds in .build.
# The targets that run `swift build`/`swift package` in .build run one at a time (SwiftPM locks the folder).
# Each target's output comes whole when it ends (--output-sync).
TEST_POOL := test-s3-interop test-interop test-packaging test-damaged test-serve test-validate-ci test-hostile \
	test-iceberg-cli test-iceberg-delivery test-crash
test: deps venv
	$(MAKE) test-swift test-objectstore-swift
	$(MAKE) -j2 --output-sync=target release test-debug-side
	$(MAKE) -j2 --output-sync=target $(TEST_POOL)

test-debug-side:
	$(MAKE) -j1 test-cli test-docs

test-packaging:
	$(MAKE) -j1 test-install test-consumer

# FLOE_REQUIRE_INTEROP=1: the Iceberg interop tests fail, rather than skip, when the venv lacks their peers.
# scripts/with_postgres.sh runs the tests beside a throwaway PostgreSQL server (Debian's postgresql, initialised in
# a temporary folder, on a loopback port it picks, stopped after) for the SQL catalog's PostgreSQL cases;
# FLOE_REQUIRE_POSTGRES=1 makes those fail rather than skip without it.
test-swift: deps venv
	$(SWIFT) build --build-tests
	FLOE_REQUIRE_INTEROP=1 FLOE_REQUIRE_POSTGRES=1 scripts/with_postgres.sh $(SWIFT) test --skip-build --parallel --skip ObjectStoreTests

# Only the Iceberg interop tests (part of test-swift): fastavro round trips, pyiceberg reading Floe's SQLite
# catalog and tables, Floe reading and appending to pyiceberg's (~25 s on 2 cores after the build).
test-iceberg-interop: deps venv
	$(SWIFT) build --build-tests
	FLOE_REQUIRE_INTEROP=1 FLOE_REQUIRE_POSTGRES=1 scripts/with_postgres.sh $(SWIFT) test --skip-build \
	  --filter 'AvroInteropTests|IcebergInteropTests'

# Iceberg tables through the command line (issue 17, release binary): `floe table create --format iceberg` on the
# warehouse's SQLite catalog and on PostgreSQL, filled by `floe merge`, loaded by pyiceberg's SqlCatalog (field ids,
# partition spec, summaries, scan = `floe cat` incl. --snapshot/--as-of, an hour filter plans only that hour's
# files), snapshots/history/ddl, aggregate into Iceberg, expire-snapshots, remove-orphan-files
# (Tests/Interop/iceberg_cli.py); the serving layer on Iceberg: merge equals DuckDB running the seed's SQL on random
# Iceberg layers, and a pyiceberg reader during 50 merges sees committed snapshots only
# (Tests/Interop/merge_property_iceberg.py). Measured with the DEBUG binary on a loaded 2-core machine: iceberg_cli.py
# 19.5 s (SQLite) + 18.8 s (PostgreSQL); merge_property_iceberg.py 12 cases + 50 merges 252 s wall, 74 s CPU
# (20,000 rows max; the default is now 10,000); the release binary is several times faster.
test-iceberg-cli: venv release
	FLOE_REQUIRE_POSTGRES=1 scripts/with_postgres.sh $(PY) Tests/Interop/iceberg_cli.py $(RELEASE_BIN)
	$(PY) Tests/Interop/merge_property_iceberg.py $(RELEASE_BIN)

# ObjectStore against real components (Tests/Support/servers.py starts and stops them on loopback ports): moto's S3
# server with signatures enforced, the fault-injecting proxy in front of it; SigV4 against AWS's published suite and
# against botocore's signer on 300 generated requests.
# Then floe itself on s3:// (Tests/Interop/s3_interop.py): outputs equal to the local ones, request economy counted
# at the proxy, rewrites in and out of the bucket read back by pyarrow's S3FileSystem, every fault class at 10%;
# and convert --out s3:// (Tests/Interop/s3_convert.py): byte-equal to the local conversion, read by pyarrow, every
# fault class at 10%, kill -9 six times with --checkpoint s3:// then exactly once and no upload left; and inputs in
# the bucket (Tests/Interop/s3_inputs.py): an object, a .gz object and a prefix convert like the local files, also
# with every fault class at 10% and after kill -9 with --checkpoint s3://; bench read/write/validate/convert on s3://.
# Iceberg tables in an s3:// warehouse (Tests/Interop/iceberg_s3.py, catalog on PostgreSQL): pyiceberg's SqlCatalog
# with its S3 FileIO loads and scans Floe's table (= floe cat), Floe reads pyiceberg's; kill -9 twice during
# convert --checkpoint s3:// then exactly once; aggregate/merge, snapshots/history/ddl, expire-snapshots, and
# remove-orphan-files removing exactly the unreachable objects: 11.2 s (release; 17-21 s with PostgreSQL's and moto's
# start, 8.8 CPU s) on the loaded 2-core machine; IcebergObjectIOTests (with ObjectStoreTests) 1.3 s.
# test-objectstore-swift uses the debug build, test-s3-interop the release binary (`make test` runs them apart).
test-objectstore: test-objectstore-swift test-s3-interop

test-objectstore-swift: venv sigv4-vectors
	$(SWIFT) build --build-tests
	$(PY) Tests/Support/sigv4_cases.py $(SIGV4_DIR)/botocore-cases.jsonl 300
	FLOE_SIGV4_SUITE=$(SIGV4_SUITE) FLOE_SIGV4_BOTOCORE=$(SIGV4_DIR)/botocore-cases.jsonl \
	  $(PY) Tests/Support/servers.py --s3 --proxy -- $(SWIFT) test --skip-build --filter 'ObjectStoreTests|IcebergObjectIOTests'

test-s3-interop: venv release
	$(PY) Tests/Support/servers.py --s3 --proxy -- $(PY) Tests/Interop/s3_interop.py $(RELEASE_BIN)
	$(PY) Tests/Support/servers.py --s3 --proxy -- $(PY) Tests/Interop/s3_convert.py $(RELEASE_BIN)
	$(PY) Tests/Support/servers.py --s3 --proxy -- $(PY) Tests/Interop/s3_inputs.py $(RELEASE_BIN)
	FLOE_REQUIRE_POSTGRES=1 scripts/with_postgres.sh $(PY) Tests/Support/servers.py --s3 -- \
	  $(PY) Tests/Interop/iceberg_s3.py $(RELEASE_BIN)
	$(PY) Tests/Support/servers.py --s3 --proxy -- $(PY) Tests/Interop/s3_warehouse.py $(RELEASE_BIN)

# The command-line contract (exit codes, diagnostics, formats) against the debug binary built above.
test-cli: deps
	$(SWIFT) build --product floe
	FLOE="$(DEBUG_BIN)" bash Tests/CLI/cli_test.sh
	FLOE="$(DEBUG_BIN)" bash Tests/CLI/hostile_test.sh

# floe validate for CI (issue 18): --output junit against the JUnit XSD, --output github against GitHub's command
# grammar, verdicts side by side with check-jsonschema on the vendored schemas (fixtures, check-jsonschema's hook
# examples, SchemaStore's test files), and pre-commit (offline, in a network namespace) running
# .pre-commit-hooks.yaml from a local clone on fixture repositories (Tests/CLI/validate_ci_test.py).
# The hooks stay `language: swift` for users. pre-commit installs such a hook repository with exactly one command,
# `swift build --package-path CLONE -c release --build-path ENV/.build` (pre_commit/languages/swift.py), then puts
# ENV/.build/release on PATH; run for real it rebuilds floe in release mode (~14 min on 2 cores). So `make test`
# gives pre-commit a `swift` stand-in that answers that command with the release binary built above: it checks the
# command's shape and that CLONE holds the sources the binary was built from, copies floe and its resource bundle
# into ENV/.build/release, and logs the call (the test wants exactly one). Cloning, environment, hook selection,
# file matching, running and reporting stay pre-commit's own (~1 min for the whole target). `make test-precommit`
# runs the same test with pre-commit's real release build of the clone.
test-validate-ci: venv release
	$(PY) Tests/CLI/validate_ci_test.py $(RELEASE_BIN) --prebuilt-hook-env

test-precommit: venv release
	$(PY) Tests/CLI/validate_ci_test.py $(RELEASE_BIN)

# Rewrites every readable parquet-testing file under each codec x page version x dictionary setting and checks that
# pyarrow, DuckDB and Polars read the same rows as from the original (Tests/Interop/rewrite_interop.py); floe convert
# on events with 3% bad records against pyarrow converting the good lines alone, and DuckDB (convert_interop.py);
# floe merge against DuckDB running the serving-layer SQL, with a DuckDB reader during merges (merge_property.py);
# the demo pipeline end to end, checked by DuckDB through the printed DDL (e2e_warehouse.py); modular encryption
# both ways with pyarrow's CryptoFactory and a local-wrapping KmsClient (encryption_interop.py); validate and convert
# with one job more than the cores use at most 20% more CPU than with one job, and use no CPU while waiting for
# input (no spinning threads, spin_detector.py). Convert's peak RSS against the input's length is measured by
# Benchmarks/convert-memory.py, not here: idle it reads 1.11 (30 MB vs 150 MB) where the loaded machine read 1.05.
test-interop: venv release
	$(PY) Tests/Interop/rewrite_interop.py $(RELEASE_BIN)
	$(PY) Tests/Interop/convert_interop.py $(RELEASE_BIN)
	$(PY) Tests/Interop/merge_property.py $(RELEASE_BIN)
	$(PY) Tests/Interop/e2e_warehouse.py $(RELEASE_BIN)
	$(PY) Tests/Interop/encryption_interop.py $(RELEASE_BIN)
	$(PY) Tests/Interop/spin_detector.py $(RELEASE_BIN)

# floe serve (issue 16) through boto3 and the AWS CLI v1 on loopback: the stream lifecycle and every misuse's error,
# 100,000 events (3% bad) from 4 concurrent producers (rows vs pyarrow, error output, DuckDB, partitions, DDL view),
# backpressure with a small log bound, kill -9 at 6 random moments while producers send (no acknowledged
# record lost, no duplicate but those of resent records), and --auth strict with botocore and requests-aws4auth;
# then --bucket-root s3:// into moto's S3 (objects read back with boto3, CustomTimeZone Asia/Kolkata folders, kill -9
# before the first flush, a bucket created after its records were acknowledged).
# firehose_iceberg.py: floe serve into Iceberg tables (Prefix and IcebergDestinationConfiguration) through boto3,
# read with pyiceberg, kill -9 mid-stream (9.7 s with the release binary under load).
test-serve: venv release
	$(PY) Tests/Interop/firehose_serve.py $(RELEASE_BIN)
	$(PY) Tests/Interop/firehose_durability.py $(RELEASE_BIN)
	$(PY) Tests/Interop/firehose_auth.py $(RELEASE_BIN)
	$(PY) Tests/Interop/firehose_iceberg.py $(RELEASE_BIN)
	$(PY) Tests/Support/servers.py --s3 -- $(PY) Tests/Interop/firehose_s3.py $(RELEASE_BIN)

# Damaged copies of every test file (20 truncations, 50 byte flips each) through the release binary: a read or a
# clean one-line error, never a crash, a hang or a peak RSS beyond a small multiple of the file size.
test-damaged: deps release
	python3 Tests/Interop/damaged_files.py $(RELEASE_BIN)

# floe convert --checkpoint on 40 MB of events, SIGKILLed at 6 random moments: no partial file ever visible, and
# after the final rerun every record is there exactly once (Tests/Interop/convert_crash.py).
test-crash: venv release
	$(PY) Tests/Interop/convert_crash.py $(RELEASE_BIN)

# floe convert into an Iceberg table (issue 17): --checkpoint SIGKILLed at 6 random moments with pyiceberg reading
# the table after each kill, then every record exactly once (iceberg_convert_crash.py); 4 floe convert processes
# and a pyiceberg writer appending 20 commits each to one table at once, on the SQLite catalog and on PostgreSQL:
# total-records = the sum, one parent chain (iceberg_concurrency.py). Partitioned tables (iceberg_partitioned.py):
# hour/day/identity/bucket[16]/truncate[4] specs filled by convert --checkpoint and ingest, checked with pyiceberg
# (scan = floe cat = input, tuples = pyiceberg's transforms and a pyiceberg-written twin, Java partition paths,
# manifest-list field summaries, pruned filtered scans; 12.2 s with the release binary under load), and the crash
# test into a day(event_time), bucket(4, id) table (2.5 s).
test-iceberg-delivery: venv release
	$(PY) Tests/Interop/iceberg_partitioned.py $(RELEASE_BIN)
	$(PY) Tests/Interop/iceberg_convert_crash.py $(RELEASE_BIN)
	$(PY) Tests/Interop/iceberg_convert_crash.py $(RELEASE_BIN) --mb 8 --buffer-size 512KiB --partition-spec 'day(event_time), bucket(4, id)'
	$(PY) Tests/Interop/iceberg_concurrency.py $(RELEASE_BIN) --catalog sqlite
	scripts/with_postgres.sh $(PY) Tests/Interop/iceberg_concurrency.py $(RELEASE_BIN) --catalog postgresql

# `make install PREFIX=/usr/local`: the release `floe` (Swift runtime linked in: it needs only libc, libstdc++ and
# the codec libraries), bash/zsh/fish completions and a man page generated from the argument parser (its
# GenerateManual plugin; the help text is the same in every configuration, so it uses the quicker debug build).
PREFIX ?= /usr/local
install: release
	$(SWIFT) package plugin generate-manual --configuration debug
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	install -m 755 "$(RELEASE_BIN)" "$(DESTDIR)$(PREFIX)/bin/floe"
	# the vendored built-in schemas of `floe validate --builtin-schema` (a SwiftPM resource bundle found beside
	# the binary)
	rm -rf "$(DESTDIR)$(PREFIX)/bin/Floe_ConfigFormats.resources"
	cp -R "$$(dirname "$(RELEASE_BIN)")/Floe_ConfigFormats.resources" "$(DESTDIR)$(PREFIX)/bin/"
	install -m 644 .build/plugins/GenerateManual/outputs/floe/floe.1 "$(DESTDIR)$(PREFIX)/share/man/man1/floe.1"
	"$(DESTDIR)$(PREFIX)/bin/floe" --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/floe"
	"$(DESTDIR)$(PREFIX)/bin/floe" --generate-completion-script zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_floe"
	"$(DESTDIR)$(PREFIX)/bin/floe" --generate-completion-script fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/floe.fish"

# Installs into a temporary prefix and checks the result: --version names the version and commit, ldd lists no
# Swift runtime library, the completions and the man page are there and the man page renders.
test-install: deps
	bash Tests/CLI/install_test.sh

# Floe as a dependency: a package outside the tree depends on a local clone by URL and version tag, imports every
# library product and builds and runs; an injected unsafe flag must be refused (Tests/Consumer/consumer_check.sh).
# It builds in this tree's .build, so the dependencies compiled for the tree's debug build are reused rather than
# compiled a second time (the check took 69 s this way against about 6 min on 2 cores); FLOE_CONSUMER_SCRATCH=
# builds from nothing.
FLOE_CONSUMER_SCRATCH ?= $(CURDIR)/.build
test-consumer: deps
	FLOE_CONSUMER_SCRATCH="$(FLOE_CONSUMER_SCRATCH)" bash Tests/Consumer/consumer_check.sh

# The targets of every library product, from the manifest.
LIBRARY_TARGETS = $(SWIFT) package dump-package | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(t for p in d["products"] if "library" in p["type"] for t in p["targets"]))'

# `make docs`: one DocC catalog per library product (Sources/<Module>/<Module>.docc), warnings as errors, into
# .build/docs/<Module>.doccarchive. A library product without a catalog is an error. One plugin run builds them
# all (the plugin converts independent targets side by side).
DOCS_OUT := .build/docs
docs: deps
	@mkdir -p $(DOCS_OUT); rm -rf $(DOCS_OUT)/*; products=$$($(LIBRARY_TARGETS)); targets=""; \
	for t in $$products; do \
	  [ -d "Sources/$$t/$$t.docc" ] || { echo "Sources/$$t/$$t.docc: library product without a documentation catalog"; exit 1; }; \
	  targets="$$targets --target $$t"; \
	done; \
	$(SWIFT) package --allow-writing-to-directory $(DOCS_OUT) generate-documentation $$targets \
	  --warnings-as-errors --output-path $(DOCS_OUT) || exit 1; \
	for t in $$products; do \
	  [ -d "$(DOCS_OUT)/$$t.doccarchive" ] || { echo "$(DOCS_OUT)/$$t.doccarchive: no documentation archive built"; exit 1; }; \
	done

# The catalogs build without warnings, the getting-started snippets (Snippets/, compiled by `swift build`) run,
# and every public declaration of every library product has a doc comment (scripts/doc_coverage.py over the
# symbol graphs; ceiling 0).
test-docs: docs
	$(SWIFT) build
	bash Tests/CLI/snippets_test.sh "$$($(SWIFT) build --show-bin-path)"
	@graphs=$$($(SWIFT) package dump-symbol-graph --minimum-access-level public 2>&1 | sed -n 's/^Files written to //p'); \
	[ -n "$$graphs" ] || { echo "dump-symbol-graph wrote no symbol graphs"; exit 1; }; \
	python3 scripts/doc_coverage.py "$$graphs" $$($(LIBRARY_TARGETS)) --max 0

# Hostile and careless input (issue 11): /dev/zero, FIFOs without writers, symlink loops, garbage, truncated
# gzip/zstd/brotli inputs and absurd numeric flags given to every command that takes a path or number (each ends
# within 10 s, exit 1 or 2, one diagnostic line, peak RSS < 256 MiB); a warehouse laced with symlinks and `..`
# paths into a sentinel folder that every warehouse, convert and rewrite command must leave byte-identical
# (hostile_input.py); SIGTERM/SIGINT on ingest and convert (signal_shutdown.py).
test-hostile: deps release
	python3 Tests/Interop/hostile_input.py $(RELEASE_BIN)
	python3 Tests/Interop/signal_shutdown.py $(RELEASE_BIN)

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
	rm -rf .build $(RELEASE_SCRATCH)
