"""The SDK plan: what every SDK backend renders, decided once (see :mod:`tinkc.sdk.plan`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The plan's classes are defined when a name is first read from here (PEP 562), not when the
# package is imported: `tinkc check` imports :mod:`tinkc.sdk.params` (what validation reads of the
# plan), which imports this package first, and defining the whole plan cost it ~15 ms it never
# uses. The type checker reads the names from the plan itself.
if TYPE_CHECKING:
    from tinkc.sdk.params import Body, Param
    from tinkc.sdk.plan import (
        ApiFunctionPlan,
        ApiGroupPlan,
        ClientPlan,
        ConfigOptionPlan,
        EndpointPlan,
        ExtensionFunction,
        ExtensionPlan,
        FlowInputPlan,
        FlowPlan,
        MethodPlan,
        RawPlan,
        Receiver,
        Retry,
        Runtime,
        SdkPlan,
        SessionPlan,
        StepArg,
        StepPlan,
        TypePlan,
        extensions_of,
        plan_api,
        plan_of,
    )

__all__ = [
    "ApiFunctionPlan",
    "ApiGroupPlan",
    "Body",
    "ClientPlan",
    "ConfigOptionPlan",
    "EndpointPlan",
    "ExtensionFunction",
    "ExtensionPlan",
    "FlowInputPlan",
    "FlowPlan",
    "MethodPlan",
    "Param",
    "RawPlan",
    "Receiver",
    "Retry",
    "Runtime",
    "SdkPlan",
    "SessionPlan",
    "StepArg",
    "StepPlan",
    "TypePlan",
    "extensions_of",
    "plan_api",
    "plan_of",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tinkc.sdk import params, plan

        return getattr(params if name in ("Body", "Param") else plan, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
