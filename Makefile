# Kechuang: two commands. `make demo` serves the platform with the demo data; `make test` runs the suite.
.PHONY: demo test setup setup-dev lint fmt serve bench clean

demo: setup
	.venv/bin/kechuang demo --serve

test: setup-dev
	bash scripts/test.sh

setup:
	bash scripts/setup.sh runtime

setup-dev:
	bash scripts/setup.sh dev

lint: setup-dev
	.venv/bin/ruff format --check . && .venv/bin/ruff check . && .venv/bin/mypy && .venv/bin/lint-imports --no-cache

fmt: setup-dev
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

serve: setup
	.venv/bin/kechuang runserver --insecure 127.0.0.1:8000

clean:
	rm -rf .venv node_modules src/kechuang/static/vendor
