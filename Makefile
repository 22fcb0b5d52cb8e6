# The README's two commands: `make demo` and `make test`. Everything else is a helper.
.PHONY: demo test setup setup-dev lint lock bench

demo: setup
	.venv/bin/credstack demo

test: setup-dev
	scripts/test.sh

setup:
	scripts/setup.sh

setup-dev:
	scripts/setup.sh dev

lint: setup-dev
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy src

# Regenerate the pinned dependency locks from pyproject.toml (needs network to PyPI). Universal:
# one set of pins, with markers where a platform needs its own, for every Python from 3.11 on.
# The dev lock first, then the runtime lock held to its versions: a test tool may hold a
# dependency back, and the smoke runs must install what the suite tested.
lock: setup-dev
	.venv/bin/uv pip compile --quiet --universal --python-version 3.11 --extra dev pyproject.toml -o requirements-dev.lock
	.venv/bin/uv pip compile --quiet --universal --python-version 3.11 pyproject.toml -c requirements-dev.lock -o requirements.lock

# Every benchmark at small sizes (a few minutes): a check that they run, not figures to quote.
bench: setup-dev
	.venv/bin/python bench/run_all.py
