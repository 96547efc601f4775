#!/usr/bin/env bash
# The whole check, as CI runs it: lint, missing migrations, the suite on SQLite, the suite on PostgreSQL, the browser
# tests. Every step runs even when an earlier one fails; the exit status is non-zero if any failed.
#
#   scripts/test.sh                      # everything (run scripts/bootstrap.sh first; `make test` does both)
#   scripts/test.sh lint sqlite          # only some steps: lint migrations sqlite postgres browser
#
# Environment: PARTYCARE_TEST_WORKERS (pytest-xdist workers for the suite, default 2; 1 = no xdist),
# PARTYCARE_TEST_PG_HOST / _PORT / _USER (where to look for PostgreSQL, see scripts/with-postgres.sh),
# PYTEST_ADDOPTS (extra pytest options for every pytest step).
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_DIR" || exit 1

ALL_STEPS=(lint migrations sqlite postgres browser)
STEPS=("$@")
((${#STEPS[@]})) || STEPS=("${ALL_STEPS[@]}")
for step in "${STEPS[@]}"; do
    [[ " ${ALL_STEPS[*]} " == *" $step "* ]] || die "unknown step '$step' (steps: ${ALL_STEPS[*]})"
done

[[ -x "$VENV_DIR/bin/pytest" ]] || die "no .venv yet: run scripts/bootstrap.sh first (make test does)"
export PATH="$VENV_DIR/bin:$PATH"

RUN_TMP="$(mktemp -d "${TMPDIR:-/tmp}/partycare-test.XXXXXX")"
trap 'rm -rf "$RUN_TMP"' EXIT
# Keys, uploads and the SQLite files of this run live here and go away with it.
export PARTYCARE_DATA_DIR="$RUN_TMP/data"
export DJANGO_SETTINGS_MODULE="partycare.settings_test"

WORKERS="${PARTYCARE_TEST_WORKERS:-2}"
PARALLEL=()
((WORKERS > 1)) && PARALLEL=(-n "$WORKERS")

SUMMARY=()      # one formatted line per check
CLOSING=()      # pytest's own closing line per pytest step
REPORTS=()      # STATUS:junit.xml per pytest step, for scripts/pytest_totals.py
FAILED=0
SUITE_START="$(date +%s.%N)"

record() { # name status seconds [note]
    local verdict="ok"
    if [[ "$2" != 0 ]]; then
        verdict="FAIL"
        FAILED=1
    fi
    SUMMARY+=("$(printf '  %-5s %-18s %7ss  %s' "$verdict" "$1" "$3" "${4:-}")")
}

heading() { printf '\n%s──── %s ────%s\n' "$BLUE" "$*" "$PLAIN"; }

check() { # name command...
    local name="$1" start status
    shift
    heading "$name"
    start="$(date +%s.%N)"
    "$@"
    status=$?
    record "$name" "$status" "$(elapsed_since "$start")"
}

pytest_step() { # name allow-empty(yes/no) command-prefix... -- pytest-args...
    local name="$1" allow_empty="$2" start status note="" closing
    shift 2
    local -a prefix=()
    while [[ "$1" != "--" ]]; do
        prefix+=("$1")
        shift
    done
    shift
    local xml="$RUN_TMP/$name.xml" log="$RUN_TMP/$name.log"
    heading "pytest $name"
    start="$(date +%s.%N)"
    "${prefix[@]}" pytest --junitxml="$xml" "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    closing="$(grep -E '^=+ .* in [0-9.]+s( \([0-9:]+\))? =+$' "$log" | tail -n 1)"
    if [[ "$status" == 5 ]]; then
        note="no tests collected"
        [[ "$allow_empty" == yes ]] && status=0
    fi
    [[ -n "$closing" ]] && note="${note:+$note; }$(sed -E 's/^=+ (.*) =+$/\1/' <<<"$closing")"
    record "pytest $name" "$status" "$(elapsed_since "$start")" "$note"
    CLOSING+=("${closing:-(pytest $name printed no closing line; exit status $status)}")
    REPORTS+=("$status:$xml")
}

lint_paths=(src tests scripts)
[[ -d bench ]] && lint_paths+=(bench)

for step in "${STEPS[@]}"; do
    case "$step" in
    lint)
        check "ruff format" ruff format --check "${lint_paths[@]}"
        check "ruff check" ruff check "${lint_paths[@]}"
        # Which files mypy checks (services and selectors) is set in pyproject.toml.
        check "mypy" mypy
        ;;
    migrations)
        check "migrations" partycare makemigrations --check --dry-run
        ;;
    sqlite)
        pytest_step sqlite no env -u DATABASE_URL -- -m "not browser" "${PARALLEL[@]}"
        ;;
    postgres)
        pytest_step postgres no bash scripts/with-postgres.sh -- -m "not browser" --create-db "${PARALLEL[@]}"
        ;;
    browser)
        # The browser tests do not exist everywhere yet: nothing collected is not a failure here.
        pytest_step browser yes env -u DATABASE_URL -- -m browser
        ;;
    esac
done

heading "partycare test summary"
printf '%s\n' "${SUMMARY[@]}"
printf '  total time %ss — %s\n' "$(elapsed_since "$SUITE_START")" "$([[ $FAILED == 0 ]] && echo "all passed" || echo "FAILED")"
if ((${#CLOSING[@]})); then
    printf '\npytest closing lines:\n'
    printf '%s\n' "${CLOSING[@]}"
    python scripts/pytest_totals.py "${REPORTS[@]}"
fi
exit "$FAILED"
