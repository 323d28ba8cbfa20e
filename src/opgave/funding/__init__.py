"""Funding of housing: the rules of a round (``scheme``), applications (``applications``),
eligibility with reasons (``eligibility``) and the optimal allocation beside ranking by
score (``allocation``). Pure functions; the service layer (:mod:`opgave.service.funding`)
reads and writes the database.
"""
