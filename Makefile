# Two entry points: `make demo` and `make test`. Everything else is a helper they call.
PYTHON ?= python3
PORT ?= 8000
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test install lint typecheck bench bench-city dist clean

# The demo and the benchmarks run with DEBUG=False like production, so they need a real key:
# a random one made on the first run and kept in var/ (ignored by git) unless SECRET_KEY is
# set. It stays the same across runs, so sessions and the demo's audit seals stay valid.
DEMO_SECRET_KEY = $(shell mkdir -p var && { test -s var/demo-secret-key || $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/demo-secret-key; } && cat var/demo-secret-key)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.synced

# The demo runs the two processes of production: the web server and the background worker
# (`manage.py worker`: the queued jobs and the periodic schedule). Ctrl-C stops both.
# The demo signs in with passwords alone: OTP_REQUIRED_ROLES is empty unless set. It seals
# its audit chain with the development key derived from SECRET_KEY (never in production).
demo: export SECRET_KEY ?= $(DEMO_SECRET_KEY)
demo: export OTP_REQUIRED_ROLES ?=
demo: export AUDIT_HMAC_DEV_KEY := True
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@$(PY) manage.py demo_accounts
	@echo "$(if $(OTP_REQUIRED_ROLES),两步验证:以下角色登录须绑定手机验证器:$(OTP_REQUIRED_ROLES)。,两步验证:演示环境未强制启用;要强制系统管理员、审计员、区领导使用手机验证器,请用 OTP_REQUIRED_ROLES=admin,auditor,leader make demo 启动。)"
	@echo "后台工作进程已随网页一起启动(python manage.py worker);按 Ctrl-C 同时停止两者。"
	@$(PY) manage.py worker --verbosity 0 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) --insecure

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates

# mypy loads the settings through the Django plugin; the settings need a key to import.
typecheck: export AUDIT_HMAC_DEV_KEY := True
typecheck: export DEBUG := True
typecheck: install
	$(VENV)/bin/mypy

bench: export SECRET_KEY ?= $(DEMO_SECRET_KEY)
bench: export AUDIT_HMAC_DEV_KEY := True
bench: install
	$(PY) bench/run.py

# The city bench (PostgreSQL): rebuilds its two databases (demo, and demo + a generated city at
# BENCH_SCALE, default 0.05) and prints every page's cost side by side; see bench/city.py.
bench-city: export SECRET_KEY ?= $(DEMO_SECRET_KEY)
bench-city: export AUDIT_HMAC_DEV_KEY := True
bench-city: install
	$(PY) bench/city.py

# The offline release bundle: dist/zhengtong-<version>.tar.gz with its wheelhouse and install.sh,
# its sha256 in dist/SHA256SUMS (deploy/build-dist says what goes in).
dist: $(UV)
	UV=$(UV) deploy/build-dist

clean:
	rm -rf $(VENV) $(TOOLS) staticfiles test-artifacts zhengtong.sqlite3* var dist
