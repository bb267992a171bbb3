"""E-mail: the outbox (queue_email), message rendering in the recipient's language, delivery."""
