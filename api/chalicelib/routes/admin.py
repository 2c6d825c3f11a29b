"""What the DAT administrator has: undelivered notifications, and the DAT view."""

from __future__ import annotations

from ..runtime import runtime
from .area import Area

area = Area("admin")


@area.route("/v1/outbox/dead")
def dead_letters(who):
    """Notifications that could not be delivered (dat_admin)."""
    from .. import admin

    return admin.list_dead_letters(runtime().context, who, area.request_id())


@area.route("/v1/outbox/{event_id}/retry", methods=("POST",))
def retry_dead_letter(who, event_id: str):
    """Queue one undelivered notification again (dat_admin)."""
    from .. import admin

    return admin.retry_dead_letter(runtime().context, who, event_id, area.request_id())


@area.route("/v1/dashboard")
def dashboard(who):
    """The DAT view: counts by condition and outcome, overdue deadlines, dead letters."""
    from .. import dashboard_views

    return dashboard_views.read(runtime().context, who, area.request_id())


@area.route("/v1/dashboard.csv")
def dashboard_csv(who):
    """One table of the DAT view as CSV: ?table=counts (the default), overdue or dead."""
    from .. import dashboard_views

    return dashboard_views.export(runtime().context, who, area.query().get("table"),
                                  area.request_id())
