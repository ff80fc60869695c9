"""What several benchmarks share. Plain Python only: importing it must not set Django up, since
some benchmarks choose their data directory before they do."""

from __future__ import annotations

# Problem statements as an enterprise would type them: short keyword queries and described problems.
PROBLEM_QUERIES = [
    "需要提高固态电池电解质的稳定性，解决锂枝晶问题",
    "低功耗物联网传感器芯片设计",
    "污水处理中的膜污染控制技术",
    "基于深度学习的图像识别算法用于工业质检",
    "中药有效成分提取工艺优化",
    "多属性群决策方法在供应链管理中的应用",
    "高强度铝合金焊接工艺",
    "光伏组件生产线自动化改造",
]


def rss_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    """Resident memory of a process in MiB (Linux): VmRSS now, VmHWM its peak; NaN if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return float("nan")


def setup_django_on_fresh_data() -> None:
    """Django on a temporary data directory (an empty SQLite database) unless KECHUANG_DATABASE_URL
    names a server; the caller migrates. Called after argument parsing, before any Django import."""
    import os
    import sys
    import tempfile
    from pathlib import Path

    if "KECHUANG_DATABASE_URL" not in os.environ:
        os.environ["KECHUANG_DATA_DIR"] = tempfile.mkdtemp(prefix="kechuang-bench-")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()
