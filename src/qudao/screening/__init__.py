"""Screening candidates: weighted rubrics, evaluations, threshold, shortlist, due diligence."""
