"""Importing credentials from elsewhere into a wallet, and articulation."""
