#!/usr/bin/env bash
# 政通离线安装 / offline install of the zhengtong release bundle. Needs no network: every
# package comes from wheels/ beside this script, checked against the hashes in requirements.txt.
#
#   ./install.sh [--venv DIR] [--migrate] [--collectstatic]
#
# --venv DIR        where to create the virtual environment (default: .venv beside this script)
# --migrate         run `manage.py migrate` afterwards (the settings come from the environment:
#                   load the deploy/zhengtong.env.example you filled in first)
# --collectstatic   run `manage.py collectstatic` afterwards (files go to STATIC_ROOT)
# PYTHON=/usr/bin/python3.11 picks the interpreter (CPython 3.11 is required).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
VENV=$HERE/.venv
MIGRATE=0
COLLECTSTATIC=0
while (($#)); do
  case "$1" in
    --venv) VENV=$(realpath -m "$2"); shift 2 ;;
    --migrate) MIGRATE=1; shift ;;
    --collectstatic) COLLECTSTATIC=1; shift ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "未知参数 / unknown option: $1" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3 || true)}
if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "需要 Python 3.11(Debian 12 的 python3),请用 PYTHON=/path/to/python3.11 指定。" >&2
  echo "Python 3.11 is required; set PYTHON=/path/to/python3.11." >&2
  exit 1
fi

echo "== 创建虚拟环境 $VENV"
"$PYTHON" -m venv "$VENV"
echo "== 从 wheels/ 安装依赖(不联网)"
# Only this bundle counts: no pip configuration or index of the machine is consulted.
env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_CONSTRAINT \
  PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
  "$VENV/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" \
  --require-hashes --only-binary=:all: -r "$HERE/requirements.txt"

export DJANGO_SETTINGS_MODULE=zhengtong.settings
if ((MIGRATE)); then
  echo "== manage.py migrate"
  "$VENV/bin/python" manage.py migrate --noinput
fi
if ((COLLECTSTATIC)); then
  echo "== manage.py collectstatic"
  "$VENV/bin/python" manage.py collectstatic --noinput --verbosity 0
fi
echo "== 安装完成:$(cat VERSION | tr '\n' ' ')"
echo "   Python:$VENV/bin/python  启动见 deploy/(zhengtong-web.service、zhengtong-worker.service)"
