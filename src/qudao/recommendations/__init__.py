"""Product recommendations for partners, learnt from past transactions."""
