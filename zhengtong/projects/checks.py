"""System checks of the key-project settings."""

import re

from django.conf import settings
from django.core import checks

PLACEHOLDER_PREFIX = "oc4ids-xxxxxx-"
PREFIX_PATTERN = re.compile(r"^oc4ids-[a-z0-9]{6}-$")


@checks.register(deploy=True)
def oc4ids_placeholder_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """projects.W001, before going live (`check --deploy`): the OC4IDS prefix is still the
    placeholder. The demo and development use the placeholder and are not warned."""
    prefix = settings.OC4IDS_PREFIX
    if prefix == PLACEHOLDER_PREFIX:
        return [
            checks.Warning(
                f"OC4IDS 项目编号前缀仍是占位值 {prefix},发布前请登记前缀。"
                " / OC4IDS_PREFIX is the placeholder.",
                hint="向 OC4IDS 登记 6 位前缀后设置 OC4IDS_PREFIX=oc4ids-xxxxxx-(见 .env.example)。",
                id="projects.W001",
            )
        ]
    return []


@checks.register()
def oc4ids_prefix_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """projects.E001: the OC4IDS prefix is malformed (the placeholder is well formed)."""
    prefix = settings.OC4IDS_PREFIX
    if not PREFIX_PATTERN.match(prefix):
        return [
            checks.Error(
                f"OC4IDS 项目编号前缀 {prefix} 格式不对,应为 oc4ids- 加 6 位小写字母或数字再加 -。"
                " / OC4IDS_PREFIX must look like oc4ids-abc123-.",
                hint="见 .env.example 的 OC4IDS_PREFIX。",
                id="projects.E001",
            )
        ]
    return []
