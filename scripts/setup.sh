#!/usr/bin/env bash
# Sets up everything eventdesk needs on a fresh machine: system libraries for Qt (Debian/Ubuntu),
# a virtual environment in .venv, and the package with its test extras (pytest and the lint
# tools of `make lint`: ruff, mypy, import-linter). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

need_system_packages() {
    # Qt's platform plugins need these at run time; offscreen needs fontconfig and a font.
    local missing=()
    command -v dpkg-query >/dev/null 2>&1 || return 0
    for pkg in libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
               libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libegl1 libgl1 \
               libfontconfig1 libdbus-1-3 fonts-dejavu-core xvfb xdotool x11-apps imagemagick icu-devtools wrk; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if command -v apt-get >/dev/null 2>&1; then
        echo "eventdesk setup: installing system libraries for Qt: ${missing[*]}" >&2
        $sudo apt-get update -qq >/dev/null || true
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || echo "eventdesk setup: could not install ${missing[*]}; the window may not open" >&2
    fi
}

need_system_packages
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.eventdesk-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
    touch "$stamp"
fi
# bytecode once, as pip writes it for an installed package: an editable install compiles every
# module on every start where PYTHONDONTWRITEBYTECODE is set (~0.1 s per command)
"$VENV/bin/python" -m compileall -q eventdesk >/dev/null
