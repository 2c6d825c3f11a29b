"""The registry of notification channels: name -> a factory making a Channel from its
configuration. A route's logical channel (email, sns) is mapped to one of these per stage,
e.g. local {"email": "file", "sns": "file"}, AWS {"email": "ses", "sns": "sns"}.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import file, ses, sns
from .base import Channel, DeliveryFailed, Undeliverable

ChannelFactory = Callable[[Mapping[str, Any]], Channel]

CHANNELS: dict[str, ChannelFactory] = {
    "file": file.from_config,   # config: outbox_dir, sender
    "ses": ses.from_config,     # config: sender, region
    "sns": sns.from_config,     # config: topic_arns, region
}

__all__ = ["CHANNELS", "Channel", "ChannelFactory", "DeliveryFailed", "Undeliverable",
           "make_channels"]


def make_channels(selection: Mapping[str, str], config: Mapping[str, Any]) -> dict[str, Channel]:
    """{logical channel: registry name} -> {logical channel: Channel}; one Channel per name."""
    unknown = sorted(set(selection.values()) - CHANNELS.keys())
    if unknown:
        raise ValueError(f"unknown channel {unknown[0]!r}; known: {', '.join(CHANNELS)}")
    made = {name: CHANNELS[name](config) for name in set(selection.values())}
    return {logical: made[name] for logical, name in selection.items()}
