"""credstack: stackable microcredentials, issued and verified as Open Badges 3.0."""

__all__ = ["__version__"]

__version__ = "0.1.0"
