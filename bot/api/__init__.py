"""The JSON API for neighbouring systems, under /api/v1 beside /slack/events (docs/api.md).
An adapter like handlers/ and jobs/: it parses and validates requests, calls services, and
answers; decisions and queries live in bot/services."""
