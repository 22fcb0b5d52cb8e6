"""Webhooks: an issuer's events POSTed to its endpoints, signed as Standard Webhooks describe.

`endpoints` manages where events go (the admin's use cases); `events` queues one outbox row
per (event, subscribed endpoint) in the transaction of the change; `delivery` POSTs a row
for the outbox's one sender (`service.mail.sender`) and logs the attempt; `deliveries` lists
the log and redelivers. `signing` holds the signature; the rules on where a request may go
(https, public addresses only, no redirects) are `service.outbound`, shared with other fetches.
"""

__all__ = ["deliveries", "delivery", "endpoints", "events", "signing"]
