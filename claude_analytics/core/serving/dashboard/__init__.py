"""The offline dashboard: one HTML file, plotly.js inlined once, data read from the snapshot.

People open it from a file manager, a mail attachment or a CI artifact, with no server and
often no network, so nothing in it may load from elsewhere. After plotting, the page writes
a JSON status (points per chart, JavaScript errors) into `#dashboard-status`, which is what
the browser test reads.

`data` reads the snapshot, `charts` turns each panel into a figure, `page` fills
`page.html` (with `page.css` and `page.js`) and writes it.
"""

from claude_analytics.core.serving.dashboard.charts import RECENT_DAYS, SECTIONS
from claude_analytics.core.serving.dashboard.page import (
    DashboardResult,
    build_dashboard,
    dashboard_path,
    render,
)

__all__ = [
    "RECENT_DAYS",
    "SECTIONS",
    "DashboardResult",
    "build_dashboard",
    "dashboard_path",
    "render",
]
