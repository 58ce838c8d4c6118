"""The public partner API: ``GET /getRecommendations`` exactly as the guide documents it."""
