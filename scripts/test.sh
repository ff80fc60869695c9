#!/usr/bin/env bash
# The whole suite: lint, types, then pytest on SQLite (with the browser tests) and on a real
# PostgreSQL 15 server that the harness starts in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"; ruff format --check . && ruff check .
echo "== mypy"; mypy
echo "== import-linter (the layers of docs/architecture.md)"; lint-imports --no-cache
workers="${KECHUANG_TEST_WORKERS:-2}"
echo "== pytest on SQLite (browser tests included)"
pytest -n "$workers" -q -p no:cacheprovider "$@"
echo "== pytest on PostgreSQL 15"
python -m kechuang.testing.postgres -- pytest -n "$workers" -q -p no:cacheprovider -m "not browser" "$@"
