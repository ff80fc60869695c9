#!/usr/bin/env bash
# Sets up a working tree: Python virtualenv, front-end assets, translations, and (for tests) the
# system packages the suite needs. Safe to run again: each step is skipped when already current.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-runtime}"   # runtime | dev
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

need_root() { if [ "$(id -u)" -ne 0 ]; then echo "sudo"; fi; }
apt_install() {
  local sudo; sudo=$(need_root)
  echo ">> installing Debian packages: $*"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# System packages: gettext compiles the translation catalogues; tests also need PostgreSQL 15
# (the suite starts its own server) and Debian's Chromium for the browser tests.
pkgs=()
command -v msgfmt >/dev/null 2>&1 || pkgs+=(gettext)
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
if [ "$mode" = dev ]; then
  [ -x /usr/lib/postgresql/15/bin/initdb ] || pkgs+=(postgresql-15)
  command -v chromium >/dev/null 2>&1 || pkgs+=(chromium fonts-noto-cjk)
fi
[ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"

# Python environment. A stamp records what was installed so a second run is instant.
stamp=".venv/.kechuang-$mode"
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv"
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip 2> >(grep -v "^WARNING: Location 'file:" >&2)
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  extra=""; [ "$mode" = dev ] && extra="[dev]"
  echo ">> installing Python packages ($mode)"
  # grep drops the pip configuration's notices about local mirrors that do not exist on every machine.
  .venv/bin/pip install -q -c constraints.txt -e ".$extra" 2> >(grep -v "^WARNING: Location 'file:" >&2)
  echo "$want" > "$stamp"
fi

# Front-end assets from npm (the machines are offline: no CDN at run time).
vendor=src/kechuang/static/vendor
if [ ! -f "$vendor/.stamp" ] || [ package.json -nt "$vendor/.stamp" ]; then
  echo ">> installing front-end assets"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
  mkdir -p "$vendor"
  cp node_modules/htmx.org/dist/htmx.min.js "$vendor/"
  cp node_modules/chart.js/dist/chart.umd.min.js "$vendor/chart.umd.min.js"
  touch "$vendor/.stamp"
fi

# Translation catalogues (.po in git, .mo built here).
find src/kechuang -path '*/locale/*/LC_MESSAGES/*.po' | while read -r po; do
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then msgfmt --check-format -o "$mo" "$po"; fi
done
echo ">> setup ($mode) done"
