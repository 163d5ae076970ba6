"""DOCX → PDF with LibreOffice headless, the standard's fonts mapped to installed CJK fonts.

The document names the fonts GB/T 9704 asks for (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312, 宋体). A Linux machine rarely has them, so the conversion runs with a
private fontconfig file that maps each to the installed Noto CJK fonts (serif for the
宋/仿宋/楷 faces, sans for 黑体), and a private LibreOffice profile, so it never touches
a user's profile and two conversions never share one. `available()` says whether the
machine can render CJK at all; without it the bulletin is published without a PDF.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "WenQuanYi Zen Hei")
SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
FONT_MAP = {
    "方正小标宋简体": SERIF,
    "仿宋_GB2312": SERIF,
    "仿宋": SERIF,
    "FangSong": SERIF,
    "楷体_GB2312": SERIF,
    "楷体": SERIF,
    "宋体": SERIF,
    "SimSun": SERIF,
    "黑体": SANS,
    "SimHei": SANS,
    "Times New Roman": ("Liberation Serif", "DejaVu Serif", *SERIF),
}


@dataclass
class PdfResult:
    path: Path | None
    seconds: float
    skipped_reason: str = ""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def cjk_fonts() -> list[str]:
    """Families with Chinese coverage, as fontconfig lists them."""
    fc = shutil.which("fc-list")
    if not fc:
        return []
    r = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return sorted({f.split(",")[0].strip() for f in r.stdout.splitlines() if f.strip()})


def available() -> str:
    """Empty when a PDF can be made, else the reason (Chinese, for the manifest and log)."""
    if not soffice():
        return "未安装 LibreOffice（soffice），未生成 PDF"
    if not cjk_fonts():
        return "系统未安装中文字体，未生成 PDF"
    return ""


def fonts_conf(path: Path) -> Path:
    """A fontconfig file: the system's configuration plus the standard's font names."""
    from xml.sax.saxutils import escape

    aliases = "\n".join(
        f'  <alias binding="same"><family>{escape(name)}</family><prefer>'
        + "".join(f"<family>{escape(t)}</family>" for t in targets)
        + "</prefer></alias>"
        for name, targets in FONT_MAP.items()
    )
    # 小标宋 is a heavy face: take the bold weight of the serif stand-in
    aliases += (
        '\n  <match target="pattern"><test name="family"><string>方正小标宋简体</string></test>'
        '<edit name="weight" mode="assign"><const>bold</const></edit></match>'
    )
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{aliases}\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def docx_to_pdf(docx: Path, out_dir: Path, timeout_s: float = 180) -> PdfResult:
    """Convert `docx` into `out_dir/<stem>.pdf`. Never raises for a missing tool or a
    failed conversion: the result says why there is no PDF."""
    import time

    t0 = time.perf_counter()
    reason = available()
    if reason:
        log.warning("bulletin PDF skipped: %s", reason)
        return PdfResult(None, 0.0, reason)
    with tempfile.TemporaryDirectory(prefix="bangfu-lo-") as tmp:
        tmpd = Path(tmp)
        env = dict(os.environ)
        env["FONTCONFIG_FILE"] = str(fonts_conf(tmpd / "fonts.conf"))
        env["HOME"] = str(tmpd)  # LibreOffice writes caches under HOME
        env.pop("DISPLAY", None)
        cmd = [
            str(soffice()),
            f"-env:UserInstallation=file://{tmpd / 'profile'}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(tmpd / "out"),
            str(docx),
        ]
        try:
            r = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            reason = f"LibreOffice 转换超过 {timeout_s:g} 秒，未生成 PDF"
            log.warning("bulletin PDF skipped: %s", reason)
            return PdfResult(None, time.perf_counter() - t0, reason)
        made = tmpd / "out" / f"{docx.stem}.pdf"
        if r.returncode != 0 or not made.exists():
            reason = (
                f"LibreOffice 转换失败（退出码 {r.returncode}）：{(r.stderr or r.stdout)[-300:]}"
            )
            log.warning("bulletin PDF skipped: %s", reason)
            return PdfResult(None, time.perf_counter() - t0, reason)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / made.name
        shutil.move(str(made), target)
    return PdfResult(target, time.perf_counter() - t0)
