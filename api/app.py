"""The dipforms API: the Chalice app, its routes' areas and its schedules.

Each area is a blueprint in chalicelib/routes/ whose every route is guarded and signed in
by one decorator (routes/area.py) and answered from a use case's result (responses.py).
Chalice deploys this file with chalicelib/ (and the generated schemas inside it).
"""

from __future__ import annotations

import logging

from chalice import Chalice, Rate
from chalicelib.routes import admin, audit, cases, records, service, session
from chalicelib.runtime import runtime

app = Chalice(app_name="dipforms")
app.log.setLevel(logging.INFO)
for routes in (service, session, records, cases, admin, audit):
    app.register_blueprint(routes.area.blueprint)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def deliver_notifications(event) -> None:
    """In AWS: deliver due notifications every minute (one machine: `dipforms run` does it),
    then print the run's counts as one Embedded Metric Format line (the dead-letter alarm's
    metric: notify/metrics.py)."""
    import json

    from chalicelib.notify.metrics import delivery_metrics
    from chalicelib.notify.outbox import dispatch

    current = runtime()
    report = dispatch(current.context.store, current.channels, now=current.clock.now)
    app.log.info("outbox: sent %d, failed %d, dead %d", report.sent, report.failed, report.dead)
    print(json.dumps(delivery_metrics(delivered=report.sent, dead_lettered=report.dead,
                                      stage=current.settings.stage or "local",
                                      at=current.clock.now())), flush=True)


@app.schedule(Rate(15, unit=Rate.MINUTES))
def sweep_deadlines(event) -> None:
    """In AWS: fire due deadlines (reminders, N10/N11) every 15 minutes; each fires once."""
    from chalicelib.sweep import run_sweep

    report = run_sweep(runtime().context, runtime().clock.now())
    app.log.info("sweep: due %d, fired %d, skipped %d", report.due, report.fired,
                  report.skipped)
