"""The partner program: value proposition, SWOT, product catalogue, commission plans and the
partner kit (guide, stage 1)."""
