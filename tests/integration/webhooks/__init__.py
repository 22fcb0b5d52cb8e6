"""Webhooks: endpoints, events in the outbox, signed delivery to a real HTTP receiver."""
