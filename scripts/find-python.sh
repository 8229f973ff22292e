#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain how to get one (exit 1).
# Order: $PYTHON, python3.13, python3.12, python3, then pyenv's installed versions (newest first).
# Each candidate must actually run and report >= 3.12 (this also skips pyenv shims for unselected versions).
# Never downloads anything.
set -eu

ok() {
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
}

found() {
    # print an absolute path when the candidate is a bare command name
    case "$1" in
        */*) printf '%s\n' "$1" ;;
        *) command -v "$1" ;;
    esac
    exit 0
}

if [ -n "${PYTHON:-}" ]; then
    if ok "$PYTHON"; then
        found "$PYTHON"
    fi
    echo "warning: PYTHON=$PYTHON is not a working Python >= 3.12; looking elsewhere" >&2
fi

for c in python3.13 python3.12 python3; do
    if command -v "$c" >/dev/null 2>&1 && ok "$c"; then
        found "$c"
    fi
done

pyenv_versions=""
if command -v pyenv >/dev/null 2>&1; then
    pyenv_versions="$(pyenv root 2>/dev/null || true)/versions"
fi
for dir in "$pyenv_versions" "${HOME:-/nonexistent}/.pyenv/versions"; do
    [ -n "$dir" ] && [ -d "$dir" ] || continue
    best=""
    best_key=""
    for p in "$dir"/*/bin/python3; do
        [ -x "$p" ] || continue
        ok "$p" || continue
        key=$("$p" -c 'import sys; print("%03d%03d%03d" % sys.version_info[:3])' 2>/dev/null) || continue
        if [ -z "$best_key" ] || [ "$key" \> "$best_key" ]; then
            best="$p"
            best_key="$key"
        fi
    done
    if [ -n "$best" ]; then
        found "$best"
    fi
done

echo "error: Python >= 3.12 is needed; install it (e.g. pyenv install 3.12) or set PYTHON=/path/to/python3.12" >&2
exit 1
