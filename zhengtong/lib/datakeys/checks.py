"""System checks: no server without a usable master key; no development key in production."""

from django.core import checks

from .keys import DataKeyError, load_provider


@checks.register(checks.Tags.security)
def master_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """datakeys.E001: the master key is missing or unusable."""
    try:
        load_provider()
    except DataKeyError as exc:
        return [checks.Error(str(exc), id="datakeys.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def dev_master_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """datakeys.E002 (`check --deploy`): personal data would be sealed under the dev key."""
    try:
        provider = load_provider()
    except DataKeyError:
        return []  # datakeys.E001 already says so
    if provider.is_dev:
        return [
            checks.Error(
                "个人信息正由 SECRET_KEY 派生的开发主密钥保护,不可用于生产:请设置 "
                "DATA_MASTER_KEY 或 DATA_MASTER_KEY_FILE,或用 DATA_KEY_PROVIDER 接入密钥管理系统。"
                "/ Personal data would be sealed under the development master key derived "
                "from SECRET_KEY: set DATA_MASTER_KEY, DATA_MASTER_KEY_FILE or DATA_KEY_PROVIDER.",
                hint='python -c "import secrets; print(secrets.token_hex(16))"',
                id="datakeys.E002",
            )
        ]
    return []
