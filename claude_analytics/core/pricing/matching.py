"""Which price a model id gets: the override with its name, else the library's own lookup.

The library finds a model from its id when it knows the provider. Claude Code writes the id
the API returned, and the id's shape names the API: `anthropic/...` (a LiteLLM-style
prefix, which the library splits itself), Bedrock's `[region.]anthropic.claude-...-v1:0`,
Vertex's `claude-...@date`, else Anthropic's own (dated or not). Each shape is tried with its
provider first, then the library's provider detection.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from genai_prices.data_snapshot import get_snapshot

from claude_analytics.core.pricing.overrides import OVERRIDE_PROVIDER

_BEDROCK_ID = re.compile(r"(^|[./])anthropic\.")


@dataclass(frozen=True)
class ModelMatch:
    model_id: str
    provider_id: str | None
    price_model_id: str | None
    matched_by: str | None  # "override", "genai-prices", None when unknown

    @property
    def is_known(self) -> bool:
        return self.price_model_id is not None


def providers_to_try(model_id: str) -> list[str | None]:
    """Provider ids for the library's lookup, most specific first; None lets it detect one."""
    candidates: list[str | None] = []
    if "/" in model_id:
        candidates.append("litellm")
    if _BEDROCK_ID.search(model_id):
        candidates.append("aws")
    if "@" in model_id:
        candidates.append("google")
    return [*candidates, None]


def library_match(model_id: str) -> tuple[str, str] | None:
    """(provider id, library model id) the way the library resolves the id, or None."""
    snapshot = get_snapshot()
    for provider_id in providers_to_try(model_id):
        try:
            provider, model = snapshot.find_provider_model(model_id, None, provider_id, None)
        except LookupError:
            continue
        return provider.id, model.id
    return None


def match_model(model_id: str, override_ids: Collection[str]) -> ModelMatch:
    """An override named like the id wins; then the library; an override of the library's
    model id replaces the library's prices for every id that resolves to it."""
    if model_id in override_ids:
        return ModelMatch(model_id, OVERRIDE_PROVIDER, model_id, "override")
    found = library_match(model_id)
    if found is None:
        return ModelMatch(model_id, None, None, None)
    provider_id, price_model_id = found
    if price_model_id in override_ids:
        return ModelMatch(model_id, OVERRIDE_PROVIDER, price_model_id, "override")
    return ModelMatch(model_id, provider_id, price_model_id, "genai-prices")
