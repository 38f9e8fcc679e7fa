"""The CJK fonts fontconfig knows: PDFs, portraits and the start-up check all ask here."""

import hashlib
import shutil
import subprocess
from functools import cache

FONT_PACKAGE = "fonts-noto-cjk"


@cache
def cjk_font_files() -> tuple[str, ...]:
    """Files of the fonts that cover Chinese (`fc-list :lang=zh`); empty without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(sorted({line.split(":", 1)[0].strip() for line in out.splitlines() if line}))


def fingerprint_of(files: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(files).encode()).hexdigest()[:12]


def font_fingerprint() -> str:
    """Changes whenever the set of CJK fonts does, so images drawn with them are re-made."""
    return fingerprint_of(cjk_font_files())


NO_FONTS_FINGERPRINT = fingerprint_of(())


MISSING_FONT_MESSAGE = (
    f"未找到中文字体:页面、PDF 和头像无法显示中文。请安装 {FONT_PACKAGE}"
    f"(sudo apt-get install {FONT_PACKAGE})后重试。"
    f" No CJK font found (fc-list :lang=zh is empty): install {FONT_PACKAGE}."
)
