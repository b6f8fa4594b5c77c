# The project's everyday commands; each is what the README and CONTRIBUTING.md describe.
.PHONY: setup run test quick lint format ci

VENV := .venv/bin

setup:                      ## create .venv from requirements.lock (idempotent)
	bash scripts/setup.sh

run: setup                  ## build the warehouse from the bundled sample
	$(VENV)/xxgk run

test: setup                 ## the test suite, as CI runs it
	$(VENV)/python -m pytest -q

quick: setup                ## the quick loop: the tests not marked slow
	$(VENV)/python -m pytest -q -m "not slow"

lint: setup                 ## what CI checks before the tests
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/lint-imports
	$(VENV)/mypy
	mkdir -p target && $(VENV)/sqlfluff lint models  # and macros/ as they render (.sqlfluff)

format: setup               ## rewrite the code in the project's style
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .
	mkdir -p target && $(VENV)/sqlfluff fix models

ci:                         ## the whole CI job: a fresh clone, set up, linted and tested
	bash .ci/run
