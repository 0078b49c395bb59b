"""Talking to the gateway: the HTTP client, retries, the rate limiter, clocks and hosts."""
