# The two commands a newcomer needs (see README.md). Both install whatever is missing first.
.PHONY: run test bootstrap lint

run: bootstrap ## serve the demo at http://127.0.0.1:8000
	@bash scripts/run.sh

test: bootstrap ## lint + the suite on SQLite and PostgreSQL + browser tests, as CI runs it
	@bash scripts/test.sh

bootstrap: ## install system packages, .venv, node_modules, translations (fast when done)
	@bash scripts/bootstrap.sh

lint: bootstrap ## only ruff, mypy and the missing-migrations check
	@bash scripts/test.sh lint migrations
