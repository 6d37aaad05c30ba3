#!/usr/bin/env bash
# Install tau from this checkout.
#
#   ./install.sh          install tau for the current user (pipx when present,
#                         otherwise a private virtual environment), with `tau`
#                         linked into ~/.local/bin
#   ./install.sh --dev    make .venv/ in this checkout with tau editable and the
#                         dev tools (pytest, ruff, mypy, import-linter, ...), and
#                         the npm MCP servers the tests use (needs npm)
#
# Both are idempotent: running again upgrades in place. Versions come from the
# committed locks in requirements/, so an upstream release cannot break an install.
# PYTHON=/path/to/python3.12 ./install.sh picks the interpreter.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=user
case "${1:-}" in
  "") ;;
  --dev) mode=dev ;;
  -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install.sh: unknown option '$1' (use --dev or nothing)" >&2; exit 2 ;;
esac

say() { printf 'tau install: %s\n' "$*"; }
die() { printf 'tau install: error: %s\n' "$*" >&2; exit 1; }

find_python() {
  if [ -n "${PYTHON:-}" ]; then
    command -v "$PYTHON" >/dev/null 2>&1 || die "PYTHON=$PYTHON is not a command"
    echo "$PYTHON"; return
  fi
  for candidate in python3 python3.13 python3.12 python3.11 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
      echo "$candidate"; return
    fi
  done
  command -v python3 >/dev/null 2>&1 && echo python3 && return
  die "no Python found. tau needs Python 3.11 or newer: install it (e.g. 'apt install python3') and run this again."
}

python=$(find_python)
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
  die "'$python' does not run. Set PYTHON to a working Python 3.11+."
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "tau needs Python 3.11 or newer, but '$python' is $version. Install a newer Python and run again, e.g. PYTHON=python3.12 ./install.sh"
"$python" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
  die "'$python' ($version) cannot create virtual environments with pip (the venv/ensurepip modules are missing). On Debian or Ubuntu: apt install python3-venv"

make_venv() {  # make_venv DIR: create or repair a venv whose pip works
  local dir=$1
  if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$dir"
    "$python" -m venv "$dir" || die "could not create a virtual environment in $dir"
  fi
  "$dir/bin/python" -m pip --version >/dev/null 2>&1 || die "pip does not work in $dir"
}

pip_quiet=(--quiet --disable-pip-version-check)

if [ "$mode" = dev ]; then
  # The MCP tests run the npm reference servers, pinned in tests/mcp/npm's lock file.
  command -v npm >/dev/null 2>&1 ||
    die "npm not found. The tests run MCP reference servers from npm: install Node.js 20 or newer with npm (e.g. 'apt install nodejs npm') and run this again."
  make_venv "$here/.venv"
  say "installing the dev tools into .venv (Python $version)"
  "$here/.venv/bin/python" -m pip install "${pip_quiet[@]}" -r "$here/requirements/dev.lock"
  "$here/.venv/bin/python" -m pip install "${pip_quiet[@]}" --no-deps -e "$here"
  say "installing the MCP test servers with npm ci (tests/mcp/npm)"
  (cd "$here/tests/mcp/npm" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci failed in tests/mcp/npm (see the npm messages above)"
  say "done: .venv is ready. Run the tests with: .venv/bin/pytest"
  exit 0
fi

bin_dir="$HOME/.local/bin"
if command -v pipx >/dev/null 2>&1; then
  say "installing with pipx (Python $version)"
  pipx install --force --python "$python" --pip-args="-c $here/requirements/runtime.lock" "$here" >/dev/null
  bin_dir=$(pipx environment --value PIPX_BIN_DIR 2>/dev/null || echo "$bin_dir")
else
  venv_dir="${XDG_DATA_HOME:-$HOME/.local/share}/tau/venv"
  say "pipx not found; installing into a private environment at $venv_dir (Python $version)"
  make_venv "$venv_dir"
  "$venv_dir/bin/python" -m pip install "${pip_quiet[@]}" -c "$here/requirements/runtime.lock" --upgrade "$here"
  mkdir -p "$bin_dir"
  ln -sf "$venv_dir/bin/tau" "$bin_dir/tau"
fi

"$bin_dir/tau" --version >/dev/null || die "tau was installed but does not start: $bin_dir/tau --version failed"
say "done: $("$bin_dir/tau" --version) is at $bin_dir/tau"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) say "$bin_dir is not on your PATH; add it with:  echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.bashrc" ;;
esac
