"""Stable identities: every resource's ``fullUrl`` and ``id`` from a UUID v5.

The name hashed is ``<kind>:<key>``, the key being a need ID, a bib key or a
fixed name, under one fixed namespace: the same need gets the same ``urn:uuid``
in every export and every edition, so a consumer can follow a recommendation
across editions and two exports of the same sources are byte-identical.
"""

from __future__ import annotations

import uuid

# Fixed for good (uuid5(NAMESPACE_URL, "urn:living-guideline:fhir")); changing it renames every resource.
NAMESPACE = uuid.UUID("0f35b709-9d3b-50a2-901a-e45f28cc02a5")

# Kinds of resource keyed by the same need ID (a recommendation has a plan and a rating).
PLAN = "plan"          # PlanDefinition of a rec / gps
RATING = "rating"      # ArtifactAssessment rating a rec / gps
EVIDENCE = "evidence"  # Evidence of a claim
APPRAISAL = "appraisal"  # ArtifactAssessment of a source
CITATION = "citation"  # Citation of a bib key
FIXED = "fixed"        # one-off resources: the composition, code systems, extension definition


def resource_id(kind: str, key: str) -> str:
    """The resource ``id`` (a UUID string: valid FHIR id, 36 characters)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def full_url(kind: str, key: str) -> str:
    return f"urn:uuid:{resource_id(kind, key)}"
