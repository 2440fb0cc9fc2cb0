"""Audiences: subscribers who chose to hear from us (README "Subscribers"). Double opt-in,
unsubscribe and SMS STOP, and the management commands; the service and the CLI are thin
layers over :mod:`outagecomms.audiences.subscriptions`."""
