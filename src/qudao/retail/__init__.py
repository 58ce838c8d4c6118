"""Retail transactions in the Online Retail format: products, country partners, won deals,
cancellations as clawbacks and sales credited to no partner, written in bulk."""
