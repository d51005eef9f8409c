"""Capacity planning: turn a target request rate and latency into concurrency and throttles."""

from __future__ import annotations

import math
from typing import Any

from .record import record

ACCOUNT_CONCURRENCY = 1_000  # default Lambda concurrency quota per Region
ACCOUNT_RPS = 10_000  # default API Gateway request rate per Region
ACCOUNT_BURST = 5_000
HEADROOM = 1.2
PROVISIONED_SHARE = 0.3  # warm baseline; on-demand absorbs bursts
RAMP_PER_10S = 1_000  # new execution environments Lambda adds per function every 10 s
# Lambda refuses a reservation (or provisioned concurrency outside one) that leaves the account
# fewer unreserved executions than this (configuration-concurrency.html).
UNRESERVED_MINIMUM = 100


@record(frozen=True)
class Plan:
    rps: float
    p99_ms: float

    @property
    def concurrency(self) -> int:
        return math.ceil(self.rps * self.p99_ms / 1000 * HEADROOM)

    @property
    def provisioned(self) -> int:
        return max(1, math.ceil(self.concurrency * PROVISIONED_SHARE))

    @property
    def peak(self) -> int:
        """In-flight requests at the target rate and latency, before the headroom."""
        return math.ceil(self.rps * self.p99_ms / 1000)

    @property
    def autoscale_max(self) -> int:
        """Where LAM010 stops scaling provisioned concurrency: the peak, below the reservation.

        Provisioned concurrency that reaches the function's reserved concurrency throttles the
        unqualified function ($LATEST) and every caller of it (provisioned-concurrency.html), so
        the maximum leaves the reservation's headroom share (1 - 1/HEADROOM, 1,600 of 9,600) to
        them and to the alias's spillover; the alias's peak itself fits in provisioned capacity.
        """
        return max(self.provisioned, min(self.peak, self.concurrency - 1))

    @property
    def rate(self) -> int:
        return math.ceil(self.rps)

    @property
    def burst(self) -> int:
        return max(1, math.ceil(self.rps / 2))

    @property
    def ramp_seconds(self) -> int:
        cold = max(0, self.concurrency - self.provisioned)
        return math.ceil(cold / RAMP_PER_10S) * 10

    def summary(self) -> list[str]:
        needed = self.concurrency + UNRESERVED_MINIMUM
        lines = [
            f"capacity plan for {self.rps:,.0f} requests/s at p99 {self.p99_ms:,.0f} ms:",
            f"  Lambda concurrency needed: {self.concurrency:,} (rps x p99 x {HEADROOM}), reserved (LAM001) for "
            "each function an API invokes; functions off the request path stay unreserved",
            f"  account concurrency quota a template needs: {self.concurrency:,} x its API-invoked functions "
            f"+ {UNRESERVED_MINIMUM} unreserved (+ provisioned concurrency of functions without a reservation), "
            f"at least {needed:,}; LAM001's advice gives each template's total; account default quota "
            f"{ACCOUNT_CONCURRENCY:,}"
            + (" -> request a quota increase to that total" if needed > ACCOUNT_CONCURRENCY else ""),
            f"  provisioned concurrency (warm baseline): {self.provisioned:,}; autoscaled up to "
            f"{self.autoscale_max:,} (LAM010), below the reservation of {self.concurrency:,}: provisioned "
            "concurrency that reaches it throttles the unqualified function ($LATEST) and its callers",
            f"  API Gateway throttle: rate {self.rate:,}/s, burst {self.burst:,}; account default "
            f"{ACCOUNT_RPS:,}/s burst {ACCOUNT_BURST:,}"
            + (" -> request an API Gateway quota increase" if self.rate > ACCOUNT_RPS else ""),
            f"  cold-start ramp beyond the warm baseline: about {self.ramp_seconds:,} s "
            f"(Lambda adds {RAMP_PER_10S:,} environments per 10 s)",
        ]
        return lines


# Which option of which patch each planned value feeds.
PLANNED = {
    # Only for the functions an API invokes: queue, event and destination consumers stay unset.
    "LAM001": {"planned": "concurrency"},
    "LAM002": {"planned": "provisioned"},  # likewise: consumers get LambdaOtherProvisionedConcurrency, 0
    "LAM010": {"max_default": "autoscale_max"},
    "APIGW001": {"rate_default": "rate", "burst_default": "burst"},
    # The tracing patches price X-Ray at the target rate, the logging patch its access logs.
    "APIGW006": {"target_rps": "rps"},
    "APIGW004": {"target_rps": "rps"},  # what the access logs cost at that rate
    "LAM007": {"target_rps": "rps"},
}


def plan_of(settings: Any) -> Plan | None:
    if settings.target_rps is None:
        return None
    return Plan(float(settings.target_rps), float(settings.p99_latency_ms or 100.0))


def planned_options(settings: Any) -> dict[str, dict[str, Any]]:
    """The settings' patch options, with planned defaults where the user set none."""
    options = {pid: dict(values) for pid, values in settings.options.items()}
    plan = plan_of(settings)
    if plan is None:
        return options
    from .registry import by_id

    for pid, fields in PLANNED.items():
        cls = by_id(pid)
        if cls is None:
            continue
        known = cls.defaults()
        for option, attribute in fields.items():
            if option in known:
                options.setdefault(pid, {}).setdefault(option, getattr(plan, attribute))
    return options
