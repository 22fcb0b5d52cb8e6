"""A catalog as Credential Engine CTDL JSON-LD, for publishing to the Credential Registry.

One JSON-LD graph per catalog, under both of Credential Engine's contexts (CTDL for credentials
and learning opportunities, CTDL-ASN for competency frameworks; they agree on every shared term):

* the issuer as a ``ceterms:CredentialOrganization`` that owns and offers everything;
* each achievement as its CTDL class by type (``type_info(...).ctdl_class``): badges as
  ``ceterms:OpenBadge`` (what credstack issues are Open Badges), microcredentials,
  certificates, certifications and degrees as their own classes, courses as ``ceterms:Course``
  and CE activities as ``ceterms:LearningOpportunityProfile``;
* its requirement tree as a ``ceterms:ConditionProfile`` under ``ceterms:requires`` (see
  ``ctdl_conditions``), a certification's maintenance as ``ceterms:renewal`` and its validity
  as ``ceterms:renewalFrequency``;
* each assessment as a ``ceterms:AssessmentProfile``, each framework as a
  ``ceasn:CompetencyFramework`` with its ``ceasn:Competency`` nodes, and alignments as
  ``ceterms:CredentialAlignmentObject``s naming those competencies.

Identifiers are the installation's own URLs (``base_url``), the ones its API and pages answer
at; CTIDs are derived from them (UUID version 5), so exporting the same catalog twice gives the
same CTIDs and a re-publish updates rather than duplicates. Pure values in, JSON out: no
database, and the contexts are served from the package, never fetched.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from credstack.catalog.ctdl_conditions import Targets, condition_profile, credit_value, lang
from credstack.domain.catalog import Achievement, Catalog, Framework, IssuerProfile
from credstack.domain.taxonomy import AchievementType, type_info
from credstack.errors import InvalidInput

__all__ = [
    "CONTEXT_FILES",
    "CTDLASN_CONTEXT_URL",
    "CTDL_CONTEXT_URL",
    "ctid",
    "document_loader",
    "export_ctdl",
    "load_context",
]

CTDL_CONTEXT_URL = "https://credreg.net/ctdl/schema/context/json"
CTDLASN_CONTEXT_URL = "https://credreg.net/ctdlasn/schema/context/json"
CONTEXT_FILES: Mapping[str, str] = {
    CTDL_CONTEXT_URL: "ctdl-context.json",
    CTDLASN_CONTEXT_URL: "ctdlasn-context.json",
}

_LEARNING = {AchievementType.COURSE, AchievementType.CE_ACTIVITY}
_ORG_TYPES = {
    "certification-body": ("orgType:CertificationBody", "Certification Body"),
    "specialty-board": ("orgType:CertificationBody", "Certification Body"),
    "university": ("orgType:Postsecondary", "Postsecondary Educational Institution"),
    "employer": ("orgType:Business", "Business or Industry Organization"),
    "training-provider": ("orgType:TrainingProvider", "Training Provider"),
    "association": ("orgType:ProfessionalAssociation", "Professional Association"),
}


@cache
def _bundled(url: str) -> dict[str, Any]:
    name = CONTEXT_FILES.get(url)
    if name is None:
        raise LookupError(f"the JSON-LD context {url!r} is not one of the bundled CTDL contexts")
    text = resources.files("credstack.catalog").joinpath(f"contexts/{name}").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def load_context(url: str) -> dict[str, Any]:
    """The bundled CTDL or CTDL-ASN context document (a fresh copy); any other URL is refused."""
    return copy.deepcopy(_bundled(url))


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld's ``documentLoader`` interface over ``load_context``: nothing is fetched."""
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}


def ctid(iri: str) -> str:
    """The CTID of a resource: ``ce-`` and a UUID, stable for the same IRI."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, iri)}"


def _alignment_object(framework: str, name: str, node: str, node_name: str) -> dict[str, Any]:
    return {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:framework": framework,
        "ceterms:frameworkName": lang(name),
        "ceterms:targetNode": node,
        "ceterms:targetNodeName": lang(node_name),
    }


class _Exporter:
    def __init__(self, catalog: Catalog, issuer: IssuerProfile, base_url: str) -> None:
        self.catalog = catalog
        self.issuer = issuer
        self.base = base_url.rstrip("/")
        self.org_id = f"{self.base}/issuers/{issuer.key}"
        self.frameworks = {f.key: f for f in catalog.frameworks}

    def achievement_id(self, key: str) -> str:
        return f"{self.base}/api/v1/issuers/{self.issuer.key}/achievements/{key}"

    def achievement_page(self, key: str) -> str:
        return f"{self.base}/issuers/{self.issuer.key}/achievements/{key}"

    def assessment_id(self, key: str) -> str:
        return f"{self.base}/issuers/{self.issuer.key}/assessments/{key}"

    def framework_id(self, framework: Framework) -> str:
        # The same identifiers the issued credentials' OB 3.0 alignments use.
        return framework.url or f"urn:credstack:{self.issuer.key}:{framework.key}"

    def competency_id(self, framework: Framework, key: str) -> str:
        return f"{self.framework_id(framework)}#{key}"

    def document(self) -> dict[str, Any]:
        graph: list[dict[str, Any]] = [self.organization()]
        targets = self.targets()
        graph.extend(self.achievement(a, targets) for a in self.catalog.achievements)
        graph.extend(self.assessment(raw) for raw in self.catalog.assessments)
        for framework in self.catalog.frameworks:
            graph.extend(self.framework(framework))
        return {"@context": [CTDL_CONTEXT_URL, CTDLASN_CONTEXT_URL], "@graph": graph}

    def targets(self) -> Targets:
        credential: dict[str, str] = {}
        learning: dict[str, str] = {}
        names: dict[str, str] = {}
        for achievement in self.catalog.achievements:
            bucket = learning if achievement.type in _LEARNING else credential
            bucket[achievement.key] = self.achievement_id(achievement.key)
            names[achievement.key] = achievement.name
        assessments: dict[str, str] = {}
        for raw in self.catalog.assessments:
            key = str(raw.get("id"))
            assessments[key] = self.assessment_id(key)
            names.setdefault(key, str(raw.get("title") or key))
        return Targets(credential, learning, assessments, names)

    def organization(self) -> dict[str, Any]:
        issuer = self.issuer
        kind = issuer.kind.replace("-", " ")
        org: dict[str, Any] = {
            "@id": self.org_id,
            "@type": "ceterms:CredentialOrganization",
            "ceterms:ctid": ctid(self.org_id),
            "ceterms:name": lang(issuer.name),
            "ceterms:description": lang(f"{issuer.name} ({kind}), the issuer of this catalog."),
            "ceterms:subjectWebpage": issuer.url or self.org_id,
        }
        if issuer.kind in _ORG_TYPES:
            node, name = _ORG_TYPES[issuer.kind]
            org["ceterms:agentType"] = [
                _alignment_object(
                    "https://credreg.net/ctdl/terms/OrganizationType",
                    "Organization Type",
                    node,
                    name,
                )
            ]
        if issuer.email:
            org["ceterms:email"] = [issuer.email]
        owned = [self.achievement_id(a.key) for a in self.catalog.achievements]
        org["ceterms:owns"] = owned
        org["ceterms:offers"] = owned
        return org

    def alignments(self, achievement: Achievement) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for ref in achievement.alignments:
            framework_key, _, competency_key = ref.partition("/")
            framework = self.frameworks[framework_key]
            competency = framework.competency(competency_key)
            assert competency is not None  # a parsed catalog's alignments all resolve
            alignment = _alignment_object(
                self.framework_id(framework),
                framework.name,
                self.competency_id(framework, competency.key),
                competency.name,
            )
            if competency.code:
                alignment["ceterms:codedNotation"] = competency.code
            found.append(alignment)
        return found

    def achievement(self, achievement: Achievement, targets: Targets) -> dict[str, Any]:
        node_id = self.achievement_id(achievement.key)
        learning = achievement.type in _LEARNING
        description = achievement.description or achievement.criteria or achievement.name
        out: dict[str, Any] = {
            "@id": node_id,
            "@type": type_info(achievement.type).ctdl_class,
            "ceterms:ctid": ctid(node_id),
            "ceterms:name": lang(achievement.name),
            "ceterms:description": lang(description),
            "ceterms:subjectWebpage": self.achievement_page(achievement.key),
            "ceterms:inLanguage": ["en-US"],
            "ceterms:ownedBy": [self.org_id],
            "ceterms:offeredBy": [self.org_id],
        }
        if learning:
            out["ceterms:lifeCycleStatusType"] = _alignment_object(
                "https://credreg.net/ctdl/terms/LifeCycleStatus",
                "Life Cycle Status",
                "lifeCycle:Active",
                "Active",
            )
        else:
            out["ceterms:credentialStatusType"] = _alignment_object(
                "https://credreg.net/ctdl/terms/CredentialStatus",
                "Credential Status",
                "credentialStat:Active",
                "Active",
            )
        if achievement.designation and not learning:
            out["ceterms:alternateName"] = lang(achievement.designation)
        if achievement.tags:
            out["ceterms:keyword"] = {"en-US": list(achievement.tags)}
        if achievement.image and not learning:
            out["ceterms:image"] = achievement.image
        alignments = self.alignments(achievement)
        if learning:
            if alignments:
                out["ceterms:teaches"] = alignments
            value = self._learning_credit(achievement)
            if value is not None:
                out["ceterms:creditValue"] = [value]
        if achievement.requirements is not None:
            out["ceterms:requires"] = [
                condition_profile(
                    achievement.requirements,
                    targets,
                    description=achievement.criteria or None,
                    competencies=None if learning else alignments,
                )
            ]
        elif alignments and not learning:
            out["ceterms:requires"] = [
                {
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:description": lang(
                        achievement.criteria or "Demonstrate the aligned competencies."
                    ),
                    "ceterms:targetCompetency": alignments,
                }
            ]
        if not learning:
            self._renewal(achievement, out, targets)
        return out

    @staticmethod
    def _learning_credit(achievement: Achievement) -> dict[str, Any] | None:
        if achievement.ce is not None:
            value = credit_value(achievement.ce.hours, "creditUnit:ContactHour")
            value["schema:description"] = lang(
                f"Continuing-education contact hours in category {achievement.ce.category}"
            )
            return value
        if achievement.credits is not None:
            return credit_value(achievement.credits, "creditUnit:DegreeCredit")
        return None

    @staticmethod
    def _renewal(achievement: Achievement, out: dict[str, Any], targets: Targets) -> None:
        if achievement.validity is not None:
            out["ceterms:renewalFrequency"] = achievement.validity.iso
        if achievement.maintenance is not None:
            cycle = achievement.maintenance.cycle
            out["ceterms:renewal"] = [
                condition_profile(
                    achievement.maintenance.requirement,
                    targets,
                    description=f"To keep the credential, meet these requirements every {cycle}.",
                )
            ]
            out.setdefault("ceterms:renewalFrequency", cycle.iso)

    def assessment(self, raw: Mapping[str, object]) -> dict[str, Any]:
        key = str(raw.get("id"))
        node_id = self.assessment_id(key)
        title = str(raw.get("title") or key)
        description = str(raw.get("description") or title)
        return {
            "@id": node_id,
            "@type": "ceterms:AssessmentProfile",
            "ceterms:ctid": ctid(node_id),
            "ceterms:name": lang(title),
            "ceterms:description": lang(description),
            "ceterms:inLanguage": ["en-US"],
            "ceterms:ownedBy": [self.org_id],
            "ceterms:offeredBy": [self.org_id],
            "ceterms:lifeCycleStatusType": _alignment_object(
                "https://credreg.net/ctdl/terms/LifeCycleStatus",
                "Life Cycle Status",
                "lifeCycle:Active",
                "Active",
            ),
        }

    def framework(self, framework: Framework) -> list[dict[str, Any]]:
        framework_id = self.framework_id(framework)
        competency_ids = [self.competency_id(framework, c.key) for c in framework.competencies]
        node: dict[str, Any] = {
            "@id": framework_id,
            "@type": "ceasn:CompetencyFramework",
            "ceterms:ctid": ctid(framework_id),
            "ceasn:name": lang(framework.name),
            "ceasn:description": lang(
                f"{framework.name}: the competencies {self.issuer.name}'s credentials align to."
            ),
            "ceasn:inLanguage": ["en-US"],
            "ceasn:publisher": [self.org_id],
            "ceasn:creator": [self.org_id],
            "ceasn:publicationStatusType": "publicationStatus:Published",
            "ceasn:hasTopChild": competency_ids,
        }
        if framework.url:
            node["ceasn:source"] = [framework.url]
        nodes = [node]
        for competency, competency_id in zip(framework.competencies, competency_ids, strict=True):
            item: dict[str, Any] = {
                "@id": competency_id,
                "@type": "ceasn:Competency",
                "ceterms:ctid": ctid(competency_id),
                "ceasn:competencyLabel": lang(competency.name),
                "ceasn:competencyText": lang(competency.description or competency.name),
                "ceasn:inLanguage": ["en-US"],
                "ceasn:isPartOf": framework_id,
                "ceasn:isTopChildOf": framework_id,
            }
            if competency.code:
                item["ceasn:codedNotation"] = competency.code
            nodes.append(item)
        return nodes


def export_ctdl(catalog: Catalog, *, base_url: str) -> dict[str, Any]:
    """The catalog as one CTDL JSON-LD graph document (see the module docstring)."""
    if catalog.issuer is None:
        raise InvalidInput(
            "the catalog has no `issuer:` section; CTDL needs the organization that owns "
            "and offers the credentials"
        )
    if not base_url.startswith(("https://", "http://")):
        raise InvalidInput(f"the base URL {base_url!r} must start with https:// or http://")
    return _Exporter(catalog, catalog.issuer, base_url).document()
