# The commands a newcomer needs. `make run` and `make test` install whatever is missing first.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
STATE ?= $(CURDIR)/.state
export LIANRONG_STATE := $(STATE)
UV := uv run --frozen
# The tests get infrastructure of their own, so a running demo never sees test events (and the other way round).
TEST_INFRA := LIANRONG_STATE=$(STATE)/test KAFKA_PORT=29192 KAFKA_CONTROLLER_PORT=29193 PG_PORT=55532

.PHONY: run down demo-stream test test-down lint fmt contracts bench chaos install infra status token

run: install infra ## start Kafka, PostgreSQL and every service; print where they are
	@deploy/services.sh up
	@source $(STATE)/env.sh && $(UV) python -m demo
	@deploy/welcome.sh

down: ## stop the services, Kafka and PostgreSQL (data is kept; `deploy/infra.sh reset` deletes it), and the tests' too
	@deploy/services.sh down
	@deploy/infra.sh down
	@$(TEST_INFRA) deploy/infra.sh down

demo-stream: ## keep demo needs flowing into a running system (one every DEMO_EVERY_SECONDS, 10 by default)
	@source $(STATE)/env.sh && $(UV) python -m demo --stream

test: install lint ## lint, then the whole test suite against a real Kafka and PostgreSQL of its own
	@$(TEST_INFRA) deploy/infra.sh up
	@deploy/browser.sh
	@source $(STATE)/test/env.sh && $(UV) lianrong-topics >/dev/null && $(UV) pytest $(PYTEST_ARGS)

test-down: ## stop the tests' Kafka and PostgreSQL
	@$(TEST_INFRA) deploy/infra.sh down

lint: install ## ruff, mypy (strict), import-linter, and the published event schemas
	$(UV) ruff check .
	$(UV) ruff format --check .
	$(UV) mypy
	$(UV) lint-imports
	$(UV) python -m contracts.schemas check

fmt: install
	$(UV) ruff check --fix .
	$(UV) ruff format .

contracts: install ## regenerate shared/contracts/published (JSON Schema + AsyncAPI); refuses breaking changes
	$(UV) python -m contracts.schemas write

install:
	@deploy/bootstrap.sh

infra:
	@deploy/infra.sh up

status:
	@deploy/infra.sh status
	@deploy/services.sh status

token: install ## a demo token: make token ROLE=regulator (ARGS="--firm <uuid>" for sme/chain_master)
	@$(UV) lianrong-token issue --dir $(STATE)/keys --role $(ROLE) $(ARGS)

chaos: install ## the fault suite on a 3-broker installation of its own (CHAOS_PROFILE=short: the CI version)
	@deploy/chaos/run.sh

bench: install infra ## the matcher benchmark: bench/results/latest.json and a table
	@source $(STATE)/env.sh && $(UV) lianrong-topics >/dev/null && $(UV) python -m bench $(BENCH_ARGS)
