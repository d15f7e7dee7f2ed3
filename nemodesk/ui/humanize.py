"""Sizes, rates, times left and clock times the way people read them, shared by every view
that shows progress (uploads, renders, downloads) or a length."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from nemodesk.client import Progress


def clock(seconds: float) -> str:
    """``1:05`` — minutes and seconds of a clip or a track."""
    s = max(round(seconds), 0)
    return f"{s // 60}:{s % 60:02d}"


def format_size(n_bytes: float) -> str:
    """Decimal units, as file managers and browsers show downloads: ``3.1 MB``."""
    if n_bytes < 1000:
        return QCoreApplication.translate("ExportView", "{0} B").format(f"{max(n_bytes, 0):.0f}")
    for unit in ("KB", "MB", "GB"):
        n_bytes /= 1000
        if n_bytes < 1000 or unit == "GB":
            break
    return f"{n_bytes:.1f} {unit}"


def format_rate(bytes_per_s: float) -> str:
    return QCoreApplication.translate("ExportView", "{0}/s").format(format_size(bytes_per_s))


def format_time_left(seconds: float) -> str:
    """Rounded the way people say it: ``2 s left``, ``1 min 5 s left``, ``2 h 3 min left``."""
    s = max(round(seconds), 0)
    if s < 60:
        return QCoreApplication.translate("ExportView", "{0} s left").format(s)
    if s < 3600:
        return QCoreApplication.translate("ExportView", "{0} min {1} s left").format(
            s // 60, s % 60
        )
    return QCoreApplication.translate("ExportView", "{0} h {1} min left").format(
        s // 3600, s % 3600 // 60
    )


def download_text(p: Progress) -> str:
    """``3.1 MB of 12.4 MB · 5.2 MB/s · 2 s left``; parts that are unknown are left out."""
    if p.total:
        parts = [
            QCoreApplication.translate("ExportView", "{0} of {1}").format(
                format_size(p.done), format_size(p.total)
            )
        ]
    else:
        parts = [format_size(p.done)]
    if p.rate_bps > 0:
        parts.append(format_rate(p.rate_bps))
    if p.eta_s is not None and p.done < (p.total or 0):
        parts.append(format_time_left(p.eta_s))
    return " · ".join(parts)
