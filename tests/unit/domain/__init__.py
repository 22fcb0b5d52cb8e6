"""Unit tests of the stacking engine's pure core (credstack.domain)."""
