"""Freshness expectations for the hourly path: warn after 2 hours, fail after 6."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

HOURLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=6), warn_window=timedelta(hours=2)
)
