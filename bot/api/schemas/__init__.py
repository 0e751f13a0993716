"""The API's request and response models by area: what /api/v1/openapi.json documents."""
