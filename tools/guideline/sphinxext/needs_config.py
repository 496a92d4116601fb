"""Translate :mod:`guideline.model` into sphinx-needs 9 configuration values."""

from __future__ import annotations

from typing import Any

from sphinx.config import Config

from .. import model
from ..grading import Settings


def need_types_config(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        spec.directive: {
            "title": spec.title,
            "prefix": spec.prefix,
            "color": spec.color,
            "style": "node",
            "fields": spec.fields,
        }
        for spec in model.need_types_for(settings)
    }


def links_config() -> dict[str, dict[str, Any]]:
    return {
        link.name: {
            "outgoing": link.outgoing,
            "incoming": link.incoming,
            "target_types": list(link.targets),
            "allow_dead_links": False,
        }
        for link in model.LINKS
    }


def schema_rules(settings: Settings) -> list[dict[str, Any]]:
    """Rules sphinx-needs checks on every build; ids name the model rule broken."""
    rules: list[dict[str, Any]] = []
    for spec in model.need_types_for(settings):
        select = {"properties": {"type": {"const": spec.directive}}}
        rules.append({
            "id": f"model-{spec.directive}-id",
            "message": f"{spec.title} IDs must match {model.ID_PATTERNS[spec.directive]}",
            "severity": "violation",
            "select": select,
            "validate": {"local": {"properties": {"id": {"type": "string", "pattern": model.ID_PATTERNS[spec.directive]}}}},
        })
        if spec.core:
            rules.append({
                "id": f"model-{spec.directive}-core",
                "message": f"{spec.title}: invalid value of a core field",
                "severity": "violation",
                "select": select,
                "validate": {"local": {"properties": spec.core, "required": list(spec.core)}},
            })
        if spec.required:
            rules.append({
                "id": f"model-{spec.directive}-fields",
                "message": f"{spec.title} needs the fields: {', '.join(spec.required)}",
                "severity": "violation",
                "select": select,
                "validate": {"local": {"required": list(spec.required)}},
            })
    for link in model.LINKS:
        for directive in link.required_on:
            rules.append({
                "id": f"model-{directive}-{link.name}",
                "message": f"every {directive} needs at least one '{link.name}' link",
                "severity": "violation",
                "select": {"properties": {"type": {"const": directive}}},
                # Empty links are dropped before validation, so presence is "required".
                "validate": {"local": {"required": [link.name]}},
            })
    return rules


def apply_need_model(config: Config, settings: Settings) -> None:
    config.needs_types = need_types_config(settings)
    config.needs_links = links_config()
    config.needs_schema_definitions = {"schemas": schema_rules(settings)}
    config.needs_id_regex = model.GLOBAL_ID_REGEX
    config.needs_id_required = True
