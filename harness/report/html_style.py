"""The style sheet of ``report.html``: system fonts only, so the page needs no network."""

from __future__ import annotations

__all__ = ["CSS", "FONT"]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
CSS = f"""
body {{ font: 14px/1.45 {FONT}; color: #1f2328; margin: 0; background: #f6f8fa; }}
main {{ max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }} h2 {{ font-size: 17px; margin: 28px 0 8px; }}
.meta {{ color: #59636e; margin: 0 0 16px; }}
.verdict {{ border-left: 8px solid var(--c); background: #fff; padding: 12px 18px; border-radius: 6px; }}
.verdict .label {{ color: var(--c); font-size: 26px; font-weight: 700; letter-spacing: .04em; }}
.verdict ul {{ margin: 6px 0 0; padding-left: 20px; }}
table {{ border-collapse: collapse; background: #fff; width: 100%; }}
th, td {{ padding: 5px 10px; border-bottom: 1px solid #d1d9e0; text-align: right; white-space: nowrap; }}
th:first-child, td:first-child {{ text-align: left; white-space: normal; }}
th {{ background: #eef1f4; font-weight: 600; }}
.badge {{ color: #fff; background: var(--c, #59636e); border-radius: 10px; padding: 1px 8px; font-size: 12px; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; }}
.charts > .note {{ grid-column: 1 / -1; margin: 0; }}
.chart {{ background: #fff; border-radius: 6px; min-width: 0; padding: 4px; }}
.note {{ color: #59636e; font-style: italic; }}
"""
