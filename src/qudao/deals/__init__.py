"""Deal registration with customer protection, approval, joint selling and won lines; and
referral links, events and attribution (guide, stage 3)."""
