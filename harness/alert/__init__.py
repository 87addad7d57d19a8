"""Paging: PagerDuty Events API v2 events from loadgate, with bounded retries and a secret key.

    secret       RoutingKey (never printed) and where it comes from
    events       AlertEvent / ChangeEvent and the JSON they are sent as (pure)
    transport    the Events API client with every retry bounded (≤ 55 s per event)
    pager        Pager.send → Delivery (never raises): PagerDuty, dry run, off
    cli_options  --page / --dry-run / --pagerduty-routing-key-file / --pagerduty-url
    gate_page    ``loadgate page RESULT_JSON`` for CI
    page_state   ``--state-file``: each gate alert's last event, so a pass resolves only a trigger

See docs/paging.md.
"""

from harness.alert.events import AlertEvent, ChangeEvent
from harness.alert.pager import Delivery, DryRunPager, Pager, PagerDutyPager, make_pager
from harness.secret import RoutingKey, load_routing_key

__all__ = [
    "AlertEvent",
    "ChangeEvent",
    "Delivery",
    "DryRunPager",
    "Pager",
    "PagerDutyPager",
    "RoutingKey",
    "load_routing_key",
    "make_pager",
]
