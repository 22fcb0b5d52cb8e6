"""Verifiable credential documents: Open Badges 3.0, CLR 2.0, status lists, baking, verifying.

Pure functions over plain values and dicts; nothing here touches a database or the network.
Signing, keys and JSON-LD processing live in ``keys``, ``resolve``, ``jsonld``,
``dataintegrity`` and ``jose``; this package surface lists the documents side.
"""

from credstack.vc.baking import (
    BakedCredential,
    BakingError,
    bake_png,
    bake_svg,
    extract_png,
    extract_svg,
)
from credstack.vc.checks import Check
from credstack.vc.clr import AssociationInfo, clr_credential, clr_structure_check
from credstack.vc.documents import (
    endorsement_credential,
    hash_email,
    open_badge_credential,
)
from credstack.vc.model import (
    AchievementInfo,
    AlignmentInfo,
    AwardInfo,
    CountedRecord,
    EarningRoute,
    IssuerProfile,
    ResultInfo,
    ResultSpec,
    StatusEntryInfo,
    SubjectIdentity,
)
from credstack.vc.ob2 import Ob2PublicKey, verify_ob2
from credstack.vc.pdf import CertificateInfo, certificate_pdf
from credstack.vc.result import VerificationResult
from credstack.vc.schema import schema_check, schema_errors
from credstack.vc.status import (
    Bitstring,
    FetchedStatusList,
    StatusListFetcher,
    check_status,
    status_list_credential,
    status_list_entry,
)
from credstack.vc.summary import CredentialSummary, summarize
from credstack.vc.verify import verify_credential

__all__ = [
    "AchievementInfo",
    "AlignmentInfo",
    "AssociationInfo",
    "AwardInfo",
    "BakedCredential",
    "BakingError",
    "Bitstring",
    "CertificateInfo",
    "Check",
    "CountedRecord",
    "CredentialSummary",
    "EarningRoute",
    "FetchedStatusList",
    "IssuerProfile",
    "Ob2PublicKey",
    "ResultInfo",
    "ResultSpec",
    "StatusEntryInfo",
    "StatusListFetcher",
    "SubjectIdentity",
    "VerificationResult",
    "bake_png",
    "bake_svg",
    "certificate_pdf",
    "check_status",
    "clr_credential",
    "clr_structure_check",
    "endorsement_credential",
    "extract_png",
    "extract_svg",
    "hash_email",
    "open_badge_credential",
    "schema_check",
    "schema_errors",
    "status_list_credential",
    "status_list_entry",
    "summarize",
    "verify_credential",
    "verify_ob2",
]
