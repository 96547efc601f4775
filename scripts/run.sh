#!/usr/bin/env bash
# Serves partycare at http://127.0.0.1:8000 on the embedded SQLite database (./var unless PARTYCARE_DATA_DIR or
# DATABASE_URL say otherwise), with the demo organisation loaded the first time. Run scripts/bootstrap.sh first
# (`make run` does both).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_DIR"

[[ -x "$VENV_DIR/bin/partycare" ]] || die "no .venv yet: run scripts/bootstrap.sh first (make run does)"
export PATH="$VENV_DIR/bin:$PATH"

if [[ -n "${DATABASE_URL:-}" ]]; then
    say "database: DATABASE_URL"
else
    say "database: SQLite in ${PARTYCARE_DATA_DIR:-$REPO_DIR/var}"
fi
partycare migrate --noinput --verbosity 0
say "database is up to date"
partycare demo --if-empty
cat <<BANNER

  partycare — http://${PARTYCARE_BIND:-127.0.0.1:8000}/
  演示账号 / demo logins: admin gbsec bsec committee auditor leader member — 密码 / password: Partycare@2026
  (README.md lists what each one sees.) Ctrl-C 停止 / stops the server.

BANNER
exec partycare serve "$@"
