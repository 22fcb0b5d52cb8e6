"""The YAML catalog: parsing it into the typed domain values (`domain.catalog`), its bounds and
formats, and exporting it (Credential Engine CTDL).
"""

__all__ = [
    "assessments",
    "ctdl",
    "ctdl_conditions",
    "format",
    "meaning",
    "parse",
    "yamlsource",
]
