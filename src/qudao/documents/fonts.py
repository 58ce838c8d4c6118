"""Chinese in a PDF needs a CJK font on the machine. Without one the renderer would draw
empty boxes; we refuse instead, and say how to install a font."""

from __future__ import annotations

import re
import shutil
import subprocess

from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, LocaleCode

_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                  r"\uff00-\uffef]")
_found = False


class FontMissing(QudaoError):
    status = 503
    code = "font_missing"


def needs_cjk(text: str, locale: LocaleCode) -> bool:
    return locale == "zh-CN" or _CJK.search(text) is not None


def cjk_font_installed() -> bool:
    """Whether fontconfig knows a font for Chinese. A hit is remembered; a miss is asked
    again, so that a font installed while the app runs is found."""
    global _found
    if _found:
        return True
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    result = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,  # noqa: S603
                            timeout=20, check=False)
    _found = result.returncode == 0 and bool(result.stdout.strip())
    return _found


def require_cjk_font(text: str, locale: LocaleCode) -> None:
    if needs_cjk(text, locale) and not cjk_font_installed():
        raise FontMissing(N_("This PDF has Chinese text, and no Chinese (CJK) font is "
                             "installed, so it would show empty boxes. Install one and try "
                             "again: on Debian or Ubuntu, apt-get install fontconfig "
                             "fonts-wqy-microhei (or run make runtime-deps)."))
